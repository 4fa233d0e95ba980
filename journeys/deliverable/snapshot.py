"""A typed, frozen picture of a journey: the one read model the PDF, the read-only pages and
the exports are built from.

Built from one fixed set of queries; the renderer and its templates never touch the ORM, so a
render is a pure function of this snapshot and edits made while rendering cannot tear it. The
JSON an export or a version stores is `model_dump(mode="json")`; `model_validate` reads it back,
including snapshots stored by older code (every field added since has a default).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone
from pydantic import BaseModel, ConfigDict, Field, computed_field

from cvj.parsing import parse_int
from stages.models import Channel

from ..models import (
    STAGE_OFFER_KINDS,
    AwarenessLevel,
    BillingPeriod,
    BusinessKind,
    Journey,
    JourneyStatus,
    Offer,
    PlanHorizon,
    PlanOwner,
    PlanStatus,
    StageTactic,
)
from ..rules import LADDER_ORDER, offer_kind_client_label
from ..selectors import StageView, journey_stage_views
from ..workshop.services import team_credits
from ..workshop.votes import team_choice

# 2: plan fields on tactics, billing periods, summary/priorities, paper and brand, questions.
# 3: what the portable format needs: offer ids, library references, business kind and notes.
# 4: gross margin, the next meeting and next steps, the strategist's e-mail, tactics credited
#    to the client's team and the team's vote (all defaulted).
# Older snapshots still load: every new field has a default.
SNAPSHOT_FORMAT = 4


class _Snap(BaseModel):
    # Frozen: a snapshot is a value. Unknown keys (the stored "format" marker, fields a newer
    # writer added) are ignored so any stored snapshot loads.
    model_config = ConfigDict(frozen=True, extra="ignore")


class OfferSnap(_Snap):
    name: str
    kind: str
    kind_label: str
    price: Decimal
    currency: str
    format: str
    promise: str
    billing_period: str = "one_time"
    id: int = 0  # the Offer's id: two offers may share a kind and a name

    @property
    def is_free(self) -> bool:
        return self.price == 0

    @property
    def billing_label(self) -> str:
        return BillingPeriod(self.billing_period).label if self.billing_period else ""

    @property
    def is_recurring(self) -> bool:
        return self.billing_period not in ("", "one_time")


class TacticSnap(_Snap):
    name: str
    channel_label: str
    notes: str
    is_custom: bool
    channel: str = ""
    # The action plan (all optional): see StageTactic.
    id: int = 0
    stage_slug: str = ""
    stage_name: str = ""
    stage_position: int = 0
    owner_side: str = ""
    owner_name: str = ""
    start_date: str = ""  # ISO date or ""
    monthly_budget: Decimal | None = None
    horizon: str = ""
    status: str = "planned"
    is_follow_up: bool = False
    # The library tactic it was picked from, while the library still offers it ("" otherwise:
    # a custom tactic, or one whose library tactic was archived).
    library_stage: str = ""
    library_name: str = ""
    own_channel: str = ""  # the channel chosen on the map, overriding the library's
    # Accepted from ideas the client's team added in the session (their authors' names).
    from_team: tuple[str, ...] = ()

    @property
    def owner_label(self) -> str:
        side = PlanOwner(self.owner_side).label if self.owner_side else ""
        return " · ".join(part for part in (side, self.owner_name) if part)

    @property
    def horizon_label(self) -> str:
        return PlanHorizon(self.horizon).label if self.horizon else ""

    @property
    def status_label(self) -> str:
        return PlanStatus(self.status).label if self.status else ""

    @property
    def start(self) -> date | None:
        return date.fromisoformat(self.start_date) if self.start_date else None

    @property
    def is_planned(self) -> bool:
        """Has the strategist put it on the plan (any of owner, start, budget, horizon)?"""
        return bool(self.owner_side or self.owner_name or self.start_date or self.horizon) or (
            self.monthly_budget is not None
        )


class StageSnap(_Snap):
    position: int
    slug: str
    name: str
    customer_state: str
    business_provides: str
    goal: str
    metric: str
    target_conversion: Decimal | None
    notes: str
    tactics: tuple[TacticSnap, ...] = ()
    offers: tuple[OfferSnap, ...] = ()

    @property
    def offer_kinds(self) -> tuple[str, ...]:
        """The offer kinds this stage takes (none for most stages)."""
        return STAGE_OFFER_KINDS.get(self.slug, ())


class PersonaSnap(_Snap):
    name: str
    role: str
    goals_values: str
    pains: str
    passions: str
    channels: str
    objections: str
    decision_role: str
    awareness_level: str
    awareness_label: str


class ChosenSnap(_Snap):
    """A tactic in the team's vote, with the dots it got."""

    stage_tactic_id: int
    name: str
    stage: str
    dots: int


