"""Where is the journey broken? CVJ rules as plain functions over a journey snapshot.

Each rule looks at the snapshot and yields Gaps; add a rule by writing a function and listing
it in RULES. The editor shows them live; they are the strategist's to-do list and never reach the
PDF, whose ending is addressed to the client (journeys/deliverable/next_steps.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from ..rules import AWARENESS_CHANNELS
from .snapshot import JourneySnapshot, StageSnap, TacticSnap

SEVERITY_ORDER = {"critical": 0, "warning": 1, "tip": 2}


@dataclass(frozen=True)
class Gap:
    rule: str
    severity: str  # critical | warning | tip
    stage: str  # stage slug, or "" for the whole journey
    message: str
    fix: str
    # What the fix is called as a step on the plan ("" when it is not a stage's tactic).
    tactic_name: str = ""


def _stage(snapshot: JourneySnapshot, slug: str) -> StageSnap:
    return next(s for s in snapshot.stages if s.slug == slug)


def empty_stages(s: JourneySnapshot) -> Iterator[Gap]:
    for stage in s.stages:
        if not stage.tactics:
            yield Gap(
                "empty_stage",
                "critical",
                stage.slug,
                f"{stage.name} has no tactic: prospects stall here.",
                f"Add at least one {stage.name} tactic from the library.",
                tactic_name=f"Add a {stage.name} tactic from the library",
            )


def subscribe_without_lead_magnet(s: JourneySnapshot) -> Iterator[Gap]:
    if not _stage(s, "subscribe").offers:
        yield Gap(
            "no_lead_magnet",
            "critical",
            "subscribe",
            "Subscribe has no lead magnet: there is no reason to hand over contact details.",
            "Attach a free, genuinely useful lead magnet (guide, checklist, webinar…).",
            tactic_name="Create a lead magnet",
        )


def convert_without_entry_offer(s: JourneySnapshot) -> Iterator[Gap]:
    if not _stage(s, "convert").offers:
        yield Gap(
            "no_entry_point",
            "critical",
            "convert",
            "Convert has no entry-point offer: the first commitment is too big a leap.",
            "Attach a low-risk, high-value entry-point offer (tripwire, trial, demo…).",
            tactic_name="Create an entry-point offer",
        )


def entry_priced_at_or_above_core(s: JourneySnapshot) -> Iterator[Gap]:
    core = s.core_offer
    for offer in _stage(s, "convert").offers:
        # Prices in different currencies cannot be compared without rates; skip those.
        if offer.currency == core.currency and offer.price >= core.price and core.price > 0:
            yield Gap(
                "entry_not_below_core",
                "warning",
                "convert",
                f"The entry-point offer “{offer.name}” costs as much as the core offer.",
                "Price the entry point well below the core offer; it only needs to cover "
                "acquisition cost.",
                tactic_name="Price the entry point well below the core offer",
            )


def ascend_without_offer(s: JourneySnapshot) -> Iterator[Gap]:
    if not _stage(s, "ascend").offers:
        yield Gap(
            "no_ascension",
            "critical",
            "ascend",
            "Ascend has no core or ascension offer: there is nothing to buy next.",
            "Attach the core offer and at least one upsell, bundle or subscription.",
            tactic_name="Attach the core offer and an upsell",
        )


def core_pitched_too_early(s: JourneySnapshot) -> Iterator[Gap]:
    for slug in ("aware", "engage"):
        stage = _stage(s, slug)
        text = " ".join([stage.goal, *(t.name for t in stage.tactics)]).lower()
        if s.core_offer.name.lower() in text:
            yield Gap(
                "core_too_early",
                "warning",
                slug,
                f"The core offer is pitched at {stage.name} — don't propose on the first glance.",
                "Lead with value here; move the core offer pitch to Ascend.",
                tactic_name=f"Move the core offer pitch from {stage.name} to Ascend",
            )


# Channels whose Excite tactics are, by their nature, a follow-up with the new customer.
FOLLOW_UP_CHANNELS = frozenset({"email", "sales", "product"})
FOLLOW_UP_WORDS = (
    "welcome", "onboard", "check-in", "check in", "follow", "guide", "thank", "quick-start",
    "quick start", "kickoff", "kick-off", "tutorial", "training", "setup", "set-up", "survey",
    "call", "sequence", "bonus", "gift", "surprise", "personal video",
)  # fmt: skip


def is_follow_up(tactic: TacticSnap) -> bool:
    """A follow-up after the first purchase: flagged as one, picked from the library's Excite
    tactics (all of them are), on a one-to-one channel, or named like one."""
    if tactic.is_follow_up or not tactic.is_custom or tactic.channel in FOLLOW_UP_CHANNELS:
        return True
    name = tactic.name.lower()
    return any(word in name for word in FOLLOW_UP_WORDS)


def excite_without_follow_up(s: JourneySnapshot) -> Iterator[Gap]:
    tactics = _stage(s, "excite").tactics
    if not tactics:
        return  # already reported as an empty stage
    if not any(is_follow_up(t) for t in tactics):
        yield Gap(
            "excite_no_follow_up",
            "tip",
            "excite",
            "Excite has no follow-up after the first purchase.",
            "Add a welcome sequence, quick-start guide or check-in right after the first buy "
            "(or mark an Excite tactic as the follow-up in the plan).",
            tactic_name="Follow up after the first purchase",
        )


def no_review_or_referral_ask(s: JourneySnapshot) -> Iterator[Gap]:
    for slug, what in (("advocate", "review ask"), ("promote", "referral mechanism")):
        stage = _stage(s, slug)
        if not stage.tactics and not stage.offers:
            yield Gap(
                f"no_{slug}",
                "warning",
                slug,
                f"{stage.name} is empty: no {what}.",
                f"Add a {what} so happy customers bring the next ones.",
                tactic_name=f"Add a {what}",
            )


def persona_incomplete(s: JourneySnapshot) -> Iterator[Gap]:
    if not s.persona.pains.strip():
        yield Gap(
            "persona_no_pains",
            "warning",
            "",
            f"The persona “{s.persona.name}” has no pain points.",
            "Write down what keeps them up at night; every stage's message depends on it.",
        )
    if not s.persona.awareness_level:
        yield Gap(
            "persona_no_awareness",
            "warning",
            "",
            "The persona's awareness level is not set.",
            "Pick unaware, problem-, solution- or product-aware: it decides what Engage says.",
        )


# What engages each awareness level (DOMAIN.md): entertain the unaware, educate the
# problem-aware, contrast with other solutions for the solution-aware, compare with
# competitors for the product-aware. Channels that carry that kind of content:
AWARENESS_ADVICE = {
    "unaware": "entertain them (social video, events, partner features)",
    "problem_aware": "educate them about the problem (blog, guides, search content)",
    "solution_aware": "contrast your approach with the usual solutions (comparisons, case content)",
    "product_aware": "compare with competitors and make the offer concrete (demos, reviews)",
}


def engage_mismatches_awareness(s: JourneySnapshot) -> Iterator[Gap]:
    level = s.persona.awareness_level
    engage = _stage(s, "engage")
    if not level or not engage.tactics:
        return
    fitting = AWARENESS_CHANNELS[level]
    if not any(t.channel in fitting for t in engage.tactics):
        yield Gap(
            "engage_awareness_mismatch",
            "warning",
            "engage",
            f"Engage content doesn't fit a {s.persona.awareness_label.lower()} persona.",
            f"For {s.persona.name}, {AWARENESS_ADVICE[level]}.",
            tactic_name=f"Engage content for a {s.persona.awareness_label.lower()} persona",
        )


RULES: tuple[Callable[[JourneySnapshot], Iterator[Gap]], ...] = (
    empty_stages,
    subscribe_without_lead_magnet,
    convert_without_entry_offer,
    entry_priced_at_or_above_core,
    ascend_without_offer,
    core_pitched_too_early,
    excite_without_follow_up,
    no_review_or_referral_ask,
    persona_incomplete,
    engage_mismatches_awareness,
)


def journey_gaps(snapshot: JourneySnapshot) -> list[Gap]:
    """All gaps, most severe first, then in stage order."""
    positions = {s.slug: s.position for s in snapshot.stages}
    found = [gap for rule in RULES for gap in rule(snapshot)]
    return sorted(found, key=lambda g: (SEVERITY_ORDER[g.severity], positions.get(g.stage, 0)))


# --- For a live audience: the same rules, phrased as next steps, and a progress checklist.
# Severities stay in the strategist's own list and in the PDF; a client on a shared screen
# sees what to do next, not a wall of red.

CLIENT_PHRASES: dict[str, str] = {
    "empty_stage": "a first {stage} tactic",
    "no_lead_magnet": "a lead magnet for Subscribe",
    "no_entry_point": "an entry-point offer for Convert",
    "entry_not_below_core": "an entry-point price well below the core offer",
    "no_ascension": "the core offer and a next offer on the Ascend ladder",
    "core_too_early": "value-first content at {stage} (the core offer waits for Ascend)",
    "excite_no_follow_up": "a welcome or check-in right after the first purchase",
    "no_advocate": "a way to ask happy clients for reviews",
    "no_promote": "a referral incentive so clients bring friends",
    "persona_no_pains": "the persona's pain points",
    "persona_no_awareness": "how aware the persona already is of the problem",
    "engage_awareness_mismatch": "Engage content that fits where {persona} is today",
}


@dataclass(frozen=True)
class Opportunity:
    """One gap as a client reads it: "Next: add a lead magnet for Subscribe"."""

    stage: str  # slug, or "" for the whole journey
    stage_name: str
    what: str  # "a lead magnet for Subscribe"
    why: str

    @property
    def headline(self) -> str:
        return f"Next: add {self.what}"


@dataclass(frozen=True)
class ChecklistItem:
    label: str
    done: bool
    stage: str


@dataclass(frozen=True)
class JourneyHealth:
    stages_with_tactics: int
    stage_count: int
    checklist: tuple[ChecklistItem, ...]
    opportunities: tuple[Opportunity, ...]

    @property
    def next_step(self) -> str:
        return self.opportunities[0].what if self.opportunities else ""

    @property
    def summary(self) -> str:
        """ "3 of 8 stages have tactics · next: a lead magnet for Subscribe" """
        text = f"{self.stages_with_tactics} of {self.stage_count} stages have tactics"
        return f"{text} · next: {self.next_step}" if self.next_step else text

    @property
    def done(self) -> int:
        return sum(item.done for item in self.checklist)


def journey_opportunities(snapshot: JourneySnapshot, gaps: list[Gap]) -> list[Opportunity]:
    """What would move the journey most first, then left to right; journey-wide ones last."""
    names = {s.slug: s.name for s in snapshot.stages}
    positions = {s.slug: s.position for s in snapshot.stages}
    ordered = sorted(gaps, key=lambda g: (SEVERITY_ORDER[g.severity], positions.get(g.stage, 99)))
    found = []
    for gap in ordered:
        phrase = CLIENT_PHRASES.get(gap.rule)
        if phrase is None:
            continue
        stage_name = names.get(gap.stage, "")
        found.append(
            Opportunity(
                stage=gap.stage,
                stage_name=stage_name,
                what=phrase.format(stage=stage_name, persona=snapshot.persona.name),
                why=gap.fix,
            )
        )
    return found


def journey_health(snapshot: JourneySnapshot, gaps: list[Gap] | None = None) -> JourneyHealth:
    gaps = journey_gaps(snapshot) if gaps is None else gaps
    checklist = [
        ChecklistItem(f"{s.name} has a tactic", bool(s.tactics), s.slug) for s in snapshot.stages
    ]
    offer_steps = (
        ("subscribe", "Subscribe has a lead magnet"),
        ("convert", "Convert has an entry-point offer"),
        ("ascend", "Ascend has a next offer"),
    )
    for slug, label in offer_steps:
        checklist.append(ChecklistItem(label, bool(_stage(snapshot, slug).offers), slug))
    return JourneyHealth(
        stages_with_tactics=sum(bool(s.tactics) for s in snapshot.stages),
        stage_count=len(snapshot.stages),
        checklist=tuple(checklist),
        opportunities=tuple(journey_opportunities(snapshot, gaps)),
    )
