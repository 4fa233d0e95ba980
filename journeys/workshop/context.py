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
from .models import Idea, IdeaStatus
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
    context["dots_json"] = json.dumps({str(k): v for k, v in votes.board_dots(journey.pk).items()})
    panel = urls.get("panel") or reverse("workshop_panel", args=[journey.pk])
    context["dots_src"] = panel + "?part=dots"
    if join_url:
        context["join_qr"] = qr_svg(join_url)
        context["join_code"] = services.join_code_display(join_url.rstrip("/").rsplit("/", 1)[-1])
    if me is None:
        return context
    room = services.room_for(journey)
    stages = list(
        JourneyStage.objects.filter(journey=journey)
        .select_related("stage")
        .order_by("stage__position")
    )
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
        by_stage[idea.journey_stage_id].ideas.append(idea)
    context.update(
        clock_context(journey, room),
        room=room,
        stages=stages,
        stage_ideas=[s for s in by_stage.values() if s.ideas or s.hidden or s.revealed],
        vote_form=VoteOpenForm(
            initial={"votes_per_person": 3, "max_per_item": 3, "tally_hidden": True}
        ),
        **_vote_context(journey, me),
    )
    return context


def _vote_context(journey: Journey, me: Participant) -> dict[str, object]:
    round_ = votes.vote_current(journey)
    if round_ is None:
        return {"round": None}
    ballot = votes.ballot_state(round_, me)
    shown = not round_.is_open or not round_.tally_hidden
    tally = {row.stage_tactic.pk: row for row in votes.vote_tally(round_)} if shown else {}
    items = []
    for stage_tactic in votes.vote_items(round_):
        mine = ballot.dots.get(stage_tactic.pk, 0)
        row = tally.get(stage_tactic.pk)
        can_add = mine < round_.max_per_item and ballot.left > 0
        items.append(
            VoteItem(
                stage_tactic=stage_tactic,
                mine=mine,
                dots=row.dots if row else None,
                voters=row.voters if row else [],
                more=mine + 1 if can_add else 0,
                less=mine - 1,
            )
        )
    if not round_.is_open:
        items.sort(key=lambda item: -(item.dots or 0))
    return {
        "round": round_,
        "ballot": ballot,
        "vote_items": items,
        "voters": votes.voters_count(round_),
        "tally_shown": shown,
    }
