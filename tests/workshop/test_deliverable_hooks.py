"""What the deliverable can read from the workshop: the tactics the team suggested (credited
"from your team") and what the team chose in its last vote."""

from __future__ import annotations

import pytest

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
