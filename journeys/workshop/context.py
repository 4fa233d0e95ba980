"""What templates/workshop/panel.html shows one viewer: built once here, for the facilitator,
a signed-in client and a guest alike (the differences are the participant's)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from django.urls import reverse

from journeys.models import Journey, JourneyStage, StageTactic

from . import services, votes
from .clock import clock_context
from .forms import VoteOpenForm
from .models import Idea, IdeaKind, IdeaStatus, Room
from .qr import qr_svg
from .services import Participant


@dataclass
class StageIdeas:
    stage: JourneyStage
    revealed: bool
    hidden: int  # new ideas not yet revealed (the facilitator sees the count only)
    ideas: list[Idea] = field(default_factory=list)


@dataclass
class VoteItem:
    stage_tactic: StageTactic
    mine: int
    dots: int | None  # None while the tally is hidden
    voters: list[str]
    more: int  # the dots a "+" would set, 0 when no more may go here
    less: int


def panel_context(
    journey: Journey,
    me: Participant | None,
    *,
    urls: dict[str, str],
    join_url: str = "",
    guest_named: bool = True,
    present: bool = False,
) -> dict[str, object]:
    context: dict[str, object] = {
        "journey": journey,
        "me": me,
        "urls": urls,
        "join_url": join_url,
        "present": present,
        "guest_named": guest_named,
    }
    if join_url:
        context["join_qr"] = qr_svg(join_url)
        context["join_code"] = services.join_code_display(join_url.rstrip("/").rsplit("/", 1)[-1])
    return context


def fill_part(context: dict[str, object], part: str) -> dict[str, object]:
    """Add what one part shows (the whole panel: everything), at render time — after the
    action it follows — and nothing more: a vote's post or a phone's redraw stays cheap."""
    journey, me = context["journey"], context["me"]
    whole = part == "panel"
    if whole or part in ("dots", "join"):
        dots = votes.board_dots(journey.pk)
        context["dots_json"] = json.dumps({str(k): v for k, v in dots.items()})
        panel = context["urls"].get("panel") or reverse("workshop_panel", args=[journey.pk])
        context["dots_src"] = panel + "?part=dots"
    if me is None:
        return context
    if whole or part in ("ideas", "clock"):
        context["room"] = services.room_for(journey)
    if whole or part == "ideas" or (part == "vote" and me.facilitator):  # the vote's form
        context["stages"] = list(
            JourneyStage.objects.filter(journey=journey)
            .select_related("stage")
            .order_by("stage__position")
        )
    if whole or part == "ideas":
        context["stage_ideas"] = _stage_ideas(journey, me, context["room"], context["stages"])
    if whole or part == "clock":
        context.update(clock_context(journey, context["room"]))
    if whole or part in ("vote", "vote-count"):
        context.setdefault(
            "vote_form",
            VoteOpenForm(initial={"votes_per_person": 3, "max_per_item": 3, "tally_hidden": True}),
        )
        context.update(_vote_context(journey, me))
    return context


def _stage_ideas(journey: Journey, me: Participant, room: Room, stages: list) -> list[StageIdeas]:
    hidden = services.hidden_counts(journey) if me.facilitator else {}
    by_stage = {
        s.pk: StageIdeas(
            stage=s, revealed=s.stage.slug in room.revealed, hidden=hidden.get(s.stage.slug, 0)
        )
        for s in stages
    }
    for idea in services.ideas_for(journey, me):
        if me.facilitator and idea.status == IdeaStatus.NEW:
            idea.match = services.idea_library_match(idea)  # type: ignore[attr-defined]
            idea.needs_price = idea.kind == IdeaKind.OFFER and services.offer_idea_needs_price(  # type: ignore[attr-defined]
                idea.journey_stage.stage.slug
            )
        by_stage[idea.journey_stage_id].ideas.append(idea)
    return [s for s in by_stage.values() if s.ideas or s.hidden or s.revealed]


def _vote_context(journey: Journey, me: Participant) -> dict[str, object]:
    round_ = votes.vote_current(journey)
    if round_ is None:
        return {"round": None}
    view = votes.round_view(round_, me)
    used = sum(view.mine.values())
    ballot = votes.BallotState(dots=view.mine, used=used, left=round_.votes_per_person - used)
    shown = not round_.is_open or not round_.tally_hidden
    items = []
    for stage_tactic in view.items:
        mine = view.mine.get(stage_tactic.pk, 0)
        can_add = mine < round_.max_per_item and ballot.left > 0
        items.append(
            VoteItem(
                stage_tactic=stage_tactic,
                mine=mine,
                dots=view.totals.get(stage_tactic.pk, 0) if shown else None,
                voters=view.voters.get(stage_tactic.pk, []) if shown else [],
                more=mine + 1 if can_add else 0,
                less=mine - 1,
            )
        )
    if not round_.is_open:
        items.sort(key=lambda item: -(item.dots or 0))  # stable: ties keep the map's order
    return {
        "round": round_,
        "ballot": ballot,
        "vote_items": items,
        "voters": view.voters_count,
        "tally_shown": shown,
    }
