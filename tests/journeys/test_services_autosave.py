"""Services for the multi-step writes: field_save (the three-way autosave) and the session clock."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from journeys import services
from journeys.models import Journey, JourneyStage
from journeys.services import field_save
from journeys.session_clock import session_elapsed, session_reset, session_toggle
from tests.journeys.services_support import (
    add_custom,
    entry,
    version_of,
)

pytestmark = pytest.mark.django_db


# --- field_save: the three-way autosave


def test_save_from_the_stored_value_is_saved_and_bumps_versions(journey):
    convert = entry(journey, "convert")
    before = version_of(journey)
    result = field_save(
        row=convert, field="goal", value="Book a $19 room", base="", journey_id=journey.pk
    )
    assert (result.status, result.value, result.error) == ("saved", "Book a $19 room", "")
    convert.refresh_from_db()
    assert convert.goal == "Book a $19 room"
    assert convert.version == 2
    assert version_of(journey) == before + 1


def test_save_of_the_value_already_stored_is_unchanged(journey):
    convert = entry(journey, "convert")
    JourneyStage.objects.filter(pk=convert.pk).update(goal="Same words")
    before = version_of(journey)
    result = field_save(
        row=convert, field="goal", value="Same words", base="Older words", journey_id=journey.pk
    )
    assert (result.status, result.value) == ("unchanged", "Same words")
    convert.refresh_from_db()
    assert convert.version == 1
    assert version_of(journey) == before


def test_stale_save_returns_conflict_with_their_text(journey):
    convert = entry(journey, "convert")
    JourneyStage.objects.filter(pk=convert.pk).update(goal="Their version")
    before = version_of(journey)
    result = field_save(
        row=convert, field="goal", value="My version", base="Original", journey_id=journey.pk
    )
    assert (result.status, result.value, result.theirs) == (
        "conflict",
        "My version",
        "Their version",
    )
    convert.refresh_from_db()
    assert convert.goal == "Their version"
    assert version_of(journey) == before


def test_different_fields_of_one_row_never_conflict(journey):
    convert = entry(journey, "convert")
    loaded_goal = convert.goal
    notes = field_save(
        row=convert, field="notes", value="Colleague's notes", base="", journey_id=journey.pk
    )
    goal = field_save(
        row=convert, field="goal", value="My goal", base=loaded_goal, journey_id=journey.pk
    )
    assert (notes.status, goal.status) == ("saved", "saved")
    convert.refresh_from_db()
    assert (convert.goal, convert.notes) == ("My goal", "Colleague's notes")
    assert convert.version == 3


def test_text_over_4000_characters_is_invalid_and_not_stored(journey):
    convert = entry(journey, "convert")
    result = field_save(row=convert, field="goal", value="x" * 4001, base="", journey_id=journey.pk)
    assert result.status == "invalid"
    assert "4000" in result.error
    convert.refresh_from_db()
    assert convert.goal == ""


def test_text_of_exactly_4000_characters_is_saved(journey):
    convert = entry(journey, "convert")
    result = field_save(
        row=convert, field="notes", value="y" * 4000, base="", journey_id=journey.pk
    )
    assert result.status == "saved"
    convert.refresh_from_db()
    assert len(convert.notes) == 4000


def test_metric_over_200_characters_is_invalid_and_not_stored(journey):
    convert = entry(journey, "convert")
    metric = convert.metric
    result = field_save(
        row=convert, field="metric", value="m" * 201, base=metric, journey_id=journey.pk
    )
    assert result.status == "invalid"
    assert "at most 200 characters" in result.error
    convert.refresh_from_db()
    assert convert.metric == metric


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("abc", "must be a decimal number"),
        ("150", "less than or equal to 100"),
        ("-1", "greater than or equal to 0"),
    ],
)
def test_invalid_conversion_is_reported_and_not_stored(journey, value, message):
    convert = entry(journey, "convert")
    before = version_of(journey)
    result = field_save(
        row=convert, field="target_conversion", value=value, base="", journey_id=journey.pk
    )
    assert result.status == "invalid"
    assert message in result.error
    convert.refresh_from_db()
    assert convert.target_conversion is None
    assert version_of(journey) == before


@pytest.mark.parametrize("field", ["stage", "version", "journey", "updated_at"])
def test_fields_outside_the_autosave_list_are_refused(journey, field):
    convert = entry(journey, "convert")
    result = field_save(row=convert, field=field, value="1", base="", journey_id=journey.pk)
    assert result.status == "invalid"
    assert result.error == "This field cannot be edited here."


def test_models_outside_the_autosave_list_are_refused(journey):
    result = field_save(
        row=journey.core_offer, field="price", value="1", base="129", journey_id=journey.pk
    )
    assert result.status == "invalid"
    journey.core_offer.refresh_from_db()
    assert journey.core_offer.price == Decimal("129.00")


def test_journey_status_is_not_autosaved(journey):
    result = field_save(
        row=journey, field="status", value="final", base="draft", journey_id=journey.pk
    )
    assert result.status == "invalid"
    journey.refresh_from_db()
    assert journey.status == "draft"


def test_html_is_stored_verbatim(journey):
    convert = entry(journey, "convert")
    markup = '<script>alert("x")</script> & <b>bold</b>'
    result = field_save(row=convert, field="notes", value=markup, base="", journey_id=journey.pk)
    assert result.status == "saved"
    assert result.value == markup
    convert.refresh_from_db()
    assert convert.notes == markup


def test_crlf_line_endings_are_normalised_to_lf(journey):
    convert = entry(journey, "convert")
    result = field_save(
        row=convert, field="notes", value="line one\r\nline two", base="", journey_id=journey.pk
    )
    assert result.value == "line one\nline two"
    convert.refresh_from_db()
    assert convert.notes == "line one\nline two"
    again = field_save(
        row=convert,
        field="notes",
        value="line one\r\nline two\r\nthree",
        base="line one\r\nline two",
        journey_id=journey.pk,
    )
    assert again.status == "saved"


def test_decimal_base_with_trailing_zero_matches_the_stored_value(journey):
    convert = entry(journey, "convert")
    JourneyStage.objects.filter(pk=convert.pk).update(target_conversion=Decimal("12.5"))
    result = field_save(
        row=convert, field="target_conversion", value="20", base="12.50", journey_id=journey.pk
    )
    assert (result.status, result.value) == ("saved", "20")
    convert.refresh_from_db()
    assert convert.target_conversion == Decimal("20")


def test_clearing_a_conversion_stores_null(journey):
    convert = entry(journey, "convert")
    JourneyStage.objects.filter(pk=convert.pk).update(target_conversion=Decimal("85"))
    result = field_save(
        row=convert, field="target_conversion", value="", base="85", journey_id=journey.pk
    )
    assert (result.status, result.value) == ("saved", "")
    convert.refresh_from_db()
    assert convert.target_conversion is None


def test_journey_title_autosave_updates_the_title_and_version(journey):
    before = version_of(journey)
    result = field_save(
        row=journey, field="title", value="New title", base=journey.title, journey_id=journey.pk
    )
    assert result.status == "saved"
    journey.refresh_from_db()
    assert journey.title == "New title"
    assert journey.version > before


def test_stage_tactic_notes_autosave_bumps_the_journey(journey):
    (stage_tactic,) = add_custom(entry(journey, "aware"), "Yard signs")
    before = version_of(journey)
    result = field_save(
        row=stage_tactic, field="notes", value="48 hours", base="", journey_id=journey.pk
    )
    assert result.status == "saved"
    stage_tactic.refresh_from_db()
    assert (stage_tactic.notes, stage_tactic.version) == ("48 hours", 2)
    assert version_of(journey) == before + 1


def test_field_text_shows_decimals_without_exponent_or_trailing_zeros():
    assert services.field_text(Decimal("100.00")) == "100"
    assert services.field_text(Decimal("12.50")) == "12.5"
    assert services.field_text(None) == ""


# --- the session clock


def test_elapsed_counts_banked_seconds_plus_the_running_stretch(journey):
    start = timezone.now() - timedelta(minutes=5)
    journey.session_elapsed_seconds = 30
    journey.session_running_since = start
    assert session_elapsed(journey, now=start + timedelta(seconds=90)) == 120
    assert 330 <= session_elapsed(journey) <= 335


def test_elapsed_of_a_paused_clock_is_the_banked_time(journey):
    journey.session_elapsed_seconds = 42
    journey.session_running_since = None
    assert session_elapsed(journey) == 42


def test_elapsed_never_goes_negative_when_the_start_is_in_the_future(journey):
    journey.session_elapsed_seconds = 10
    journey.session_running_since = timezone.now() + timedelta(minutes=1)
    assert session_elapsed(journey) == 10


def test_toggle_starts_the_clock_and_moves_a_draft_into_session(journey):
    started = session_toggle(journey=journey)
    journey.refresh_from_db()
    assert journey.status == "in_session"
    assert journey.session_running_since is not None
    assert abs((timezone.now() - journey.session_running_since).total_seconds()) < 5
    assert started.session_running_since == journey.session_running_since


def test_toggle_pauses_and_banks_the_time_run(journey):
    Journey.objects.filter(pk=journey.pk).update(
        session_elapsed_seconds=10,
        session_running_since=timezone.now() - timedelta(seconds=60),
        status="in_session",
    )
    paused = session_toggle(journey=journey)
    journey.refresh_from_db()
    assert journey.session_running_since is None
    assert 70 <= journey.session_elapsed_seconds <= 75
    assert paused.session_elapsed_seconds == journey.session_elapsed_seconds
    assert session_elapsed(journey) == journey.session_elapsed_seconds


def test_starting_the_clock_keeps_a_final_journey_final(journey):
    Journey.objects.filter(pk=journey.pk).update(status="final")
    session_toggle(journey=journey)
    journey.refresh_from_db()
    assert journey.status == "final"
    assert journey.session_running_since is not None


def test_reset_clears_the_clock(journey):
    Journey.objects.filter(pk=journey.pk).update(
        session_elapsed_seconds=500, session_running_since=timezone.now()
    )
    session_reset(journey=journey)
    journey.refresh_from_db()
    assert (journey.session_elapsed_seconds, journey.session_running_since) == (0, None)
    assert session_elapsed(journey) == 0
