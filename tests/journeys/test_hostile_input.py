"""Odd input gets a clear answer, never a 500 — and never a half-done change.

NUL bytes (PostgreSQL cannot store them), digits `int()` refuses ("²"), numbers too big for
the database, page numbers past any OFFSET, and the fence around Django admin. The grid over
every endpoint is tests/test_fuzz.py; these pin the user-visible answers.
"""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cvj.parsing import (
    MAX_PAGE,
    TEXT_ERROR,
    id_or_404,
    int_in_range,
    page_number,
    parse_int,
    search_text,
)
from journeys.deliverable.sharing import journey_finalize
from journeys.models import Journey, JourneyStage, ShareLink, StageTactic
from journeys.services import tactic_add
from journeys.session_clock import session_toggle
from stages.models import Tactic
from tests.clients import HTMX_HEADERS
from tests.factories import BusinessFactory, make_journey
from tests.journeys.editor_support import AUTOSAVE

pytestmark = pytest.mark.django_db

NUL = "Local pet\x00 owners"
HUGE = "1234567890" * 4


# --- The one parser ------------------------------------------------------------------------


@pytest.mark.parametrize("raw", ["²", "٣", "-1", "1e309", "NaN", "Infinity", HUGE, "", " 7", None])
def test_only_ascii_digits_within_bigint_are_integers(raw):
    assert parse_int(raw) is None


def test_ids_pages_and_counts_are_bounded():
    assert parse_int("42") == 42
    assert parse_int(str(2**63 - 1)) == 2**63 - 1
    assert parse_int(str(2**63)) is None
    assert page_number(HUGE) == 1
    assert page_number("999999999") == MAX_PAGE
    assert page_number("0") == 1
    assert int_in_range("²", default=14, minimum=1, maximum=90) == 14
    assert int_in_range("900", default=14, minimum=1, maximum=90) == 90
    with pytest.raises(Exception, match="No such object"):
        id_or_404("²")


def test_search_text_drops_what_cannot_be_matched():
    assert search_text("  pet\x00 owners \ud800 ") == "pet owners"
    assert search_text("x" * 500) == "x" * 100
    assert search_text(None) == ""


# --- Text that cannot be stored ------------------------------------------------------------


@pytest.fixture
def stage_tactic(journey) -> StageTactic:
    entry = JourneyStage.objects.get(journey=journey, stage__slug="aware")
    added, _ = tactic_add(journey_stage=entry, custom_name="Flyers")
    return added


@pytest.mark.parametrize(
    ("target", "field"),
    [("journey", "title"), ("stage:engage", "goal"), ("stage:aware", "notes"), (None, "notes")],
)
def test_autosave_refuses_nul_with_a_422_the_editor_shows(
    strategist_client, journey, stage_tactic, target, field
):
    target = target or f"tactic:{stage_tactic.pk}"
    journey.refresh_from_db()
    version = journey.version
    response = strategist_client.post(
        reverse("journey_autosave", args=[journey.pk]),
        {"target": target, "field": field, "value": NUL, "base": ""},
        headers=AUTOSAVE,
    )
    assert response.status_code == 422
    assert response.json()["status"] == "invalid"
    assert response.json()["error"] == TEXT_ERROR
    journey.refresh_from_db()
    assert journey.version == version


def test_autosave_of_an_unreadable_tactic_id_is_a_404(strategist_client, journey):
    for key in ("²", "٣x", HUGE, "-1"):
        response = strategist_client.post(
            reverse("journey_autosave", args=[journey.pk]),
            {"target": f"tactic:{key}", "field": "notes", "value": "x", "base": ""},
            headers=AUTOSAVE,
        )
        assert response.status_code == 404, key


def test_the_stage_form_refuses_nul_on_its_field(strategist_client, journey):
    url = reverse("stage_save", args=[journey.pk, "aware"])
    response = strategist_client.post(url, {"goal": NUL, "base_goal": ""})
    assert response.status_code == 422
    assert "cannot be stored" in response.text
    assert JourneyStage.objects.get(journey=journey, stage__slug="aware").goal == ""


