"""The Plan view: every tactic as a sortable, editable table; CSV; summary; gaps to plan."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from cvj.csvsafe import csv_safe
from cvj.models import Agency
from journeys.models import Export, Journey, StageTactic
from journeys.services import tactic_add
from tests.clients import HTMX_HEADERS

pytestmark = pytest.mark.django_db


def stage(journey, slug):
    return journey.stages.select_related("stage").get(stage__slug=slug)


@pytest.fixture
def planned(journey):
    a, _ = tactic_add(journey_stage=stage(journey, "aware"), custom_name="Door hangers")
    b, _ = tactic_add(journey_stage=stage(journey, "convert"), custom_name="=HYPERLINK(1)")
    a.monthly_budget, a.horizon, a.owner_side = Decimal("300"), "next", "client"
    a.save()
    b.monthly_budget, b.horizon = Decimal("50"), "now"
    b.save()
    return journey


def test_plan_lists_every_tactic_sorted_by_the_chosen_column(strategist_client, planned):
    url = reverse("journey_plan", args=[planned.pk])
    body = strategist_client.get(url).content.decode()
    assert body.index("=HYPERLINK(1)") < body.index("Door hangers")  # now before next
    body = strategist_client.get(url, {"sort": "budget", "dir": "desc"}).content.decode()
    assert body.index("Door hangers") < body.index("=HYPERLINK(1)")
    assert 'aria-sort="descending"' in body


def test_inline_edit_saves_one_row_and_answers_with_its_status(htmx_client, planned):
    tactic = StageTactic.objects.get(custom_name="Door hangers")
    version = Journey.objects.get(pk=planned.pk).version
    p = f"t{tactic.pk}"
    response = htmx_client.post(
        reverse("plan_item_save", args=[planned.pk, tactic.pk]),
        {
            f"{p}-owner_side": "agency",
            f"{p}-owner_name": "Maya",
            f"{p}-start_date": "2027-01-04",
            f"{p}-monthly_budget": "120.50",
            f"{p}-horizon": "now",
            f"{p}-plan_status": "in_progress",
        },
    )
    assert response.status_code == 200 and response.content.decode().strip() == "Saved"
    tactic.refresh_from_db()
    assert (tactic.owner_side, tactic.owner_name, str(tactic.start_date)) == (
        "agency",
        "Maya",
        "2027-01-04",
    )
    assert tactic.monthly_budget == Decimal("120.50") and tactic.plan_status == "in_progress"
    assert Journey.objects.get(pk=planned.pk).version > version


def test_bad_plan_input_is_a_clear_message_not_a_500(htmx_client, planned):
    tactic = StageTactic.objects.get(custom_name="Door hangers")
    p = f"t{tactic.pk}"
    response = htmx_client.post(
        reverse("plan_item_save", args=[planned.pk, tactic.pk]),
        {f"{p}-monthly_budget": "-5", f"{p}-start_date": "someday", f"{p}-plan_status": "x"},
    )
    text = response.content.decode()
    assert response.status_code == 200 and "Saved" not in text
    assert "Start date" in text or "date" in text.lower()
    tactic.refresh_from_db()
    assert tactic.monthly_budget == Decimal("300")


def test_another_agencys_tactic_looks_missing(strategist_client, planned, other_agency_journey):
    foreign, _ = tactic_add(
        journey_stage=stage(other_agency_journey, "aware"), custom_name="Theirs"
    )
    assert (
        strategist_client.get(reverse("journey_plan", args=[other_agency_journey.pk])).status_code
        == 404
    )
    response = strategist_client.post(
        reverse("plan_item_save", args=[planned.pk, foreign.pk]), {}, headers=HTMX_HEADERS
    )
    assert response.status_code == 404


def test_csv_export_has_every_tactic_and_defuses_formulas(strategist_client, planned):
    response = strategist_client.get(reverse("journey_plan_csv", args=[planned.pk]))
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:3] == ["Stage", "Tactic", "Channel"]
    names = [row[1] for row in rows[1:]]
    assert "Door hangers" in names and "'=HYPERLINK(1)" in names
    assert csv_safe("-12.5") == "-12.5" and csv_safe("@SUM(A1)") == "'@SUM(A1)"
    assert csv_safe("+1 555") == "'+1 555"


def test_summary_and_priorities_take_only_this_journeys_tactics(
    strategist_client, planned, other_agency_journey
):
    mine = StageTactic.objects.get(custom_name="Door hangers")
    response = strategist_client.post(
        reverse("plan_summary_save", args=[planned.pk]),
        {
            "summary": "First para.\n\n- one\n- two",
            "priority_1": str(mine.pk),
            "priority_2": "999999",
        },
    )
    # an unknown id is not a valid choice: a field error, and nothing is saved
    assert response.status_code == 422 and "Select a valid choice" in response.content.decode()
    planned.refresh_from_db()
    assert planned.priorities == []
    strategist_client.post(
        reverse("plan_summary_save", args=[planned.pk]),
        {"summary": "First para.\n\n- one\n- two", "priority_1": str(mine.pk)},
    )
    planned.refresh_from_db()
    assert planned.summary.startswith("First para.") and planned.priorities == [mine.pk]


def test_a_gap_becomes_a_plan_step_in_one_click(strategist_client, journey):
    response = strategist_client.post(
        reverse("plan_add_gap", args=[journey.pk]), {"rule": "empty_stage", "stage": "engage"}
    )
    assert response.status_code == 302
    added = StageTactic.objects.get(
        journey_stage__journey=journey, journey_stage__stage__slug="engage"
    )
    assert added.horizon == "now" and added.owner_side == "agency"
    again = strategist_client.post(
        reverse("plan_add_gap", args=[journey.pk]), {"rule": "empty_stage", "stage": "engage"}
    )
    assert again.status_code == 404  # closed: nothing to add twice


def test_last_good_pdf_stays_downloadable_while_the_next_fails(strategist_client, journey):
    good = Export.objects.create(journey=journey, journey_version=1, snapshot={}, status="done")
    good.file.save("x.pdf", ContentFile(b"%PDF-1.7 good"))
    Export.objects.create(
        journey=journey, journey_version=2, snapshot={}, status="failed", error="Boom"
    )
    body = strategist_client.get(reverse("export_status", args=[journey.pk])).content.decode()
    assert "Boom" in body and reverse("export_download", args=[good.pk]) in body
    download = strategist_client.get(reverse("export_download", args=[good.pk]))
    assert b"".join(download.streaming_content) == b"%PDF-1.7 good"


def test_agency_brand_colour_is_validated(client, agency_admin):
    client.force_login(agency_admin.user)
    url = reverse("agency_settings")
    bad = client.post(url, {"name": "Northstar", "brand_color": "red; x", "paper_size": "A4"})
    assert bad.status_code == 422 and "hex colour" in bad.content.decode()
    ok = client.post(url, {"name": "Northstar", "brand_color": "#E8590C", "paper_size": "letter"})
    assert ok.status_code == 302
    agency = Agency.objects.get(pk=agency_admin.agency_id)
    assert (agency.brand_color, agency.paper_size) == ("#e8590c", "letter")


def test_next_meeting_and_next_steps_are_saved_from_the_summary_form(strategist_client, planned):
    response = strategist_client.post(
        reverse("plan_summary_save", args=[planned.pk]),
        {
            "summary": "Kept.",
            "next_meeting_at": "2027-01-12T10:30",
            "next_steps": "We send the ad copy on Friday.\n\n- Share your logo",
        },
    )
    assert response.status_code == 302
    before = planned.version
    planned.refresh_from_db()
    assert planned.next_meeting_at is not None
    assert planned.next_meeting_at.strftime("%Y-%m-%d") == "2027-01-12"
    assert planned.next_steps.startswith("We send the ad copy") and planned.summary == "Kept."
    assert planned.version > before
    page = strategist_client.get(reverse("journey_plan", args=[planned.pk])).content.decode()
    assert 'value="2027-01-12T10:30"' in page and "We send the ad copy on Friday." in page


def test_a_bad_next_meeting_is_a_field_error_and_saves_nothing(
    strategist_client, htmx_client, planned
):
    url = reverse("plan_summary_save", args=[planned.pk])
    bad = {"summary": "Changed", "next_meeting_at": "next tuesday-ish", "next_steps": "x"}
    response = strategist_client.post(url, bad)
    assert response.status_code == 422
    page = response.content.decode()
    assert "errorlist" in page and "Enter a valid date/time." in page
    assert 'value="next tuesday-ish"' in page  # the page keeps what was typed
    answer = htmx_client.post(url, bad).content.decode()
    assert "Next meeting: Enter a valid date/time." in answer
    planned.refresh_from_db()
    assert planned.summary != "Changed" and planned.next_meeting_at is None


def test_a_summary_saved_without_the_ending_keeps_it(journey):
    """Callers that only set the summary and priorities (the vote's result) never wipe the next
    meeting or the next steps."""
    from datetime import UTC, datetime

    from journeys.planning import plan_summary_update

    meeting = datetime(2027, 1, 12, 10, 30, tzinfo=UTC)
    plan_summary_update(
        journey=journey, summary="First", priorities=[], next_meeting_at=meeting, next_steps="Call"
    )
    plan_summary_update(journey=journey, summary="Second", priorities=[])
    journey.refresh_from_db()
    assert (journey.summary, journey.next_meeting_at, journey.next_steps) == (
        "Second",
        meeting,
        "Call",
    )
    plan_summary_update(journey=journey, summary="Third", priorities=[], next_meeting_at=None)
    journey.refresh_from_db()
    assert journey.next_meeting_at is None and journey.next_steps == "Call"
