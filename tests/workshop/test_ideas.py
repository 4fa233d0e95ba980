"""Ideas from the room: hostile text stays inert, a flood is refused, the short link lands on
the stage the facilitator leads, and ideas stay private until their stage is revealed."""

from __future__ import annotations

import pytest
from django.urls import reverse

from journeys.live.presence import set_follow_state
from journeys.workshop.models import Idea
from journeys.workshop.services import (
    IDEAS_PER_MINUTE,
    ideas_for,
    ideas_reveal,
    participant_for_guest,
    participant_for_user,
)
from tests.workshop.conftest import guest_browser

pytestmark = pytest.mark.django_db


def _post_idea(phone, join, name, note=""):
    url = reverse("workshop_guest_idea", args=[join.token])
    return phone.post(url, {"stage": "subscribe", "kind": "tactic", "name": name, "note": note})


def test_hostile_text_is_stored_inert_or_refused(journey, join):
    phone = guest_browser(join, "<b>Mallory</b>")
    page = _post_idea(phone, join, '<script>alert("x")</script> quiz', "<img src=x onerror=y>")
    assert "<script>alert" not in page.text and "&lt;script&gt;alert" in page.text
    assert "<img src=x" not in page.text
    assert "&lt;b&gt;Mallory" in phone.get(reverse("workshop_guest_panel", args=[join.token])).text
    refused = _post_idea(phone, join, "nul\x00byte")
    assert refused.status_code == 200 and 'role="alert"' in refused.text
    assert list(Idea.objects.values_list("name", flat=True)) == ['<script>alert("x")</script> quiz']


def test_a_flood_of_ideas_is_refused(journey, join):
    phone = guest_browser(join, "Ana")
    # (a new device: a fresh counter, whatever earlier runs left in the cache)
    for n in range(IDEAS_PER_MINUTE):
        assert 'role="alert"' not in _post_idea(phone, join, f"Idea {n}").text
    assert "very fast" in _post_idea(phone, join, "One more").text
    assert Idea.objects.count() == IDEAS_PER_MINUTE


def test_the_short_link_lands_on_the_stage_the_facilitator_leads(client, journey, join):
    set_follow_state(journey.pk, {"id": "x", "user_id": 1, "name": "Sam", "stage": "convert"})
    try:
        response = client.get(reverse("workshop_join", args=[join.code.lower()]))
    finally:
        set_follow_state(journey.pk, None)
    assert response.status_code == 302
    assert response["Location"].endswith(f"/l/{join.token}/#stage-convert")


def test_ideas_stay_with_their_author_until_the_stage_is_revealed(journey, join, strategist):
    ana = participant_for_guest(join.live_link, "device-a", "Ana")
    ben = participant_for_guest(join.live_link, "device-b", "Ben")
    facilitator = participant_for_user(strategist.user, facilitator=True)
    phone = guest_browser(join, "Ana")
    _post_idea(phone, join, "Ana's quiz")
    mine = Idea.objects.get()
    ana = participant_for_guest(join.live_link, mine.participant.split(".", 1)[1], "Ana")
    assert [i.name for i in ideas_for(journey, ana)] == ["Ana's quiz"]
    assert ideas_for(journey, ben) == [] and ideas_for(journey, facilitator) == []
    ideas_reveal(journey_stage=journey.stages.get(stage__slug="subscribe"))
    assert [i.name for i in ideas_for(journey, ben)] == ["Ana's quiz"]
    assert [i.name for i in ideas_for(journey, facilitator)] == ["Ana's quiz"]
