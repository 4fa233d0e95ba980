"""Dot votes, counted exactly once: each person's one ballot (a unique row), every cast
serialized on the round's row, the tally hidden until the close if the facilitator wants, and
the result taken into the plan's priorities and horizons when the strategist confirms it."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Subquery, Sum
from django.utils import timezone

from journeys.models import Journey, JourneyStage, StageTactic
from journeys.planning import plan_item_update, plan_summary_update

from .models import Ballot, Dot, VoteRound
from .services import Participant, tell_room

PRIORITIES = 3  # the plan's summary names up to three


# --- Dot votes -----------------------------------------------------------------------------


def vote_current(journey: Journey) -> VoteRound | None:
    """The open round, else the newest closed one (its result stays on screen)."""
    return VoteRound.objects.filter(journey=journey).select_related("journey_stage__stage").first()


def vote_items(round_: VoteRound) -> list[StageTactic]:
    """The tactics a round votes on: one stage's, or the whole map's."""
    tactics = StageTactic.objects.filter(journey_stage__journey_id=round_.journey_id)
    if round_.journey_stage_id:
        tactics = tactics.filter(journey_stage_id=round_.journey_stage_id)
    return list(
        tactics.select_related("tactic", "journey_stage__stage").order_by(
            "journey_stage__stage__position", "position", "id"
        )
    )


@transaction.atomic
def vote_open(
    *,
    journey: Journey,
    journey_stage: JourneyStage | None,
    votes_per_person: int,
    max_per_item: int,
    anonymous: bool,
    tally_hidden: bool,
) -> VoteRound:
    Journey.objects.select_for_update().filter(pk=journey.pk).exists()  # one opener at a time
    if VoteRound.objects.filter(journey=journey, closed_at__isnull=True).exists():
        raise ValidationError("A vote is open already: close it first.")
    round_ = VoteRound(
        journey=journey,
        journey_stage=journey_stage,
        votes_per_person=votes_per_person,
        max_per_item=min(max_per_item, votes_per_person),
        anonymous=anonymous,
        tally_hidden=tally_hidden,
    )
    round_.full_clean()
    if not vote_items(round_):
        raise ValidationError("There is no tactic to vote on yet.")
    round_.save()
    tell_room(journey.pk, ("vote",))
    return round_


@dataclass(frozen=True)
class BallotState:
    dots: dict[int, int]  # stage tactic id → this person's dots on it
    used: int
    left: int


def ballot_state(round_: VoteRound, participant: Participant) -> BallotState:
    dots = dict(
        Dot.objects.filter(ballot__round=round_, ballot__participant=participant.key).values_list(
            "stage_tactic_id", "count"
        )
    )
    used = sum(dots.values())
    return BallotState(dots=dots, used=used, left=round_.votes_per_person - used)


@transaction.atomic
def vote_cast(
    *, round_: VoteRound, participant: Participant, stage_tactic: StageTactic, count: int
) -> BallotState:
    """Set this person's dots on one tactic to `count` (0 takes them back).

    Idempotent — a double click or a replay after a reconnect sets the same number again — and
    serialized per round: the round's row is locked, so a vote and the close cannot cross, and
    the person's one ballot (a unique row) holds at most `votes_per_person` dots."""
    locked = VoteRound.objects.select_for_update().get(pk=round_.pk)
    if not locked.is_open:
        raise ValidationError("This vote has closed.")
    if stage_tactic.pk not in {t.pk for t in vote_items(locked)}:
        raise ValidationError("That tactic is not part of this vote.")
    if not 0 <= count <= locked.max_per_item:
        raise ValidationError(f"At most {locked.max_per_item} dots on one tactic.")
    ballot, _created = Ballot.objects.get_or_create(
        round=locked, participant=participant.key, defaults={"voter_name": participant.name}
    )
    others = (
        Dot.objects.filter(ballot=ballot)
        .exclude(stage_tactic=stage_tactic)
        .aggregate(total=Sum("count"))["total"]
        or 0
    )
    if others + count > locked.votes_per_person:
        raise ValidationError(f"You have {locked.votes_per_person} dots in all.")
    if count:
        Dot.objects.update_or_create(
            ballot=ballot, stage_tactic=stage_tactic, defaults={"count": count}
        )
    else:
        Dot.objects.filter(ballot=ballot, stage_tactic=stage_tactic).delete()
    tell_room(locked.journey_id, ("vote-count",) if locked.tally_hidden else ("vote",))
    return ballot_state(locked, participant)


@transaction.atomic
def vote_close(*, round_: VoteRound) -> VoteRound:
    locked = VoteRound.objects.select_for_update().get(pk=round_.pk)
    if not locked.is_open:
        return locked  # a second click: closed once, the first time stands
    locked.closed_at = timezone.now()
    locked.save(update_fields=["closed_at"])
    tell_room(locked.journey_id, ("vote", "vote-count"))  # "vote" also carries the board's dots
    return locked


@dataclass(frozen=True)
class TallyRow:
    stage_tactic: StageTactic
    dots: int
    voters: list[str]  # names, unless the vote is anonymous