@pytest.mark.parametrize("headers", [{}, HTMX_HEADERS], ids=["plain", "htmx"])
def test_a_custom_tactic_named_with_nul_is_refused(strategist_client, journey, headers):
    url = reverse("tactic_add", args=[journey.pk, "aware"])
    response = strategist_client.post(url, {"custom_name": NUL}, headers=headers)
    assert response.status_code == (200 if headers else 422)
    assert "cannot be stored" in response.text
    assert not StageTactic.all_objects.filter(journey_stage__journey=journey).exists()


@pytest.mark.parametrize("headers", [{}, HTMX_HEADERS], ids=["plain", "htmx"])
def test_a_share_link_label_with_nul_is_refused_on_the_field(strategist_client, journey, headers):
    url = reverse("share_link_create", args=[journey.pk])
    response = strategist_client.post(url, {"label": NUL, "days": "7"}, headers=headers)
    assert response.status_code == (200 if headers else 422)
    assert 'id="share-label-error"' in response.text
    assert "cannot be stored" in response.text
    assert not ShareLink.objects.exists()


@pytest.mark.parametrize("days", ["²", "٣", HUGE, "1e309", "-1"])
def test_share_link_days_fall_back_or_clamp(htmx_client, journey, days):
    url = reverse("share_link_create", args=[journey.pk])
    response = htmx_client.post(url, {"days": days})
    assert response.status_code == 200
    link = ShareLink.objects.get()
    assert timedelta(days=1) < link.expires_at - timezone.now() <= timedelta(days=90)


def test_the_agency_name_refuses_nul(client, agency_admin):
    client.force_login(agency_admin.user)
    response = client.post(reverse("agency_settings"), {"name": NUL})
    assert response.status_code == 422
    assert "cannot be stored" in response.text
    agency_admin.agency.refresh_from_db()
    assert "\x00" not in agency_admin.agency.name


def test_model_forms_refuse_nul_on_the_field(strategist_client, business):
    response = strategist_client.post(
        reverse("business_edit", args=[business.pk]), {"name": "Acme", "notes": NUL, "kind": "b2c"}
    )
    assert response.status_code == 200
    assert "Null characters are not allowed" in response.text
    business.refresh_from_db()
    assert business.notes == ""


def test_every_user_text_column_is_checked_by_full_clean(journey):
    journey.title = NUL
    with pytest.raises(Exception, match="cannot be stored") as caught:
        journey.full_clean()
    assert list(caught.value.message_dict) == ["title"]
    tactic = Tactic(stage=journey.stages.first().stage, name="ok\ud800", channel="social")
    with pytest.raises(Exception, match="cannot be stored"):
        tactic.full_clean()


@pytest.mark.parametrize(
    "url_name", ["home", "business_list", "journey_editor", "tactic_search"], ids=str
)
def test_search_boxes_never_break_on_nul(strategist_client, journey, url_name):
    args = {"journey_editor": [journey.pk], "tactic_search": [journey.pk, "aware"]}
    url = reverse(url_name, args=args.get(url_name, []))
    for query in ("pet\x00owners", "\x00", "%ED%A0%80"):
        assert strategist_client.get(url, {"q": query}).status_code == 200


# --- Unreadable digits and out-of-range numbers --------------------------------------------


@pytest.mark.parametrize("value", ["²", "٣", HUGE, "-1", "1e309"])
def test_reordering_with_an_unreadable_id_is_refused_and_changes_nothing(
    htmx_client, journey, stage_tactic, value
):
    url = reverse("tactic_reorder", args=[journey.pk, "aware"])
    version = Journey.objects.get(pk=journey.pk).version
    response = htmx_client.post(url, {"order": [str(stage_tactic.pk), value]})
    assert response.status_code == 200
    assert "not in this list" in response.text
    assert Journey.objects.get(pk=journey.pk).version == version


