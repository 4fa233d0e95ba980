"""The journey editor: autosave (JSON and no-JavaScript) and the no-JavaScript stage form."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from journeys.models import JourneyStage
from journeys.services import tactic_add
from tests.journeys.editor_support import (
    _autosave,
    _entry,
    _library,
    _url,
)

pytestmark = pytest.mark.django_db


# --- Autosave


def test_autosave_saves_a_field_and_answers_json(strategist_client, journey):
    version = journey.version
    response = _autosave(
        strategist_client, journey, target="stage:aware", field="goal", value="Be known", base=""
    )
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "saved"
    assert body["value"] == "Be known"
    assert re.fullmatch(r"\d\d:\d\d:\d\d", body["saved_at"])
    assert _entry(journey, "aware").goal == "Be known"
    journey.refresh_from_db()
    assert journey.version == version + 1


def test_autosave_of_the_same_text_is_unchanged(strategist_client, journey):
    JourneyStage.objects.filter(pk=_entry(journey, "aware").pk).update(goal="Same")
    response = _autosave(
        strategist_client, journey, target="stage:aware", field="goal", value="Same", base=""
    )
    assert response.status_code == 200
    assert response.json()["status"] == "unchanged"


def test_autosave_saves_a_decimal_conversion(strategist_client, journey):
    response = _autosave(
        strategist_client,
        journey,
        target="stage:convert",
        field="target_conversion",
        value="12.5",
        base="",
    )
    assert response.json()["status"] == "saved"
    assert _entry(journey, "convert").target_conversion == Decimal("12.5")


def test_autosave_saves_the_journey_title_and_tactic_notes(
    strategist_client, journey, stage_tactic
):
    title = _autosave(
        strategist_client, journey, target="journey", field="title", value="New", base=journey.title
    )
    notes = _autosave(
        strategist_client,
        journey,
        target=f"tactic:{stage_tactic.pk}",
        field="notes",
        value="Weekly posts",
        base="",
    )
    assert (title.status_code, notes.status_code) == (200, 200)
    journey.refresh_from_db()
    stage_tactic.refresh_from_db()
    assert journey.title == "New"
    assert stage_tactic.notes == "Weekly posts"


def test_a_stale_autosave_is_a_conflict_carrying_their_text(strategist_client, journey):
    first = _autosave(
        strategist_client, journey, target="stage:aware", field="goal", value="Theirs", base=""
    )
    second = _autosave(
        strategist_client, journey, target="stage:aware", field="goal", value="Mine", base=""
    )
    assert first.status_code == 200
    assert second.status_code == 409
    assert second.json() | {"saved_at": ""} == {
        "status": "conflict",
        "value": "Mine",
        "theirs": "Theirs",
        "error": "",
        "shape_changed": False,
        "saved_at": "",
    }
    assert _entry(journey, "aware").goal == "Theirs"


def test_edits_to_different_fields_of_one_stage_both_survive(strategist_client, journey):
    goal = _autosave(
        strategist_client, journey, target="stage:aware", field="goal", value="Goal", base=""
    )
    notes = _autosave(
        strategist_client, journey, target="stage:aware", field="notes", value="Notes", base=""
    )
    assert (goal.status_code, notes.status_code) == (200, 200)
    entry = _entry(journey, "aware")
    assert (entry.goal, entry.notes) == ("Goal", "Notes")


@pytest.mark.parametrize("value", ["150", "-1", "abc", "12.345"])
def test_an_invalid_conversion_is_refused_with_422(strategist_client, journey, value):
    response = _autosave(
        strategist_client,
        journey,
        target="stage:convert",
        field="target_conversion",
        value=value,
        base="",
    )
    assert response.status_code == 422
    assert response.json()["status"] == "invalid"
    assert response.json()["error"]
    assert _entry(journey, "convert").target_conversion is None


@pytest.mark.parametrize("field", ["notes", "goal"])
def test_overlong_text_is_refused_with_422(strategist_client, journey, field):
    response = _autosave(
        strategist_client, journey, target="stage:aware", field=field, value="x" * 4001, base=""
    )
    assert response.status_code == 422
    assert response.json()["error"]
    assert getattr(_entry(journey, "aware"), field) == ""


def test_overlong_tactic_notes_are_refused_with_422(strategist_client, journey, stage_tactic):
    response = _autosave(
        strategist_client,
        journey,
        target=f"tactic:{stage_tactic.pk}",
        field="notes",
        value="x" * 4001,
        base="",
    )
    assert response.status_code == 422
    stage_tactic.refresh_from_db()
    assert stage_tactic.notes == ""


def test_an_overlong_metric_is_refused_with_422(strategist_client, journey):
    entry = _entry(journey, "aware")
    response = _autosave(
        strategist_client,
        journey,
        target="stage:aware",
        field="metric",
        value="m" * 201,
        base=entry.metric,
    )
    assert response.status_code == 422
    assert "at most 200 characters" in response.json()["error"]
    assert _entry(journey, "aware").metric == entry.metric


@pytest.mark.parametrize(
    ("target", "field"),
    [("stage:aware", "version"), ("stage:aware", "stage"), ("journey", "status")],
)
def test_autosave_refuses_fields_the_editor_does_not_own(strategist_client, journey, target, field):
    response = _autosave(strategist_client, journey, target=target, field=field, value="2", base="")
    assert response.status_code == 422
    journey.refresh_from_db()
    assert journey.status == "draft"
    assert _entry(journey, "aware").version == 1


@pytest.mark.parametrize("target", ["", "bogus", "stage:nope", "tactic:abc", "tactic:999999"])
def test_autosave_to_an_unknown_target_is_404(strategist_client, journey, target):
    response = _autosave(
        strategist_client, journey, target=target, field="notes", value="x", base=""
    )
    assert response.status_code == 404


def test_autosave_to_a_tactic_of_another_journey_is_404(
    strategist_client, journey, sibling_journey
):
    foreign, _ = tactic_add(
        journey_stage=_entry(sibling_journey, "aware"), tactic=_library("aware")[0]
    )
    response = _autosave(
        strategist_client, journey, target=f"tactic:{foreign.pk}", field="notes", value="x", base=""
    )
    foreign.refresh_from_db()
    assert response.status_code == 404
    assert foreign.notes == ""


def test_autosave_without_javascript_saves_and_goes_back_to_the_stage(strategist_client, journey):
    response = _autosave(
        strategist_client,
        journey,
        headers={},
        target="stage:engage",
        field="goal",
        value="Start talking",
        base="",
    )
    assert response.status_code == 302
    assert response.url == _url("journey_editor", journey) + "?stage=engage"
    assert _entry(journey, "engage").goal == "Start talking"
    assert "Saved." in strategist_client.get(response.url).text


def test_autosave_without_javascript_for_a_tactic_goes_back_to_its_stage(
    strategist_client, journey, stage_tactic
):
    response = _autosave(
        strategist_client,
        journey,
        headers={},
        target=f"tactic:{stage_tactic.pk}",
        field="notes",
        value="Plan",
        base="",
    )
    assert response.status_code == 302
    assert response.url == _url("journey_editor", journey) + "?stage=aware"


def test_autosave_without_javascript_reports_a_conflict(strategist_client, journey):
    JourneyStage.objects.filter(pk=_entry(journey, "aware").pk).update(goal="Theirs")
    response = _autosave(
        strategist_client,
        journey,
        headers={},
        target="stage:aware",
        field="goal",
        value="Mine",
        base="",
    )
    page = strategist_client.get(response.url)
    assert response.status_code == 302
    assert "Not saved: someone changed this meanwhile" in page.text
    assert "yours was: Mine" in page.text
    assert _entry(journey, "aware").goal == "Theirs"


# --- The no-JavaScript stage form


def test_stage_save_saves_all_four_fields(strategist_client, journey):
    entry = _entry(journey, "convert")
    response = strategist_client.post(
        _url("stage_save", journey, "convert"),
        {
            "goal": "First purchase",
            "base_goal": "",
            "metric": "Orders",
            "base_metric": entry.metric,
            "target_conversion": "7.5",
            "base_target_conversion": "",
            "notes": "Coupon\r\nfor week one",
            "base_notes": "",
        },
    )
    assert response.status_code == 302
    assert response.url == _url("journey_editor", journey) + "?stage=convert"
    entry.refresh_from_db()
    assert (entry.goal, entry.metric, entry.target_conversion, entry.notes) == (
        "First purchase",
        "Orders",
        Decimal("7.5"),
        "Coupon\nfor week one",
    )


def test_stage_save_with_a_stale_base_shows_both_versions(strategist_client, journey):
    JourneyStage.objects.filter(pk=_entry(journey, "aware").pk).update(goal="Their goal")
    response = strategist_client.post(
        _url("stage_save", journey, "aware"),
        {"goal": "My goal", "base_goal": "", "notes": "Kept", "base_notes": ""},
    )
    assert response.status_code == 409
    assert "Someone else changed this stage" in response.text
    assert "<pre>Their goal</pre>" in response.text
    assert "<pre>My goal</pre>" in response.text
    entry = _entry(journey, "aware")
    assert entry.goal == "Their goal"
    assert entry.notes == "Kept"


def test_stage_save_with_an_invalid_value_shows_the_field_error(strategist_client, journey):
    response = strategist_client.post(
        _url("stage_save", journey, "convert"),
        {"target_conversion": "150", "base_target_conversion": ""},
    )
    assert response.status_code == 422
    assert '<div class="field-error">' in response.text
    assert "less than or equal to 100" in response.text
    assert _entry(journey, "convert").target_conversion is None


def test_stage_save_refuses_overlong_notes(strategist_client, journey):
    response = strategist_client.post(
        _url("stage_save", journey, "aware"), {"notes": "x" * 4001, "base_notes": ""}
    )
    assert response.status_code == 422
    assert _entry(journey, "aware").notes == ""


def test_stage_save_for_an_unknown_stage_is_404(strategist_client, journey):
    assert strategist_client.post(
        _url("stage_save", journey, "nope"), {"goal": "x"}
    ).status_code == (404)
