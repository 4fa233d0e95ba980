"""Intake links and answers: the link's life, saving as the client types, taking answers in."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from cvj.links import LinkError
from journeys.intake.models import IntakeAnswer, IntakeLink
from journeys.intake.services import (
    INTAKE_MAX_DAYS,
    NEW_PERSONA_NAME,
    intake_answers_save,
    intake_link_create,
    intake_link_open,
    intake_link_resolve,
    intake_link_revoke,
    intake_persona_create,
    intake_take_in,
    take_in_rows,
)
from tests.factories import PersonaFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def link(business, strategist) -> IntakeLink:
    return intake_link_create(business=business, user=strategist.user, days=14)[0]


@pytest.fixture
def persona(business):
    return PersonaFactory(
        business=business,
        name="Busy Parent Priya",
        pains="Weekends lost to chores.",
        goals_values="",
        channels="",
        objections="",
        role="",
        decision_role="",
    )


def _rows(link, persona) -> dict:
    return {row.question.key: row for row in take_in_rows(link=link, persona=persona)}


def _take_in(link, persona, choices, *, only=None, user=None):
    seen = {key: row.seen for key, row in _rows(link, persona).items()}
    return intake_take_in(
        link=link, persona=persona, choices=choices, seen=seen, only=only, user=user
    )


def test_a_new_link_opens_and_counts_each_opening(business, strategist):
    link, token = intake_link_create(business=business, user=strategist.user, days=14)
    assert link.first_opened_at is None
    opened = intake_link_open(token)
    intake_link_open(token)
    link.refresh_from_db()
    assert opened.pk == link.pk
    assert link.open_count == 2
    assert link.first_opened_at <= link.last_opened_at
    assert link.created_by == strategist.user


def test_a_link_lives_at_most_the_kinds_limit(business):
    link, _ = intake_link_create(business=business, user=None, days=10_000)
    assert link.expires_at - timezone.now() <= timedelta(days=INTAKE_MAX_DAYS)


def test_a_revoked_link_is_refused_and_keeps_its_answers(link, business):
    _, token = intake_link_create(business=business, user=None, days=7)
    link = intake_link_resolve(token)
    intake_answers_save(link=link, answers={"pains": "Never enough time."})
    assert intake_link_revoke(link=link) is True
    assert intake_link_revoke(link=link) is False  # the first revocation stands
    with pytest.raises(LinkError) as refused:
        intake_link_open(token)
    assert refused.value.reason == "revoked"
    assert refused.value.status == 410
    assert IntakeAnswer.objects.get(link=link).text == "Never enough time."


def test_an_expired_link_says_when_it_expired(business):
    link, token = intake_link_create(business=business, user=None, days=7)
    IntakeLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() - timedelta(days=1))
    with pytest.raises(LinkError) as refused:
        intake_link_resolve(token)
    assert refused.value.reason == "expired"
    assert "expired on" in refused.value.message


def test_a_tampered_token_is_invalid(link, business):
    _, token = intake_link_create(business=business, user=None, days=7)
    with pytest.raises(LinkError) as refused:
        intake_link_resolve(token[:-2] + "xx")
    assert refused.value.status == 404


def test_a_label_with_nul_is_refused(business):
    with pytest.raises(ValidationError):
        intake_link_create(business=business, user=None, days=7, label="bad\x00label")


def test_saving_stores_only_the_answers_sent(link):
    intake_answers_save(link=link, answers={"pains": "Time.", "channels": "Nextdoor"})
    assert intake_answers_save(link=link, answers={"pains": "Time and money."}) == {}
    texts = dict(link.answers.values_list("question", "text"))
    assert texts == {"pains": "Time and money.", "channels": "Nextdoor"}
    link.refresh_from_db()
    assert link.last_answered_at is not None


def test_an_unchanged_answer_is_not_written_again(link):
    intake_answers_save(link=link, answers={"pains": "Time."})
    before = IntakeAnswer.objects.get(link=link).updated_at
    IntakeLink.objects.filter(pk=link.pk).update(last_answered_at=None)
    intake_answers_save(link=link, answers={"pains": "Time."})
    link.refresh_from_db()
    assert IntakeAnswer.objects.get(link=link).updated_at == before
    assert link.last_answered_at is None


def test_bad_answers_get_a_field_error_and_the_good_ones_are_saved(link):
    errors = intake_answers_save(
        link=link,
        answers={
            "avatar_name": "x" * 121,  # the persona's name holds 120
            "pains": "NUL \x00 inside",
            "objections": "Price.",
            "no_such_question": "ignored",
        },
    )
    assert set(errors) == {"avatar_name", "pains"}
    assert "120" in errors["avatar_name"]
    assert dict(link.answers.values_list("question", "text")) == {"objections": "Price."}


def test_hostile_text_is_stored_as_written(link):
    hostile = '<script>alert("x")</script> & "quotes" \u202e'
    assert intake_answers_save(link=link, answers={"pains": hostile}) == {}
    assert link.answers.get().text == hostile


def test_take_in_fills_empty_fields_and_never_overwrites_unasked(link, persona, strategist):
    intake_answers_save(
        link=link,
        answers={
            "goals_values": "Evenings back.",
            "pains": "Cleaners who cancel.",
            "avatar_name": "Priya",
            "industry": "Cleaning",
        },
    )
    choices = {"goals_values": "use"}  # pains, name and industry left as "keep"
    result = _take_in(link, persona, choices, user=strategist.user)
    persona.refresh_from_db()
    assert result.taken == ["goals_values"]
    assert persona.goals_values == "Evenings back."
    assert persona.pains == "Weekends lost to chores."
    assert persona.name == "Busy Parent Priya"
    assert persona.business.industry == "Home services"
    answer = link.answers.get(question="goals_values")
    assert answer.taken_into == persona and answer.taken_by == strategist.user


def test_take_in_one_field_leaves_the_others(link, persona):
    intake_answers_save(link=link, answers={"goals_values": "Evenings back.", "channels": "FB"})
    result = _take_in(link, persona, {"goals_values": "use", "channels": "use"}, only=["channels"])
    persona.refresh_from_db()
    assert result.taken == ["channels"]
    assert (persona.channels, persona.goals_values) == ("FB", "")


def test_take_in_replaces_or_adds_below_only_when_chosen(link, persona):
    persona.objections = "Too expensive."
    persona.save()
    intake_answers_save(link=link, answers={"pains": "Cancellations.", "objections": "Trust."})
    _take_in(link, persona, {"pains": "use", "objections": "add"})
    persona.refresh_from_db()
    assert persona.pains == "Cancellations."
    assert persona.objections == "Too expensive.\n\nTrust."


def test_take_in_all_takes_the_business_basics_too(link, persona):
    business = persona.business
    business.industry = ""
    business.save()
    intake_answers_save(
        link=link, answers={"industry": "Home cleaning", "decision_role": "Decides"}
    )
    rows = _rows(link, persona)
    choices = {key: row.default_choice for key, row in rows.items()}
    result = _take_in(link, persona, choices)
    business.refresh_from_db()
    persona.refresh_from_db()
    assert sorted(result.taken) == ["decision_role", "industry"]
    assert business.industry == "Home cleaning"
    assert persona.decision_role == "Decides"


def test_a_row_changed_since_shown_is_not_taken(link, persona):
    intake_answers_save(link=link, answers={"goals_values": "Evenings back."})
    seen = {key: row.seen for key, row in _rows(link, persona).items()}
    persona.goals_values = "Typed by the strategist meanwhile."
    persona.save()
    result = intake_take_in(
        link=link, persona=persona, choices={"goals_values": "use"}, seen=seen, user=None
    )
    persona.refresh_from_db()
    assert result.changed == ["goals_values"] and result.taken == []
    assert persona.goals_values == "Typed by the strategist meanwhile."


def test_an_answer_the_field_refuses_takes_nothing_in(link, persona):
    intake_answers_save(link=link, answers={"website": "not a web address", "pains": "Time."})
    result = _take_in(link, persona, {"website": "use", "pains": "use"})
    persona.refresh_from_db()
    assert "website" in result.errors and result.taken == []
    assert persona.pains == "Weekends lost to chores."
    assert persona.business.website == ""


def test_an_answer_added_below_reads_as_already_there(link, persona):
    intake_answers_save(link=link, answers={"pains": "Cancellations."})
    _take_in(link, persona, {"pains": "add"})
    persona.refresh_from_db()
    row = _rows(link, persona)["pains"]
    assert row.state == "same" and row.default_choice == "keep" and row.taken


def test_a_blank_answer_to_an_unanswered_question_stores_nothing(link):
    assert intake_answers_save(link=link, answers={"pains": "", "industry": ""}) == {}
    assert not link.answers.exists()
    link.refresh_from_db()
    assert link.last_answered_at is None


def test_a_new_persona_takes_the_avatars_name_and_nothing_else(link, business):
    intake_answers_save(link=link, answers={"avatar_name": " Planner Pat ", "pains": "Time."})
    persona = intake_persona_create(link=link)
    assert (persona.business, persona.name, persona.pains) == (business, "Planner Pat", "")
    rows = _rows(link, persona)
    assert rows["avatar_name"].state == "same"
    assert rows["pains"].default_choice == "use"


def test_a_new_persona_without_a_named_avatar_gets_a_plain_name(link):
    assert intake_persona_create(link=link).name == NEW_PERSONA_NAME