def vote_tally(round_: VoteRound) -> list[TallyRow]:
    """Every item with its dots, most first (ties keep the map's order)."""
    totals: dict[int, int] = {}
    voters: dict[int, list[str]] = {}
    for tactic_id, count, name in Dot.objects.filter(ballot__round=round_).values_list(
        "stage_tactic_id", "count", "ballot__voter_name"
    ):
        totals[tactic_id] = totals.get(tactic_id, 0) + count
        voters.setdefault(tactic_id, []).append(name)
    rows = [
        TallyRow(
            stage_tactic=t,
            dots=totals.get(t.pk, 0),
            voters=[] if round_.anonymous else voters.get(t.pk, []),
        )
        for t in vote_items(round_)
    ]
    return sorted(rows, key=lambda row: -row.dots)


@dataclass(frozen=True)
class RoundView:
    """One round as one participant's screen shows it, read in two queries (the tactics, and
    every dot with its ballot): the phones of a whole room redraw it at once on the close."""

    items: list[StageTactic]
    mine: dict[int, int]  # stage tactic id → this person's dots
    totals: dict[int, int]
    voters: dict[int, list[str]]  # stage tactic id → names (empty when anonymous)
    voters_count: int


def round_view(round_: VoteRound, participant: Participant) -> RoundView:
    mine: dict[int, int] = {}
    totals: dict[int, int] = {}
    voters: dict[int, list[str]] = {}
    ballots = set()
    for ballot_id, who, tactic_id, count, name in Dot.objects.filter(
        ballot__round=round_
    ).values_list(
        "ballot_id", "ballot__participant", "stage_tactic_id", "count", "ballot__voter_name"
    ):
        ballots.add(ballot_id)
        totals[tactic_id] = totals.get(tactic_id, 0) + count
        if not round_.anonymous:
            voters.setdefault(tactic_id, []).append(name)
        if who == participant.key:
            mine[tactic_id] = count
    return RoundView(
        items=vote_items(round_), mine=mine, totals=totals, voters=voters,
        voters_count=len(ballots),
    )  # fmt: skip


def board_dots(journey_id: int) -> dict[int, int]:
    """The last closed vote's dots per stage tactic (the board shows them), in one query."""
    last_closed = (
        VoteRound.objects.filter(journey_id=journey_id, closed_at__isnull=False)
        .order_by("-closed_at")
        .values("pk")[:1]
    )
    return dict(
        Dot.objects.filter(ballot__round_id=Subquery(last_closed))
        .values("stage_tactic_id")
        .annotate(total=Sum("count"))
        .values_list("stage_tactic_id", "total")
    )


def suggested_horizon(rank: int) -> str:
    """The plan's horizon a tactic's place in the vote suggests: the first three now, the next
    three next, the rest with dots later."""
    return "now" if rank < PRIORITIES else "next" if rank < 2 * PRIORITIES else "later"


def vote_apply(*, round_: VoteRound) -> list[StageTactic]:
    """The strategist confirms the result: the top three become the plan's priorities, in
    order, and every tactic with dots gets its suggested horizon."""
    if round_.is_open:
        raise ValidationError("Close the vote first.")
    ranked = [row.stage_tactic for row in vote_tally(round_) if row.dots]
    if not ranked:
        raise ValidationError("Nobody voted: nothing to take into the plan.")
    journey = round_.journey
    with transaction.atomic():
        plan_summary_update(
            journey=journey, summary=journey.summary, priorities=[t.pk for t in ranked]
        )
        for rank, stage_tactic in enumerate(ranked):
            horizon = suggested_horizon(rank)
            if stage_tactic.horizon != horizon:
                plan_item_update(stage_tactic=stage_tactic, changes={"horizon": horizon})
        VoteRound.objects.filter(pk=round_.pk).update(applied_at=timezone.now())
        tell_room(journey.pk, ("vote",))
    return ranked


def team_choice(journey_id: int) -> dict[str, object] | None:
    """What the team chose, for the deliverable (snapshot, .cvj.json, PDF): the last closed
    vote, its rules and its ranked tally — plain values, no models. None before any vote."""
    round_ = (
        VoteRound.objects.filter(journey_id=journey_id, closed_at__isnull=False)
        .select_related("journey_stage__stage")
        .order_by("-closed_at")
        .first()
    )
    if round_ is None:
        return None
    rows = vote_tally(round_)
    return {
        "closed_at": round_.closed_at,
        "scope": round_.journey_stage.stage.slug if round_.journey_stage_id else "map",
        "votes_per_person": round_.votes_per_person,
        "max_per_item": round_.max_per_item,
        "anonymous": round_.anonymous,
        "voters": Ballot.objects.filter(round=round_, dots__isnull=False).distinct().count(),
        "taken_into_plan": round_.applied_at is not None,
        "ranked": [
            {
                "stage_tactic_id": row.stage_tactic.pk,
                "name": row.stage_tactic.name,
                "stage": row.stage_tactic.journey_stage.stage.slug,
                "dots": row.dots,
            }
            for row in rows
            if row.dots
        ],
    }
