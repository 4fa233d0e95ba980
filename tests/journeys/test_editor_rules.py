"""Each editor rule lives once in Python and reaches the page from there: offer headings per
stage, the awareness note on suggestions, completeness (when the rail refreshes), the agenda's
intro, and creating an offer at a stage (all or nothing)."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from journeys.models import STAGE_OFFER_HEADINGS, STAGE_OFFER_KINDS, Journey, Offer, StageOffer
from journeys.selectors import journey_stage_views
from journeys.services import offer_create_at_stage
from tests.journeys.editor_support import AUTOSAVE

pytestmark = pytest.mark.django_db


def _editor(client, journey: Journey, slug: str) -> str:
    response = client.get(reverse("journey_editor", args=[journey.pk]) + f"?stage={slug}")
    assert response.status_code == 200
    return response.text


def _save(client, journey: Journey, **post: str) -> dict:
    response = client.post(reverse("journey_autosave", args=[journey.pk]), post, headers=AUTOSAVE)
    assert response.status_code == 200, response.content
    return response.json()


def test_every_stage_that_takes_offers_has_a_heading_and_no_other():
    assert set(STAGE_OFFER_HEADINGS) == set(STAGE_OFFER_KINDS)


@pytest.mark.parametrize("slug", sorted(STAGE_OFFER_KINDS))
def test_the_offers_heading_comes_from_the_rule(strategist_client, journey, slug):
    heading, hint = STAGE_OFFER_HEADINGS[slug]
    html = _editor(strategist_client, journey, slug)
    assert f"<h3>{heading}</h3>" in html
    if hint:
        assert hint in html


def test_a_stage_without_offers_has_no_offers_section(strategist_client, journey):
    html = _editor(strategist_client, journey, "excite")
    assert 'id="offers"' not in html


@pytest.mark.parametrize(
    ("slug", "noted"), [("aware", True), ("engage", True), ("subscribe", False)]
)
def test_suggestions_mention_the_awareness_level_only_where_it_counts(
    strategist_client, journey, slug, noted
):
    journey.persona.awareness_level = "problem_aware"
    journey.persona.save()
    html = _editor(strategist_client, journey, slug)
    assert ("and a problem-aware persona" in html) is noted


def test_the_substring_of_a_slug_does_not_count_as_an_awareness_stage(journey):
    # The template used to test `slug in "aware engage"`, which a slug like "gage" passes.
    from journeys.suggestions import AWARENESS_STAGES

    assert "gage" not in AWARENESS_STAGES and "aware" in AWARENESS_STAGES


def test_filling_a_counted_field_tells_the_editor_to_refresh_the_rail(strategist_client, journey):
    first = _save(
        strategist_client, journey, target="stage:aware", field="goal", value="Be seen", base=""
    )
    again = _save(
        strategist_client,
        journey,
        target="stage:aware",
        field="goal",
        value="Be seen locally",
        base="Be seen",
    )
    emptied = _save(
        strategist_client,
        journey,
        target="stage:aware",
        field="goal",
        value="  ",
        base="Be seen locally",
    )
    assert (first["shape_changed"], again["shape_changed"], emptied["shape_changed"]) == (
        True,
        False,
        True,
    )


def _completeness(journey: Journey, slug: str) -> int:
    return next(v for v in journey_stage_views(journey) if v.slug == slug).completeness


def test_notes_do_not_count_towards_completeness(strategist_client, journey):
    before = _completeness(journey, "aware")
    body = _save(
        strategist_client, journey, target="stage:aware", field="notes", value="Hi", base=""
    )
    assert body["shape_changed"] is False
    assert _completeness(journey, "aware") == before


def test_the_rail_meter_follows_the_same_rule(strategist_client, journey):
    before = _completeness(journey, "excite")
    _save(strategist_client, journey, target="stage:excite", field="goal", value="Wow", base="")
    after = _completeness(journey, "excite")
    # One of four parts (goal, metric, target, tactics; Excite takes no offers).
    assert after - before == 25
    # The rail's meter: drawn at that width, and read out as text (not aria-label on a span).
    page = _editor(strategist_client, journey, "excite")
    assert re.search(
        rf'class="meter"><i style="width:{after}%"></i></span>\s*'
        rf'<span class="sr-only">{after}% complete<',
        page,
    )


@pytest.mark.parametrize(("minutes", "intro"), [(180, 15), (120, 10), (240, 20)])
def test_the_agenda_intro_scales_with_the_session(strategist_client, journey, minutes, intro):
    Journey.objects.filter(pk=journey.pk).update(session_minutes=minutes)
    html = _editor(strategist_client, journey, "aware")
    assert f"<span>Intro &amp; goals</span><span>{intro} min</span>" in html


def test_creating_an_offer_at_a_stage_that_refuses_its_kind_writes_nothing(journey):
    entry = journey.stages.select_related("stage", "journey").get(stage__slug="subscribe")
    before = Offer.objects.count()
    with pytest.raises(ValidationError) as error:
        offer_create_at_stage(journey_stage=entry, name="Tripwire", kind="entry_point", price=9)
    assert error.value.message_dict == {
        "offer": ["The Subscribe stage takes a lead magnet, not an entry-point offer."]
    }
    assert Offer.objects.count() == before


def test_an_offer_whose_attach_fails_is_not_left_behind(journey, monkeypatch):
    entry = journey.stages.select_related("stage", "journey").get(stage__slug="convert")

    def refuse(**kwargs):
        raise ValidationError({"offer": "The database said no."})

    monkeypatch.setattr("journeys.services.offer_attach", refuse)
    before = Offer.objects.count()
    with pytest.raises(ValidationError):
        offer_create_at_stage(journey_stage=entry, name="Starter", kind="entry_point", price=9)
    assert Offer.objects.count() == before
    assert not StageOffer.objects.filter(journey_stage=entry).exists()
