"""Journeys as snapshots for print tests (no database): the stress journey, an empty and a
nearly empty one, and any journey fully planned."""

from __future__ import annotations

import functools
import logging
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from journeys.deliverable.snapshot import (
    JourneySnapshot,
    OfferSnap,
    PersonaSnap,
    QuestionSnap,
    StageSnap,
    TacticSnap,
)

STAGES = (
    ("aware", "Aware"), ("engage", "Engage"), ("subscribe", "Subscribe"), ("convert", "Convert"),
    ("excite", "Excite"), ("ascend", "Ascend"), ("advocate", "Advocate"), ("promote", "Promote"),
)  # fmt: skip
MIXED = "Zoë's Café — naïve façade 日本語 🚀 مرحبا"
KINDS = {
    "lead_magnet": "Lead magnet",
    "entry_point": "Entry-point offer",
    "core": "Core offer",
    "ascension": "Ascension offer",
    "referral": "Referral incentive",
}
STAGE_KINDS = {
    "subscribe": "lead_magnet",
    "convert": "entry_point",
    "ascend": "ascension",
    "promote": "referral",
}
TAKEN = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def _fill(text: str, length: int) -> str:
    words = (text + " ").split()
    out: list[str] = []
    i = 0
    while len(" ".join(out)) < length:
        out.append(words[i % len(words)])
        i += 1
    return " ".join(out)[:length].rstrip()


def _offer(kind: str, index: int, price: str, period: str = "one_time") -> OfferSnap:
    name = _fill(f"{MIXED} offer {index} — {KINDS[kind]} with a very long descriptive name", 120)
    return OfferSnap(
        name=name,
        kind=kind,
        kind_label=KINDS[kind],
        price=Decimal(price),
        currency="EUR",
        format=_fill(f"Format {index}: {MIXED}", 150),
        promise=_fill(f"Promise {index}: {MIXED} we keep every word we say", 400),
        billing_period=period,
    )


def stress_offers() -> list[OfferSnap]:
    """Ten offers, 120-character names, prices up to 1,234,567.89."""
    return [
        _offer("lead_magnet", 1, "0"),
        _offer("lead_magnet", 2, "0"),
        _offer("entry_point", 3, "19.99"),
        _offer("entry_point", 4, "49.50"),
        _offer("core", 5, "1234567.89", "monthly"),
        _offer("ascension", 6, "129", "biweekly"),
        _offer("ascension", 7, "98765.43", "yearly"),
        _offer("ascension", 8, "333.33", "quarterly"),
        _offer("referral", 9, "0"),
        _offer("referral", 10, "25"),
    ]


TACTICS_PER_STAGE = 40


def stress_snapshot(tactics_per_stage: int = TACTICS_PER_STAGE) -> JourneySnapshot:
    """Long names in every script, 10-digit prices, 40 tactics a stage (the first dozen with
    long notes), every field filled: the journey print layout is tested against."""
    offers = stress_offers()
    core = offers[4]
    stages = []
    tactic_id = 0
    for position, (slug, name) in enumerate(STAGES, start=1):
        tactics = []
        for n in range(tactics_per_stage):
            tactic_id += 1
            tactics.append(
                TacticSnap(
                    name=_fill(f"{MIXED} {name} tactic {n + 1} custom named", 60 + n % 12 * 5),
                    channel_label="Email marketing" if n % 3 == 0 else "",
                    notes=_fill(
                        f"Note {n + 1} for {name}: {MIXED} and plenty of detail",
                        600 if n < 12 else 90,
                    ),
                    is_custom=True,
                    channel="email" if n % 3 == 0 else "",
                    id=tactic_id,
                    stage_slug=slug,
                    stage_name=name,
                    stage_position=position,
                    owner_side="agency" if n % 2 else "client",
                    owner_name=_fill(f"{MIXED} owner", 40) if n % 4 == 0 else "",
                    start_date=(date(2027, 1, 4) + timedelta(days=7 * (n % 12))).isoformat(),
                    monthly_budget=Decimal("1234567.89") if n == 0 else Decimal(n * 100),
                    horizon=("now", "next", "later")[n % 3],
                    status="planned",
                )
            )
        stage_offers: tuple[OfferSnap, ...] = ()
        kind = STAGE_KINDS.get(slug)
        if kind:
            stage_offers = tuple(o for o in offers if o.kind == kind)
            if slug == "ascend":
                stage_offers = (core, *stage_offers)
        stages.append(
            StageSnap(
                position=position,
                slug=slug,
                name=name,
                customer_state=f"The customer at {name}: {MIXED}",
                business_provides=f"What the business gives at {name}",
                goal=_fill(f"Goal for {name}: {MIXED} move them along gently and measurably", 400),
                metric=_fill(f"{MIXED} metric for {name}", 120),
                target_conversion=Decimal("33.33"),
                notes=_fill(f"Stage notes {name} {MIXED}", 600),
                tactics=tuple(tactics),
                offers=stage_offers,
            )
        )
    ladder = tuple(sorted(offers, key=lambda o: o.price))
    return JourneySnapshot(
        journey_id=1,
        version=7,
        title=_fill(f"{MIXED} journey title", 180),
        status_label="Draft",
        agency_name=f"{MIXED} Agency",
        business_name=MIXED,
        business_industry=_fill(f"{MIXED} industry", 100),
        business_kind_label="B2C — sells to consumers",
        business_website="https://example.com",
        strategist_name=f"Strategist {MIXED}",
        persona=PersonaSnap(
            name=_fill(f"{MIXED} persona", 110),
            role=_fill(f"Role {MIXED}", 190),
            goals_values=_fill(f"Goals {MIXED}", 1200),
            pains=_fill(f"Pains {MIXED}", 1200),
            passions=_fill(f"Passions {MIXED}", 800),
            channels=_fill(f"Channels {MIXED}", 800),
            objections=_fill(f"Objections {MIXED}", 800),
            decision_role=_fill(f"Decides {MIXED}", 190),
            awareness_level="problem_aware",
            awareness_label="Problem-aware",
        ),
        core_offer=core,
        ladder=ladder,
        stages=tuple(stages),
        taken_at=TAKEN,
        monthly_reach=1_234_567,
        monthly_spend=Decimal("98765.43"),
        summary=f"{_fill(MIXED + ' summary paragraph', 500)}\n\n- {MIXED} first\n- second point"
        f"\n\n{_fill('Closing paragraph ' + MIXED, 300)}",
        priorities=(1, 14, 30),
        paper_size="A4",
        brand_color="#ffd400",  # a bright yellow: must be darkened before white text sits on it
        questions=(
            QuestionSnap(text=_fill(f"Question {MIXED}", 200), stage_name="Convert"),
            QuestionSnap(text="Who approves the ad budget?", author_name="Sam"),
        ),
    )


