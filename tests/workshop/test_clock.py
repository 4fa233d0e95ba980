"""One clock for the room: every participant's panel shows the session clock and the agenda's
timebox running now; only the facilitator starts, pauses and extends it, and each of those
tells every open page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from journeys.models import Journey
from journeys.workshop.clock import EXTEND_SECONDS, clock_extend, clock_toggle, room_slots
from journeys.workshop.services import room_for
from tests.workshop.conftest import guest_browser

pytestmark = pytest.mark.django_db


def test_the_slots_follow_the_agenda_and_an_extension_moves_the_later_ones(journey):
    before = room_slots(journey, room_for(journey))
    assert [s.name for s in before[:3]] == ["Intro & goals", "1. Aware", "2. Engage"]
    assert before[0].end == 15 * 60  # a three-hour session's intro
    Journey.objects.filter(pk=journey.pk).update(session_elapsed_seconds=before[1].end - 60)
    journey.refresh_from_db()
    clock_toggle(journey=journey)
    extended = clock_extend(journey=Journey.objects.get(pk=journey.pk))
    assert extended.slug == "aware"
    after = room_slots(journey, room_for(journey))
    assert after[0].end == before[0].end
    assert [a.end - b.end for a, b in zip(after[1:], before[1:], strict=True)] == [
        EXTEND_SECONDS
    ] * 8


def test_start_and_extend_reach_every_page(journey, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        clock_toggle(journey=journey)
    assert len(callbacks) == 1  # the "clock" part, after commit
    assert Journey.objects.get(pk=journey.pk).session_running_since is not None


def test_a_guest_sees_the_clock_but_has_no_controls(journey, join, htmx_client):
    htmx_client.post(reverse("workshop_clock", args=[journey.pk]), {"action": "toggle"})
    phone = guest_browser(join, "Ana")
    page = phone.get(reverse("workshop_guest_panel", args=[join.token]) + "?part=clock").text
    assert 'data-running="1"' in page and "Intro &amp; goals" in page
    assert "data-clock-toggle" not in page
    facilitator = htmx_client.get(reverse("workshop_panel", args=[journey.pk])).text
    assert "data-clock-toggle" in facilitator
    assert "data-clock-extend" not in facilitator  # the intro has no timebox to extend


def test_the_intro_has_no_timebox_to_extend(journey):
    assert clock_extend(journey=journey) is None
    assert room_for(journey).extensions == {}
