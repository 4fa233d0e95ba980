"""The intake pages through the test client: the strategist's card, the client's questionnaire
behind the link, and the take-in beside the persona."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from cvj.models import Role
from journeys.intake.models import IntakeLink
from journeys.intake.services import intake_answers_save, intake_link_create, take_in_rows
from tests.clients import HTMX_HEADERS, logged_in
from tests.factories import AgencyFactory, BusinessFactory, MembershipFactory, PersonaFactory

pytestmark = pytest.mark.django_db

HOSTILE = '<script>alert("intake")</script><img src=x onerror=alert(1)>'


@pytest.fixture
def persona(business):
    return PersonaFactory(business=business, name="Priya", pains="Weekends lost.")


@pytest.fixture
def sent(business, strategist) -> tuple[IntakeLink, str]:
    return intake_link_create(business=business, user=strategist.user, days=14, label="Owners")


def _page(token: str) -> str:
    return reverse("intake_page", args=[token])


def test_the_strategist_creates_a_link_shown_once(strategist_client, business):
    response = strategist_client.post(
        reverse("intake_link_create", args=[business.pk]),
        {"label": "For the owners", "days": "30"},
        headers=HTMX_HEADERS,
    )
    assert response.status_code == 200
    url = re.search(r'id="new-intake-url" type="text" readonly value="([^"]+)"', response.text)
    assert url and "/intake/" in url.group(1)
    link = business.intake_links.get()
    assert link.label == "For the owners"
    # The card loaded later lists the link but no longer shows its URL.
    again = strategist_client.get(reverse("intake_card", args=[business.pk]), headers=HTMX_HEADERS)
    assert "For the owners" in again.text and url.group(1) not in again.text


def test_a_label_that_cannot_be_stored_is_a_field_error(strategist_client, business):
    response = strategist_client.post(
        reverse("intake_link_create", args=[business.pk]), {"label": "a\x00b", "days": "x"}
    )
    assert response.status_code == 422
    assert 'id="intake-label-error"' in response.text
    assert not business.intake_links.exists()


def test_the_card_shows_the_links_history(strategist_client, business, sent):
    link, token = sent
    strategist_client.get(_page(token))
    Client().post(_page(token), {"pains": "Time."})
    link.revoke()
    card = strategist_client.get(reverse("intake_card", args=[business.pk])).text
    assert "opened 1×" in card
    assert "last answered" in card
    assert "revoked" in card
    assert reverse("intake_link_revoke", args=[link.pk]) not in card


def test_the_client_page_includes_the_card(strategist_client, business):
    page = strategist_client.get(reverse("business_detail", args=[business.pk])).text
    assert reverse("intake_card", args=[business.pk]) in page


def test_revoking_switches_the_link_off(strategist_client, sent):
    link, token = sent
    response = strategist_client.post(reverse("intake_link_revoke", args=[link.pk]))
    assert response.status_code == 200
    refused = Client().get(_page(token))
    assert refused.status_code == 410
    assert "closed by the agency" in refused.text


@pytest.mark.parametrize("role", [Role.CLIENT, None])
def test_only_the_agencys_strategists_reach_links_and_answers(role, business, sent, persona):
    link, _ = sent
    if role is None:  # a strategist of another agency
        member = MembershipFactory(agency=AgencyFactory(name="Rival"), role=Role.STRATEGIST)
    else:
        member = MembershipFactory(agency=business.agency, role=role, business=business)
    browser = logged_in(member)
    assert browser.get(reverse("intake_card", args=[business.pk])).status_code == 404
    post = browser.post(reverse("intake_link_create", args=[business.pk]), {"days": "7"})
    assert post.status_code == 404
    assert browser.post(reverse("intake_link_revoke", args=[link.pk])).status_code == 404
    assert browser.post(reverse("intake_persona_create", args=[link.pk])).status_code == 404
    assert browser.get(reverse("intake_take_in", args=[persona.pk])).status_code == 404
    take = browser.post(reverse("intake_take_in", args=[persona.pk]), {"take": "all"})
    assert take.status_code == 404
    link.refresh_from_db()
    assert link.revoked_at is None and business.intake_links.count() == 1
    assert list(business.personas.all()) == [persona]


def test_another_businesss_link_is_missing_on_the_take_in_page(strategist_client, persona):
    other_link, _ = intake_link_create(
        business=BusinessFactory(agency=persona.business.agency), user=None, days=7
    )
    url = reverse("intake_take_in", args=[persona.pk])
    assert strategist_client.get(f"{url}?link={other_link.pk}").status_code == 404
    assert strategist_client.get(f"{url}?link=%00").status_code == 404


def test_unknown_ids_are_missing(strategist_client):
    assert strategist_client.get(reverse("intake_card", args=[999999])).status_code == 404
    assert strategist_client.post(reverse("intake_link_revoke", args=[999999])).status_code == 404


def test_the_questionnaire_opens_without_an_account_and_counts_the_opening(sent, business):
    link, token = sent
    response = Client().get(_page(token))
    assert response.status_code == 200
    text = response.text
    for label in ("What industry are you in?", "Give your ideal customer a name.", "Who are they?"):
        assert label in text
    assert text.index("What industry") < text.index("Give your ideal") < text.index("decision")
    link.refresh_from_db()
    assert link.open_count == 1


def test_a_bad_token_gets_a_clear_page(db):
    response = Client().get(_page("not-a-token"))
    assert response.status_code == 404
    assert "not valid" in response.text


def test_autosave_saves_one_answer_and_says_saved(sent):
    link, token = sent
    intake_answers_save(link=link, answers={"channels": "Nextdoor"})
    response = Client().post(
        _page(token), {"pains": "Cancelled cleaners", "channels": ""}, headers=HTMX_HEADERS
    )
    assert response.status_code == 200
    assert re.search(r"Saved \d\d:\d\d:\d\d", response.text)
    # htmx sends one field (hx-params); here both came: both are what the client sent.
    assert dict(link.answers.values_list("question", "text")) == {
        "pains": "Cancelled cleaners",
        "channels": "",
    }


def test_autosave_answers_a_field_error(sent):
    link, token = sent
    response = Client().post(_page(token), {"decision_role": "y" * 201}, headers=HTMX_HEADERS)
    assert response.status_code == 200
    assert "field-error" in response.text and "200" in response.text
    assert not link.answers.exists()


def test_the_plain_form_saves_everything_and_resumes(sent):
    link, token = sent
    browser = Client()
    response = browser.post(_page(token), {"avatar_name": "Priya", "pains": "Time.\r\nMoney."})
    assert response.status_code == 302
    assert response["Location"].endswith("?saved=1#saved")
    resumed = browser.get(response["Location"]).text
    assert "Your answers are saved." in resumed
    assert 'value="Priya"' in resumed
    assert "Time.\nMoney.</textarea>" in resumed


def test_the_plain_form_shows_field_errors_and_keeps_the_text(sent):
    link, token = sent
    response = Client().post(_page(token), {"avatar_name": "n" * 130, "pains": "Kept."})
    assert response.status_code == 422
    assert 'aria-invalid="true"' in response.text
    assert 'value="' + "n" * 130 + '"' in response.text
    assert dict(link.answers.values_list("question", "text")) == {"pains": "Kept."}


def test_a_revoked_link_refuses_saves(sent):
    link, token = sent
    link.revoke()
    response = Client().post(_page(token), {"pains": "Late."}, headers=HTMX_HEADERS)
    assert response.status_code == 410
    assert not link.answers.exists()


def test_hostile_answers_are_escaped_on_every_page(strategist_client, sent, persona):
    link, token = sent
    Client().post(_page(token), {"pains": HOSTILE, "avatar_name": HOSTILE})
    pages = [
        Client().get(_page(token)).text,
        strategist_client.get(reverse("intake_take_in", args=[persona.pk])).text,
        strategist_client.get(reverse("persona_edit", args=[persona.pk])).text,
    ]
    for page in pages[:2]:
        assert "&lt;script&gt;alert(&quot;intake&quot;)&lt;/script&gt;" in page
    for page in pages:
        assert "<script>alert" not in page and "<img src=x" not in page


def test_the_take_in_page_shows_both_versions_and_asks_before_replacing(
    strategist_client, sent, persona
):
    link, _ = sent
    intake_answers_save(link=link, answers={"pains": "Cancellations.", "goals_values": "Calm."})
    page = strategist_client.get(reverse("intake_take_in", args=[persona.pk])).text
    assert "Weekends lost." in page and "Cancellations." in page
    assert 'name="choice-pains" value="keep" checked' in page
    assert 'name="choice-goals_values" value="use" checked' in page


def test_take_in_one_field_through_the_page(strategist_client, sent, persona):
    link, _ = sent
    intake_answers_save(link=link, answers={"pains": "Cancellations.", "goals_values": "Calm."})
    rows = {row.question.key: row for row in take_in_rows(link=link, persona=persona)}
    form = {f"seen-{key}": row.seen for key, row in rows.items()}
    form.update({"choice-pains": "use", "choice-goals_values": "use", "take": "pains"})
    url = reverse("intake_take_in", args=[persona.pk]) + f"?link={link.pk}"
    response = strategist_client.post(url, form)
    assert response.status_code == 302
    persona.refresh_from_db()
    assert (persona.pains, persona.goals_values) == ("Cancellations.", "")


def test_a_take_in_from_the_persona_page_goes_back_there(strategist_client, sent, persona):
    link, _ = sent
    intake_answers_save(link=link, answers={"goals_values": "Calm."})
    row = next(
        r for r in take_in_rows(link=link, persona=persona) if r.question.key == "goals_values"
    )
    url = reverse("intake_take_in", args=[persona.pk])
    response = strategist_client.post(
        url,
        {
            "seen-goals_values": row.seen,
            "choice-goals_values": "use",
            "take": "all",
            "back": "persona",
        },
    )
    assert response["Location"] == reverse("persona_edit", args=[persona.pk])
    persona.refresh_from_db()
    assert persona.goals_values == "Calm."


def test_a_stale_take_in_is_a_conflict_showing_both(strategist_client, sent, persona):
    link, _ = sent
    intake_answers_save(link=link, answers={"goals_values": "Calm."})
    response = strategist_client.post(
        reverse("intake_take_in", args=[persona.pk]),
        {"seen-goals_values": "stale", "choice-goals_values": "use", "take": "all"},
    )
    assert response.status_code == 409
    assert "Changed since you looked" in response.text
    persona.refresh_from_db()
    assert persona.goals_values == ""


def test_junk_choices_take_nothing_in(strategist_client, sent, persona):
    link, _ = sent
    intake_answers_save(link=link, answers={"goals_values": "Calm."})
    row = next(
        r for r in take_in_rows(link=link, persona=persona) if r.question.key == "goals_values"
    )
    response = strategist_client.post(
        reverse("intake_take_in", args=[persona.pk]),
        {"seen-goals_values": row.seen, "choice-goals_values": "use\x00", "take": "\x00"},
    )
    assert response.status_code == 302
    persona.refresh_from_db()
    assert persona.goals_values == ""


def test_the_persona_page_loads_the_panel_that_returns_there(htmx_client, sent, persona):
    link, _ = sent
    intake_answers_save(link=link, answers={"goals_values": "Calm."})
    page = htmx_client.get(reverse("persona_edit", args=[persona.pk]), headers={"HX-Request": ""})
    assert reverse("intake_take_in", args=[persona.pk]) in page.text
    panel = htmx_client.get(reverse("intake_take_in", args=[persona.pk]))
    assert panel.status_code == 200
    assert panel.text.lstrip().startswith('<section id="intake-answers"')
    assert '<input type="hidden" name="back" value="persona">' in panel.text
    assert "data-intake-unsaved hidden" in panel.text


def test_the_questionnaire_is_never_cached(sent):
    _link, token = sent
    response = Client().get(_page(token))
    assert "no-store" in response["Cache-Control"]


def test_the_questionnaire_and_its_autosave_query_budgets(sent, django_assert_num_queries):
    link, token = sent
    intake_answers_save(link=link, answers={"pains": "Time."})
    browser = Client()
    # The link with its business and agency; the opening counted; the answers.
    with django_assert_num_queries(3):
        browser.get(_page(token))
    # The link; in a savepoint: the link locked, its answer read and written, and the link's
    # last answered time.
    with django_assert_num_queries(7):
        browser.post(_page(token), {"pains": "Time and money."}, headers=HTMX_HEADERS)


def test_a_new_persona_from_the_answers_opens_its_take_in(strategist_client, sent, business):
    link, _ = sent
    intake_answers_save(link=link, answers={"avatar_name": "Planner Pat", "pains": "Time."})
    card = strategist_client.get(reverse("intake_card", args=[business.pk])).text
    assert reverse("intake_persona_create", args=[link.pk]) in card
    response = strategist_client.post(reverse("intake_persona_create", args=[link.pk]))
    persona = business.personas.get(name="Planner Pat")
    assert response["Location"] == reverse("intake_take_in", args=[persona.pk]) + f"?link={link.pk}"
    page = strategist_client.get(response["Location"]).text
    assert 'name="choice-pains" value="use" checked' in page


def test_a_hostile_link_label_is_escaped_on_the_card(strategist_client, business):
    strategist_client.post(
        reverse("intake_link_create", args=[business.pk]), {"label": HOSTILE, "days": "7"}
    )
    card = strategist_client.get(reverse("intake_card", args=[business.pk])).text
    assert "&lt;script&gt;alert(&quot;intake&quot;)" in card
    assert "<script>alert" not in card and "<img src=x" not in card
