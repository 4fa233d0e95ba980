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


def _ana_adds_an_idea_and_votes(journey, join, tactics, *, votes: int):  # noqa: ANN001, ANN202
    """Ana's idea "Free fitting" is accepted in Convert, and she gives the quiz `votes` dots in
    a closed vote: the accepted tactic."""
    ana = participant_for_guest(join.live_link, "device-a", "Ana")
    stage = journey.stages.get(stage__slug="convert")
    accepted = idea_accept(
        idea=idea_add(
            journey_stage=stage, participant=ana, kind="tactic", name="Free fitting", note=""
        )  # fmt: skip
    )
    round_ = vote_open(journey=journey, journey_stage=None, votes_per_person=3, max_per_item=3,
                       anonymous=False, tally_hidden=False)  # fmt: skip
    vote_cast(round_=round_, participant=ana, stage_tactic=tactics[0], count=votes)
    vote_close(round_=round_)
    return accepted


def test_the_snapshot_and_the_pdf_credit_the_team_and_print_what_it_chose(journey, join, tactics):
    """The version snapshot carries both (so a frozen version keeps them) and the PDF prints
    them: 'from your team' beside an accepted idea, 'What your team chose' in the ending."""
    import io

    from pypdf import PdfReader

    from journeys.deliverable.pdf import render_journey_pdf
    from journeys.deliverable.snapshot import JourneySnapshot, journey_snapshot

    accepted = _ana_adds_an_idea_and_votes(journey, join, tactics, votes=3)
    quiz = tactics[0]

    snapshot = journey_snapshot(journey)
    credited = [t for t in snapshot.tactics if t.from_team]
    assert [(t.id, t.from_team) for t in credited] == [(accepted.stage_tactic.pk, ("Ana",))]
    assert snapshot.team_choice is not None
    assert [(c.name, c.dots) for c in snapshot.team_choice.ranked] == [(quiz.name, 3)]
    again = JourneySnapshot.from_json(snapshot.to_json())  # as a stored version reloads it
    assert again.team_choice == snapshot.team_choice

    text = " ".join(
        page.extract_text()
        for page in PdfReader(io.BytesIO(render_journey_pdf(snapshot).content)).pages
    )
    assert "Free fitting from your team" in " ".join(text.split())
    assert "What your team chose" in text
    assert f"{quiz.name}" in text and "3 dots" in text


def test_the_plan_page_credits_a_tactic_from_the_teams_ideas(journey, join, htmx_client):
    ana = participant_for_guest(join.live_link, "device-a", "Ana <b>")
    stage = journey.stages.get(stage__slug="convert")
    idea_accept(
        idea=idea_add(
            journey_stage=stage, participant=ana, kind="tactic", name="Free fitting", note=""
        )  # fmt: skip
    )
    page = htmx_client.get(reverse("journey_plan", args=[journey.pk])).content.decode()
    assert page.count("from your team") == 1
    assert 'title="From an idea by Ana &lt;b&gt;"' in page


def test_the_json_file_keeps_what_the_team_did_and_imports_without_it(
    journey, join, tactics, strategist
):
    """The .cvj.json carries the team's vote and credited tactics for the record; importing
    the file works (nothing of it is re-cast), and a journey the team took no part in exports
    with no `team` key at all, as files always have."""
    from journeys.portable import document_dumps, document_loads, journey_to_document
    from journeys.portable.read import journey_from_document

    assert "team" not in journey_to_document(journey)
    _ana_adds_an_idea_and_votes(journey, join, tactics, votes=2)

    team = journey_to_document(journey)["team"]
    assert team["from_team"] == [{"stage": "convert", "tactic": "Free fitting", "by": ["Ana"]}]
    assert team["chose"]["ranked"] == [{"stage": "subscribe", "tactic": "Quiz", "dots": 2}]
    assert team["chose"]["voters"] == 1 and team["chose"]["scope"] == "map"
    raw = document_dumps(journey_to_document(journey)).encode()
    copy = journey_from_document(
        document=document_loads(raw), agency=journey.business.agency, owner=strategist.user
    )
    assert copy.pk != journey.pk
    assert (
        copy.stages.get(stage__slug="convert").tactics.filter(custom_name="Free fitting").exists()
    )
