"""What the deliverable can read from the workshop: the tactics the team suggested (credited
"from your team") and what the team chose in its last vote."""

from __future__ import annotations

import pytest
from django.urls import reverse

from journeys.workshop.services import (
    idea_accept,
    idea_add,
    participant_for_guest,
    team_credits,
)
from journeys.workshop.votes import team_choice, vote_cast, vote_close, vote_open

pytestmark = pytest.mark.django_db


def test_accepted_ideas_are_credited_to_their_authors(journey, join):
    ana = participant_for_guest(join.live_link, "device-a", "Ana")
    stage = journey.stages.get(stage__slug="convert")
    idea = idea_add(journey_stage=stage, participant=ana, kind="tactic", name="Free fitting",
                    note="In store, 15 minutes")  # fmt: skip
    idea_add(journey_stage=stage, participant=ana, kind="tactic", name="Not taken", note="")
    accepted = idea_accept(idea=idea)
    assert accepted.stage_tactic.custom_name == "Free fitting"
    assert accepted.stage_tactic.notes == "In store, 15 minutes"
    assert team_credits(journey.pk) == {accepted.stage_tactic.pk: ["Ana"]}


def test_the_last_closed_vote_is_what_the_team_chose(journey, join, tactics):
    quiz, ebook, _webinar = tactics
    assert team_choice(journey.pk) is None
    round_ = vote_open(journey=journey, journey_stage=None, votes_per_person=3, max_per_item=2,
                       anonymous=True, tally_hidden=True)  # fmt: skip
    for device, picks in (("a", {quiz: 2, ebook: 1}), ("b", {ebook: 2})):
        me = participant_for_guest(join.live_link, device, device)
        for tactic, dots in picks.items():
            vote_cast(round_=round_, participant=me, stage_tactic=tactic, count=dots)
    assert team_choice(journey.pk) is None  # still open
    vote_close(round_=round_)
    chose = team_choice(journey.pk)
    assert [(r["name"], r["dots"]) for r in chose["ranked"]] == [("Ebook", 3), ("Quiz", 2)]
    assert chose["voters"] == 2 and chose["scope"] == "map" and chose["anonymous"]


def test_an_offer_idea_becomes_an_offer_with_the_price_the_facilitator_gives(
    journey, join, htmx_client
):
    from decimal import Decimal

    from journeys.models import StageOffer
    from journeys.workshop.models import IdeaStatus

    ana = participant_for_guest(join.live_link, "device-a", "Ana")

    def offer_idea(slug, name):
        stage = journey.stages.get(stage__slug=slug)
        return idea_add(journey_stage=stage, participant=ana, kind="offer", name=name, note="")

    url = reverse("workshop_idea_accept", args=[journey.pk])
    trial = offer_idea("convert", "First room for $19")
    assert "Give the offer its price" in htmx_client.post(url, {"idea": trial.pk}).text
    assert "Price:" in htmx_client.post(url, {"idea": trial.pk, "price": "-3"}).text
    htmx_client.post(url, {"idea": trial.pk, "price": "19"})
    offer = StageOffer.objects.get(journey_stage__stage__slug="convert").offer
    assert (offer.name, offer.kind, offer.price) == (
        "First room for $19",
        "entry_point",
        Decimal("19"),
    )
    guide = offer_idea("subscribe", "Price guide")
    htmx_client.post(url, {"idea": guide.pk})  # a lead magnet is free
    assert StageOffer.objects.get(journey_stage__stage__slug="subscribe").offer.price == 0
    nowhere = offer_idea("aware", "A billboard offer")
    assert "takes no offers" in htmx_client.post(url, {"idea": nowhere.pk}).text
    nowhere.refresh_from_db()
    assert nowhere.status == IdeaStatus.NEW