class TeamChoiceSnap(_Snap):
    """What the client's team chose: the last closed dot vote of the session."""

    closed_at: datetime
    scope: str  # a stage slug, or "map"
    votes_per_person: int
    max_per_item: int
    anonymous: bool
    voters: int
    taken_into_plan: bool
    ranked: tuple[ChosenSnap, ...] = ()


class QuestionSnap(_Snap):
    """A question or comment from the live session: open ones go under "Next steps", answered
    and resolved ones into the appendix with their answers."""

    text: str
    stage_name: str = ""
    tactic_name: str = ""
    author_name: str = ""
    status: str = "open"  # open | answered | resolved
    status_label: str = "Open"
    answer: str = ""


class JourneySnapshot(_Snap):
    journey_id: int
    version: int
    title: str
    status_label: str
    agency_name: str
    business_name: str
    business_industry: str
    business_kind_label: str
    business_website: str
    strategist_name: str
    persona: PersonaSnap
    core_offer: OfferSnap
    ladder: tuple[OfferSnap, ...]
    stages: tuple[StageSnap, ...]
    taken_at: datetime = Field(default_factory=timezone.now)
    monthly_reach: int = 0
    monthly_spend: Decimal = Decimal("0")  # as entered; the economics decide what is spent
    agency_logo: str = ""  # a media path the renderer may read, or ""
    summary: str = ""
    priorities: tuple[int, ...] = ()  # StageTactic ids, in order
    paper_size: str = "A4"  # "A4" or "letter"
    brand_color: str = ""
    # Questions and comments from the live session, open and resolved alike (oldest first).
    questions: tuple[QuestionSnap, ...] = ()
    business_kind: str = ""
    business_notes: str = ""
    gross_margin: Decimal | None = None  # percent; None when not given
    next_meeting_at: datetime | None = None
    next_steps: str = ""
    strategist_email: str = ""
    team_choice: TeamChoiceSnap | None = None

    @computed_field  # stored with the snapshot; ignored on load
    @property
    def format(self) -> int:
        return SNAPSHOT_FORMAT

    @property
    def tactics(self) -> tuple[TacticSnap, ...]:
        return tuple(t for stage in self.stages for t in stage.tactics)

    @property
    def priority_tactics(self) -> tuple[TacticSnap, ...]:
        by_id = {t.id: t for t in self.tactics if t.id}
        return tuple(by_id[i] for i in self.priorities if i in by_id)[:3]

    @property
    def open_questions(self) -> tuple[QuestionSnap, ...]:
        return tuple(q for q in self.questions if q.status == "open")

    @property
    def settled_questions(self) -> tuple[QuestionSnap, ...]:
        return tuple(q for q in self.questions if q.status != "open")

    def to_json(self) -> dict[str, Any]:
        """JSON-safe form, stored on the export so the worker renders exactly this."""
        return self.model_dump(mode="json")

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> JourneySnapshot:
        return cls.model_validate(raw)


def _offer(offer: Offer) -> OfferSnap:
    return OfferSnap(
        name=offer.name,
        kind=offer.kind,
        kind_label=offer_kind_client_label(offer.kind),  # the client's words, not jargon
        price=offer.price,
        currency=offer.currency,
        format=offer.format,
        promise=offer.promise,
        billing_period=offer.billing_period,
        id=offer.pk,
    )


def _listed(stage_tactic: StageTactic) -> bool:
    """Picked from the library, which still offers it."""
    return stage_tactic.tactic_id is not None and stage_tactic.tactic.is_active


def offer_ladder(core: OfferSnap, stages: Sequence[StageSnap]) -> tuple[OfferSnap, ...]:
    """Every offer the journey uses plus its core offer: lead magnet → entry → core → ascension
    → referral, cheapest first within a kind."""
    seen: dict[tuple[str, str], OfferSnap] = {(core.kind, core.name): core}
    for stage in stages:
        for offer in stage.offers:
            seen.setdefault((offer.kind, offer.name), offer)
    return tuple(sorted(seen.values(), key=lambda o: (LADDER_ORDER.index(o.kind), o.price, o.name)))