def empty_snapshot() -> JourneySnapshot:
    """A brand-new journey: eight empty stages, a core offer, nothing else."""
    core = OfferSnap(
        name="Core offer", kind="core", kind_label="Core offer", price=Decimal("0"),
        currency="USD", format="", promise="",
    )  # fmt: skip
    stages = tuple(
        StageSnap(
            position=i,
            slug=slug,
            name=name,
            customer_state="",
            business_provides="",
            goal="",
            metric="",
            target_conversion=None,
            notes="",
        )  # fmt: skip
        for i, (slug, name) in enumerate(STAGES, start=1)
    )
    return JourneySnapshot(
        journey_id=2, version=1, title="New journey", status_label="Draft", agency_name="Agency",
        business_name="New client", business_industry="", business_kind_label="B2C",
        business_website="", strategist_name="",
        persona=PersonaSnap(
            name="Persona", role="", goals_values="", pains="", passions="", channels="",
            objections="", decision_role="", awareness_level="", awareness_label="",
        ),
        core_offer=core, ladder=(core,), stages=stages, taken_at=TAKEN,
    )  # fmt: skip


def nearly_empty_snapshot() -> JourneySnapshot:
    """A journey just started: one Aware tactic, nothing else filled in (a working draft)."""
    empty = empty_snapshot()
    aware = empty.stages[0].model_copy(
        update={
            "tactics": (
                TacticSnap(
                    name="Local search ads", channel_label="", notes="", is_custom=True, id=1,
                    stage_slug="aware", stage_name="Aware", stage_position=1,
                ),
            )
        }
    )  # fmt: skip
    return empty.model_copy(update={"stages": (aware, *empty.stages[1:])})


def fully_planned(snapshot: JourneySnapshot) -> JourneySnapshot:
    """The same journey with every tactic scheduled (over four months), owned and budgeted, a
    written summary, the next meeting, client-facing next steps and the strategist's e-mail."""
    first = snapshot.taken_at.date()
    stages = []
    index = 0
    for stage in snapshot.stages:
        tactics = []
        for tactic in stage.tactics:
            index += 1
            tactics.append(
                tactic.model_copy(
                    update={
                        "start_date": (first + timedelta(days=9 * (index % 14))).isoformat(),
                        "monthly_budget": Decimal(50 * (index % 7 + 1)) + Decimal("0.50"),
                        "owner_side": tactic.owner_side or ("client" if index % 3 else "agency"),
                        "horizon": tactic.horizon or "now",
                    }
                )
            )
        stages.append(stage.model_copy(update={"tactics": tuple(tactics)}))
    return snapshot.model_copy(
        update={
            "stages": tuple(stages),
            "summary": "We mapped how a neighbour becomes a regular client.\n\n"
            "- Win first buyers with a small, low-risk offer\n"
            "- Turn them into repeat customers with a recurring clean\n\n"
            "The plan below starts this month and is fully budgeted.",
            "next_meeting_at": datetime(2027, 1, 12, 10, 30, tzinfo=UTC),
            "next_steps": "We send the ad copy for approval on Friday.\n\n"
            "- Share access to your Google Business profile\n- Pick the launch photos",
            "strategist_email": snapshot.strategist_email or "strategist@agency.example",
        }
    )


@functools.cache
def stress_render() -> tuple[bytes, tuple[str, ...]]:
    """The stress journey's PDF and what WeasyPrint logged while rendering it: rendered once
    per test run, however many test modules read it (it is the slowest document)."""
    from journeys.deliverable.pdf import render_journey_pdf

    messages: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            messages.append(record.getMessage())

    handler = Collect(level=logging.DEBUG)
    logger = logging.getLogger("weasyprint")
    old_level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        content = render_journey_pdf(stress_snapshot()).content
    finally:
        logger.removeHandler(handler)
        logger.setLevel(old_level)
    return content, tuple(messages)