@pytest.mark.parametrize("value", ["²", HUGE, "0"])
def test_adding_an_unreadable_tactic_or_offer_id_is_a_404(strategist_client, journey, value):
    tactic = reverse("tactic_add", args=[journey.pk, "aware"])
    offer = reverse("offer_attach", args=[journey.pk, "subscribe"])
    assert strategist_client.post(tactic, {"tactic": value}).status_code == 404
    assert strategist_client.post(offer, {"offer": value}).status_code == 404


@pytest.mark.parametrize("value", ["²", HUGE])
def test_clone_and_new_journey_ignore_an_unreadable_business(strategist_client, journey, value):
    clone = reverse("journey_clone", args=[journey.pk])
    assert strategist_client.get(clone, {"business": value}).status_code == 200
    assert strategist_client.get(reverse("journey_new"), {"business": value}).status_code == 200


@pytest.mark.parametrize("page", [HUGE, "999999999999999999999999999999", "²", "-3", "1e309"])
def test_any_page_number_answers_a_page(strategist_client, journey, page):
    for url_name in ("home", "business_list"):
        response = strategist_client.get(reverse(url_name), {"page": page})
        assert response.status_code == 200, url_name


# --- The session clock ---------------------------------------------------------------------


def test_finalizing_with_a_running_clock_keeps_the_elapsed_time(journey, strategist):
    session_toggle(journey=journey)  # start
    Journey.objects.filter(pk=journey.pk).update(
        session_elapsed_seconds=600,
        session_running_since=timezone.now() - timedelta(minutes=30),
    )
    journey_finalize(journey=journey, user=strategist.user)
    journey.refresh_from_db()
    assert journey.session_running_since is None
    assert 600 + 30 * 60 <= journey.session_elapsed_seconds <= 600 + 30 * 60 + 5


def test_finalizing_through_the_page_with_a_running_clock_keeps_the_time(htmx_client, journey):
    for entry in journey.stages.all():  # a journey is finalized once every stage has a tactic
        tactic_add(journey_stage=entry, custom_name=f"Tactic for {entry.stage_id}")
    Journey.objects.filter(pk=journey.pk).update(
        session_running_since=timezone.now() - timedelta(minutes=30)
    )
    response = htmx_client.post(
        reverse("journey_status", args=[journey.pk]), {"action": "finalize"}
    )
    assert response.status_code == 200
    journey.refresh_from_db()
    assert journey.status == "final"
    assert journey.session_elapsed_seconds >= 30 * 60


# --- Django admin is for operators ---------------------------------------------------------


def test_django_admin_answers_superusers_only(agency_admin):
    staff = agency_admin.user
    staff.is_staff = True  # even a staff flag does not open it to an agency member
    staff.save()
    browser = Client()
    browser.force_login(staff)
    assert browser.get("/admin/").status_code == 302
    assert browser.get("/admin/journeys/journey/").status_code == 302
    operator = get_user_model().objects.create_superuser("operator", "op@example.com", "x")
    browser.force_login(operator)
    assert browser.get("/admin/journeys/journey/").status_code == 200


def test_the_demo_admin_is_an_agency_admin_not_a_superuser():
    call_command("seed_demo", stdout=StringIO())
    admin = get_user_model().objects.get(username="admin")
    assert (admin.is_staff, admin.is_superuser) == (False, False)
    assert admin.membership.role == "admin"
    # An install seeded by an older version is corrected on the next seed.
    get_user_model().objects.filter(pk=admin.pk).update(is_staff=True, is_superuser=True)
    call_command("seed_demo", stdout=StringIO())
    admin.refresh_from_db()
    assert (admin.is_staff, admin.is_superuser) == (False, False)
    browser = Client()
    browser.force_login(admin)
    assert browser.get("/admin/").status_code == 302


def test_a_rival_agency_journey_is_not_reached_through_admin(agency_admin):
    rival = make_journey(business=BusinessFactory(name="Rival Co"), title="Rival plan")
    browser = Client()
    browser.force_login(agency_admin.user)
    response = browser.get(f"/admin/journeys/journey/{rival.pk}/change/")
    assert response.status_code == 302
    assert "Rival plan" not in response.text
