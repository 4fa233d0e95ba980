"""What goes on which page of the deliverable, decided in Python before WeasyPrint lays it out:
how much of each stage fits a map column, which stages open a page, the contents, the persona's
filled-in cards and the offer ladder's steps. Estimates are in mm and conservative."""

from __future__ import annotations

from dataclasses import dataclass

from ..templatetags.print_tags import clip, text_width
from .economics import Economics
from .snapshot import JourneySnapshot, OfferSnap, StageSnap, TacticSnap

# Paper: (width, height) in mm, portrait.
PAPER_MM = {"A4": (210.0, 297.0), "letter": (215.9, 279.4)}
# The map's column body on a landscape page, in mm: the budget the map fills per column.
MAP_BODY_MM = {"A4": 118.0, "letter": 126.0}  # = .col-body min-height in print.css
MAP_CHARS_PER_LINE = {"A4": 17, "letter": 15}  # 7.5 pt Inter in a map column, conservatively
MAP_NAME_LIMIT = 52


@dataclass(frozen=True)
class MapColumn:
    """What one stage's column on the map shows: only what fits, and how many are left."""

    stage: StageSnap
    tactics: tuple[TacticSnap, ...]
    tactics_more: int
    offers: tuple[OfferSnap, ...]
    offers_more: int
    people: object  # whole people at this stage per month, or None


def _lines(text: str, per_line: int) -> int:
    """Lines `text` takes when wrapped at spaces in a column `per_line` units wide."""
    lines, used = 1, 0
    for word in text.split():
        width = text_width(word)
        gap = 1 if used else 0
        if used and used + gap + width > per_line:
            lines, used, gap = lines + 1, 0, 0
        used += gap + width
        while used > per_line:  # an unbroken run (Japanese, a long word) spans lines
            lines, used = lines + 1, used - per_line
    return lines


def map_columns(snapshot: JourneySnapshot, economics: Economics | None = None) -> list[MapColumn]:
    """Decide per column how many tactics and offers fit the fixed-height map, estimating each
    item's lines, so the map never clips: the rest becomes "+N more — page X"."""
    paper = snapshot.paper_size if snapshot.paper_size in PAPER_MM else "A4"
    per_line, line_mm = MAP_CHARS_PER_LINE[paper], 3.45
    people = {lv.slug: lv.people for lv in economics.levels} if economics else {}
    columns = []
    for stage in snapshot.stages:
        # Fixed part of the column (mm): padding, big %, caption, people, metric, labels.
        metric_lines = (
            _lines(f"Measured by {clip(stage.metric, 60)}", per_line) if stage.metric else 0
        )
        people_lines = 2
        fixed = 6 + 6.6 + 3.3 + 1 + (people_lines + metric_lines) * line_mm + 3.3 + 5.3
        if stage.offers:
            fixed += 5.3  # the "Offers" label
        budget = MAP_BODY_MM[paper] - fixed
        more_line = 4.0
        # Offers first claim their room (at most three chips), tactics take the rest.
        offer_cost = [
            (_lines(clip(o.name, 44), per_line - 3) + (2 if o.is_recurring else 1)) * line_mm + 3.4
            for o in stage.offers[:3]
        ]
        tactic_cost = [
            _lines(clip(t.name, MAP_NAME_LIMIT), per_line) * line_mm + 1.6 for t in stage.tactics
        ]
        offers_shown = len(offer_cost)
        while offers_shown and sum(offer_cost[:offers_shown]) > budget * 0.55:
            offers_shown -= 1
        used = sum(offer_cost[:offers_shown]) + (
            more_line if offers_shown < len(stage.offers) else 0
        )
        room = budget - used
        shown = 0
        for i, cost in enumerate(tactic_cost):
            rest_needs_more = i + 1 < len(tactic_cost)
            if cost + (more_line if rest_needs_more else 0) > room:
                break
            room -= cost
            shown += 1
        columns.append(
            MapColumn(
                stage=stage,
                tactics=stage.tactics[:shown],
                tactics_more=len(stage.tactics) - shown,
                offers=stage.offers[:offers_shown],
                offers_more=len(stage.offers) - offers_shown,
                people=people.get(stage.slug),
            )
        )
    return columns


@dataclass(frozen=True)
class ContentsEntry:
    anchor: str
    title: str
    level: int  # 1: a section, 2: a stage


@dataclass(frozen=True)
class PersonaCard:
    key: str
    title: str
    text: str


@dataclass(frozen=True)
class LadderStep:
    offer: OfferSnap
    climb: int  # 0–10: how far right the step sits (print.css .climb-N), so the stairs climb


