"""The deliverable's ending, addressed to the client, and whether the journey is still a draft.

The editor's gaps (journeys.deliverable.gaps) are the strategist's to-do list; none of them is
printed. The client reads what they must decide, what the agency needs from them, the first 30
days, the investment, the next meeting and whom to call.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.utils import timezone

from ..rules import COMPLETENESS_FIELDS, stage_completeness
from . import plan
from .economics import Economics
from .snapshot import JourneySnapshot, QuestionSnap, TacticSnap

# Below this share of the stages' parts in place (journeys.rules.stage_completeness, averaged
# over the stages) the PDF prints as a working draft: cover badge and running footer.
DRAFT_BELOW_PERCENT = 60
CLIENT_TACTICS_LISTED = 10


def journey_completeness(snapshot: JourneySnapshot) -> int:
    """Percent of the journey in place: each stage's completeness (the editor's rule), averaged."""
    if not snapshot.stages:
        return 0
    shares = [
        stage_completeness(
            fields=[getattr(stage, name) for name in COMPLETENESS_FIELDS],
            has_tactics=bool(stage.tactics),
            has_offers=bool(stage.offers),
            slug=stage.slug,
        )
        for stage in snapshot.stages
    ]
    return round(sum(shares) / len(shares))


def is_working_draft(snapshot: JourneySnapshot) -> bool:
    return journey_completeness(snapshot) < DRAFT_BELOW_PERCENT


@dataclass(frozen=True)
class Decision:
    """Something only the client can decide, and the detail that goes with it."""

    text: str
    items: tuple[str, ...] = ()


@dataclass(frozen=True)
class ClientNextSteps:
    decisions: tuple[Decision, ...]
    client_tactics: tuple[tuple[TacticSnap, date | None], ...]  # what the agency needs from them
    client_tactics_more: int  # client-owned tactics beyond those listed (all are on the roadmap)
    first_30_days: tuple[tuple[TacticSnap, date], ...]
    investment: Decimal  # economics.spend: the one monthly figure, never recomputed here
    investment_is_planned: bool
    next_meeting: datetime | None  # in the agency's time zone
    notes: tuple[plan.SummaryBlock, ...]  # the strategist's own next steps, client-facing
    open_questions: tuple[QuestionSnap, ...]
    contact_name: str
    contact_email: str
    agency_name: str

    @property
    def is_empty(self) -> bool:
        return not (
            self.decisions
            or self.client_tactics
            or self.first_30_days
            or self.investment
            or self.next_meeting
            or self.notes
        )


def client_next_steps(snapshot: JourneySnapshot, economics: Economics) -> ClientNextSteps:
    """The ending page's content; every part is left out when it has nothing to say."""
    plan_day = snapshot.taken_at.date()
    roadmap_first = plan.first_30_days(snapshot)
    client_owned = tuple(
        (t, plan.effective_start(t, plan_day))
        for t in plan.plan_items(snapshot)
        if t.owner_side == "client" and t.status != "done"
    )
    decisions: list[Decision] = []
    if economics.spend > 0:
        decisions.append(Decision("Approve the monthly marketing budget below."))
    unnamed = sum(1 for t, _ in client_owned if not t.owner_name)
    if unnamed:
        decisions.append(
            Decision(
                f"Name who on your team leads each of your {unnamed} tactics that have no one "
                "named yet."
                if unnamed > 1
                else "Name who on your team leads your tactic that has no one named yet."
            )
        )
    still_open = [stage.name for stage in snapshot.stages if not stage.tactics]
    if still_open and is_working_draft(snapshot):
        decisions.append(
            Decision(
                "Map the stages still open with us, so the plan covers the whole journey:",
                (", ".join(still_open),),
            )
        )
    if snapshot.open_questions:
        decisions.append(Decision("Settle the questions still open from our session (below)."))
    meeting = snapshot.next_meeting_at
    return ClientNextSteps(
        decisions=tuple(decisions),
        client_tactics=client_owned[:CLIENT_TACTICS_LISTED],
        client_tactics_more=max(len(client_owned) - CLIENT_TACTICS_LISTED, 0),
        first_30_days=tuple(roadmap_first),
        investment=economics.spend,
        investment_is_planned=economics.spend_is_planned,
        next_meeting=timezone.localtime(meeting) if meeting else None,
        notes=tuple(plan.summary_blocks(snapshot.next_steps)),
        open_questions=snapshot.open_questions,
        contact_name=snapshot.strategist_name,
        contact_email=snapshot.strategist_email,
        agency_name=snapshot.agency_name,
    )
