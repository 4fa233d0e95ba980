"""Who may do what in the workshop: guests add ideas and vote but never reveal, accept, open or
close; a client votes but never edits; another agency's journey, ideas and votes are 404."""

from __future__ import annotations

import pytest
from django.urls import reverse

from journeys.services import tactic_add
from journeys.workshop.models import Ballot, Dot, Idea, IdeaStatus, VoteRound
from journeys.workshop.services import (
    idea_add,
    participant_for_user,
)
from journeys.workshop.votes import vote_open
from tests.clients import logged_in
from tests.factories import MembershipFactory
from tests.workshop.conftest import guest_browser

pytestmark = pytest.mark.django_db

FACILITATOR_URLS = [
    "workshop_reveal",
    "workshop_idea_accept",
    "workshop_idea_merge",
    "workshop_idea_set_aside",
    "workshop_settings",
    "workshop_vote_open",
    "workshop_vote_close",
    "workshop_vote_apply",
    "workshop_join_card",
    "workshop_clock",
]


def _idea(journey, strategist, name="Sizing quiz"):
    me = participant_for_user(strategist.user, facilitator=True)
    return idea_add(
        journey_stage=journey.stages.get(stage__slug="subscribe"),
        participant=me, kind="tactic", name=name, note="",
    )  # fmt: skip


def test_a_guest_adds_an_idea_through_the_short_link(journey, join):
    phone = guest_browser(join, "Ana")
    response = phone.post(
        reverse("workshop_guest_idea", args=[join.token]),
        {"stage": "convert", "kind": "tactic", "name": "Free fitting", "note": "In store"},
    )
    assert response.status_code == 200
    idea = Idea.objects.get(journey=journey)
    assert (idea.author_name, idea.name, idea.journey_stage.stage.slug) == (
        "Ana",
        "Free fitting",
        "convert",
    )
    assert idea.participant.startswith(f"g{join.live_link_id}.")


def test_a_guest_cannot_reach_the_facilitators_actions(journey, join, strategist, tactics):
    phone = guest_browser(join, "Ana")
    idea = _idea(journey, strategist)
    for name in FACILITATOR_URLS:  # a guest has no session: sent to sign in, nothing changes
        response = phone.post(
            reverse(name, args=[journey.pk]), {"idea": idea.pk, "stage": "subscribe"}
        )
        assert response.status_code == 302 and "/login/" in response["Location"], name
    assert VoteRound.objects.count() == 0
    assert Idea.objects.get(pk=idea.pk).status == IdeaStatus.NEW


def test_a_client_votes_but_cannot_facilitate_or_edit(
    journey, business, agency, strategist, tactics
):
    journey.shared_with_client = True  # clients see journeys shared with them (or final)
    journey.save(update_fields=["shared_with_client"])
    client = MembershipFactory(agency=agency, role="client", business=business)
    browser = logged_in(client)
    idea = _idea(journey, strategist)
    for name in FACILITATOR_URLS:
        assert (
            browser.post(reverse(name, args=[journey.pk]), {"idea": idea.pk}).status_code == 404
        ), name
    assert (
        browser.post(
            reverse("tactic_add", args=[journey.pk, "subscribe"]), {"custom_name": "X"}
        ).status_code
        == 404
    )
    vote_open(
        journey=journey,
        journey_stage=None,
        votes_per_person=3,
        max_per_item=2,
        anonymous=False,
        tally_hidden=True,
    )
    response = browser.post(
        reverse("workshop_vote_cast", args=[journey.pk]), {"tactic": tactics[0].pk, "dots": 2}
    )
    assert response.status_code == 200
    assert Dot.objects.get().count == 2


def test_a_guest_votes_once_however_often_the_same_click_arrives(journey, join, tactics):
    vote_open(
        journey=journey,
        journey_stage=None,
        votes_per_person=3,
        max_per_item=2,
        anonymous=False,
        tally_hidden=True,
    )
    phone = guest_browser(join, "Ana")
    url = reverse("workshop_guest_vote", args=[join.token])
    for _ in range(4):  # a double click, a retry after a reconnect…
        assert phone.post(url, {"tactic": tactics[0].pk, "dots": 1}).status_code == 200
    assert Ballot.objects.count() == 1 and Dot.objects.get().count == 1


def test_a_guest_cannot_put_more_dots_than_allowed(journey, join, tactics):
    vote_open(
        journey=journey,
        journey_stage=None,
        votes_per_person=3,
        max_per_item=2,
        anonymous=False,
        tally_hidden=True,
    )
    phone = guest_browser(join, "Ana")
    url = reverse("workshop_guest_vote", args=[join.token])
    assert "At most 2" in phone.post(url, {"tactic": tactics[0].pk, "dots": 3}).text
    phone.post(url, {"tactic": tactics[0].pk, "dots": 2})
    assert "3 dots in all" in phone.post(url, {"tactic": tactics[1].pk, "dots": 2}).text
    assert sum(Dot.objects.values_list("count", flat=True)) == 2


def test_another_agencys_ideas_and_tactics_are_missing(
    journey, join, strategist, tactics, other_agency_journey, htmx_client
):
    theirs_strategist = MembershipFactory(
        agency=other_agency_journey.business.agency, role="strategist"
    )
    foreign_idea = _idea(other_agency_journey, theirs_strategist, "Theirs")
    for name in ("workshop_idea_accept", "workshop_idea_merge", "workshop_idea_set_aside"):
        assert (
            htmx_client.post(
                reverse(name, args=[journey.pk]), {"idea": foreign_idea.pk}
            ).status_code
            == 404
        )
    for name in FACILITATOR_URLS + ["workshop_panel", "workshop_idea_add", "workshop_vote_cast"]:
        assert htmx_client.post(reverse(name, args=[other_agency_journey.pk])).status_code in (
            404,
            405,
        ), name
    their_tactic = other_agency_journey.stages.get(stage__slug="aware")
    vote_open(
        journey=journey,
        journey_stage=None,
        votes_per_person=3,
        max_per_item=2,
        anonymous=False,
        tally_hidden=True,
    )
    theirs, _ = tactic_add(journey_stage=their_tactic, custom_name="Their tactic")
    phone = guest_browser(join, "Ana")
    assert (
        phone.post(
            reverse("workshop_guest_vote", args=[join.token]), {"tactic": theirs.pk, "dots": 1}
        ).status_code
        == 404
    )
    assert (
        Idea.objects.get(pk=foreign_idea.pk).status == IdeaStatus.NEW and Dot.objects.count() == 0
    )


def test_a_revoked_link_lets_nobody_in(journey, join):
    phone = guest_browser(join, "Ana")
    join.live_link.revoke()
    assert phone.get(reverse("workshop_guest_panel", args=[join.token])).status_code == 404
    assert phone.get(reverse("workshop_join", args=[join.code])).status_code == 404
    assert (
        phone.post(
            reverse("workshop_guest_idea", args=[join.token]), {"stage": "aware", "name": "x"}
        ).status_code
        == 404
    )


def test_a_foreign_journey_panel_is_missing(other_agency_journey, htmx_client):
    assert (
        htmx_client.get(reverse("workshop_panel", args=[other_agency_journey.pk])).status_code
        == 404
    )


def test_unknown_join_codes_are_missing(client):
    for code in ("ZZZZZZZZ", "x", "A" * 12, "%00"):
        assert client.get(f"/j/{code}/").status_code == 404