PERSONA_FIELDS = (
    ("goals", "goals_values", "Goals and values"),
    ("pains", "pains", "Pain points"),
    ("passions", "passions", "Passions"),
    ("channels", "channels", "Where they get information"),
    ("objections", "objections", "Objections"),
    ("decision", "decision_role", "Role in the purchase decision"),
)


def persona_cards(snapshot: JourneySnapshot) -> list[PersonaCard]:
    """Only what the persona has: an empty field is left out, never printed as "Not set"."""
    persona = snapshot.persona
    return [
        PersonaCard(key, title, text.strip())
        for key, field_name, title in PERSONA_FIELDS
        if (text := getattr(persona, field_name)).strip()
    ]


LADDER_CLIMB_STEPS = 10  # the top step sits at .climb-10 (print.css: 30 % of the width)


def ladder_steps(snapshot: JourneySnapshot) -> list[LadderStep]:
    stairs = [o for o in sorted(snapshot.ladder, key=_by_price) if o.kind != "referral"]
    last = max(len(stairs) - 1, 1)
    return [
        LadderStep(offer, round(LADDER_CLIMB_STEPS * index / last))
        for index, offer in enumerate(stairs)
    ]


def printed_stages(snapshot: JourneySnapshot) -> list[StageSnap]:
    """Stages with anything to say get a stage page; an empty one stays on the map only."""
    return [
        stage
        for stage in snapshot.stages
        if stage.goal.strip()
        or stage.metric.strip()
        or stage.notes.strip()
        or stage.tactics
        or stage.offers
        or stage.target_conversion is not None
    ]


# The body of a portrait page in mm (print.css margins) and a line's width in characters of
# 9.5 pt Inter across it, conservatively, for estimating where a stage ends.
BODY_MM = {"A4": 297.0 - 40, "letter": 279.4 - 40}
BODY_CHARS = {"A4": 92, "letter": 94}


def _stage_height_mm(stage: StageSnap, per_line: int) -> float:
    """A generous estimate of a stage section's height: header, goal, tactics, offers, notes."""
    height = 24.0 + (5.0 if stage.metric else 0) + 8.0  # header and the gap before the next
    if stage.goal:
        height += 4 + _lines(stage.goal, per_line - 8) * 5.4
    if stage.tactics:
        height += 9
        for tactic in stage.tactics:
            height += 4.5 + _lines(tactic.name, per_line - 12) * 5.0
            height += 4.2 if tactic.is_planned else 0
            height += _lines(tactic.notes, per_line) * 4.9 if tactic.notes else 0
    if stage.offers:
        height += 9
        for offer in stage.offers:
            height += 6 + _lines(offer.name, per_line - 20) * 5.2 + _lines(offer.format, per_line)
            height += _lines(offer.promise, per_line) * 4.8 if offer.promise else 0
    if stage.notes:
        height += 14 + sum(_lines(part, per_line - 6) * 4.9 for part in stage.notes.split("\n"))
    return height * 1.1


def stages_starting_a_page(snapshot: JourneySnapshot, stages: list[StageSnap]) -> set[str]:
    """Which stages open a new page: the first, and any that would not fit below the one
    before. Stages flow two (or more) to a page when they are short, and one never splits
    across pages unless it alone is longer than a page (print.css keeps each stage whole)."""
    paper = snapshot.paper_size if snapshot.paper_size in BODY_MM else "A4"
    page, per_line = BODY_MM[paper], BODY_CHARS[paper]
    starting, room = set(), 0.0
    for stage in stages:
        height = _stage_height_mm(stage, per_line)
        if height > room:
            starting.add(stage.slug)
            room = page
        room -= height
    return starting


def contents(snapshot: JourneySnapshot, *, has_roadmap: bool, has_economics: bool) -> list:
    """The printed contents, in document order; page numbers come from the layout."""
    entries = [
        ContentsEntry("summary", "Executive summary", 1),
        ContentsEntry("persona", "Customer avatar", 1),
        ContentsEntry("ladder", "The offer ladder", 1),
        ContentsEntry("map", "The journey map", 1),
    ]
    entries += [
        ContentsEntry(f"stage-{stage.slug}", f"{stage.position}. {stage.name}", 2)
        for stage in printed_stages(snapshot)
    ]
    if has_roadmap:
        entries.append(ContentsEntry("roadmap", "Roadmap", 1))
    if has_economics:
        entries.append(ContentsEntry("economics", "The numbers", 1))
    entries.append(ContentsEntry("next-steps", "Next steps", 1))
    return entries


def _by_price(offer: OfferSnap) -> tuple:
    # The ladder climbs by price; free lead magnets before free anything else.
    return (offer.price, 0 if offer.kind == "lead_magnet" else 1, offer.name)