def stage_snaps(
    views: list[StageView], credits: Mapping[int, list[str]] | None = None
) -> tuple[StageSnap, ...]:
    """The eight stages as the snapshot tells them, from the editor's stage views (no query):
    what every read-only page (client, share, guest, Present) and the board render."""
    # A library tactic's stage is one of the journey's eight: no query for it.
    slug_of = {view.entry.stage_id: view.entry.stage.slug for view in views}
    stages: list[StageSnap] = []
    for view in views:
        entry = view.entry
        stages.append(
            StageSnap(
                position=entry.stage.position,
                slug=entry.stage.slug,
                name=entry.stage.name,
                customer_state=entry.stage.customer_state,
                business_provides=entry.stage.business_provides,
                goal=entry.goal,
                metric=entry.metric,
                target_conversion=entry.target_conversion,
                notes=entry.notes,
                tactics=tuple(
                    TacticSnap(
                        name=st.name,
                        channel_label=Channel(st.channel or st.tactic.channel).label
                        if (st.channel or st.tactic_id)
                        else "",
                        notes=st.notes,
                        is_custom=st.tactic_id is None,
                        channel=st.channel or (st.tactic.channel if st.tactic_id else ""),
                        id=st.pk,
                        stage_slug=entry.stage.slug,
                        stage_name=entry.stage.name,
                        stage_position=entry.stage.position,
                        owner_side=st.owner_side,
                        owner_name=st.owner_name,
                        start_date=st.start_date.isoformat() if st.start_date else "",
                        monthly_budget=st.monthly_budget,
                        horizon=st.horizon,
                        status=st.plan_status,
                        is_follow_up=st.is_follow_up,
                        library_stage=slug_of.get(st.tactic.stage_id, "") if _listed(st) else "",
                        library_name=st.tactic.name if _listed(st) else "",
                        own_channel=st.channel,
                        from_team=tuple((credits or {}).get(st.pk, ())),
                    )
                    for st in view.tactics
                ),
                offers=tuple(_offer(so.offer) for so in view.offers),
            )
        )
    return tuple(stages)


def journey_snapshot(journey: Journey) -> JourneySnapshot:
    """Freeze the journey as it is now (a handful of queries, whatever its size)."""
    journey = Journey.objects.select_related(
        "business__agency", "persona", "core_offer", "owner"
    ).get(pk=journey.pk)
    stages = stage_snaps(journey_stage_views(journey), team_credits(journey.pk))
    chosen = team_choice(journey.pk)
    persona = journey.persona
    owner = journey.owner
    return JourneySnapshot(
        journey_id=journey.pk,
        version=journey.version,
        title=journey.title,
        status_label=JourneyStatus(journey.status).label,
        agency_name=journey.business.agency.name,
        business_name=journey.business.name,
        business_industry=journey.business.industry,
        business_kind_label=BusinessKind(journey.business.kind).label,
        business_website=journey.business.website,
        business_kind=journey.business.kind,
        business_notes=journey.business.notes,
        strategist_name=(owner.get_full_name() or owner.get_username()) if owner else "",
        persona=PersonaSnap(
            name=persona.name,
            role=persona.role,
            goals_values=persona.goals_values,
            pains=persona.pains,
            passions=persona.passions,
            channels=persona.channels,
            objections=persona.objections,
            decision_role=persona.decision_role,
            awareness_level=persona.awareness_level,
            awareness_label=AwarenessLevel(persona.awareness_level).label
            if persona.awareness_level
            else "",
        ),
        core_offer=_offer(journey.core_offer),
        ladder=offer_ladder(_offer(journey.core_offer), stages),
        stages=stages,
        monthly_reach=journey.monthly_reach,
        monthly_spend=journey.monthly_spend,
        agency_logo=journey.business.agency.logo.name if journey.business.agency.logo else "",
        summary=journey.summary,
        gross_margin=journey.gross_margin,
        next_meeting_at=journey.next_meeting_at,
        next_steps=journey.next_steps,
        strategist_email=owner.email if owner else "",
        team_choice=TeamChoiceSnap.model_validate(chosen) if chosen else None,
        priorities=tuple(
            tactic_id
            for item in journey.priorities or ()
            if (tactic_id := parse_int(str(item), minimum=1)) is not None
        )[:3],
        paper_size=journey.business.agency.paper_size,
        brand_color=journey.business.agency.brand_color,
        questions=tuple(
            QuestionSnap(
                stage_name=q.journey_stage.stage.name,
                tactic_name=q.stage_tactic.name if q.stage_tactic else "",
                author_name=q.author_name,
                text=q.text,
                status=q.status,
                status_label=q.get_status_display(),
                answer=q.answer,
            )
            for q in journey.questions.select_related(
                "journey_stage__stage", "stage_tactic__tactic"
            )
        ),
    )
