"""The action plan: pure functions over a journey snapshot, shared by the Plan view, the CSV
export and the PDF (roadmap, executive summary priorities, "Next steps")."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from cvj.csvsafe import csv_safe

from ..models import HORIZON_DAYS, PlanHorizon
from .snapshot import JourneySnapshot, TacticSnap

HORIZON_ORDER = {"now": 0, "next": 1, "later": 2, "": 3}


def plan_order(tactic: TacticSnap) -> tuple:
    """Horizon first (now, next, later, unscheduled), then start date, then the map's order."""
    return (
        HORIZON_ORDER.get(tactic.horizon, 3),
        tactic.start_date or "9999-12-31",
        tactic.stage_position,
        tactic.id,
    )


def plan_items(snapshot: JourneySnapshot) -> list[TacticSnap]:
    return sorted(snapshot.tactics, key=plan_order)


@dataclass(frozen=True)
class HorizonGroup:
    key: str
    label: str
    days: int | None
    items: tuple[TacticSnap, ...]
    budget: Decimal


def roadmap(snapshot: JourneySnapshot) -> list[HorizonGroup]:
    """Tactics grouped by horizon (only the tactics someone put on the plan; the rest form an
    "Unscheduled" group so nothing silently drops out of the roadmap)."""
    groups = []
    items = plan_items(snapshot)
    for key, label in [*PlanHorizon.choices, ("", "Not scheduled yet")]:
        chosen = tuple(t for t in items if t.horizon == key)
        if chosen:
            groups.append(
                HorizonGroup(
                    key=key,
                    label=str(label),
                    days=HORIZON_DAYS.get(key),
                    items=chosen,
                    budget=sum((t.monthly_budget or Decimal(0) for t in chosen), Decimal(0)),
                )
            )
    return groups


def planned_budget(snapshot: JourneySnapshot) -> Decimal:
    return sum((t.monthly_budget or Decimal(0) for t in snapshot.tactics), Decimal(0))


def first_actions(snapshot: JourneySnapshot, limit: int = 5) -> list[TacticSnap]:
    """What to do first: the plan's open items that someone scheduled, soonest first."""
    return [t for t in plan_items(snapshot) if t.is_planned and t.status != "done"][:limit]


def priorities(snapshot: JourneySnapshot) -> list[TacticSnap]:
    """The strategist's picks; without any, the plan's first three actions."""
    return list(snapshot.priority_tactics) or first_actions(snapshot, limit=3)


@dataclass(frozen=True)
class SummaryBlock:
    kind: str  # "p" | "ul"
    lines: tuple[str, ...]


_BULLET = re.compile(r"^\s*[-*•]\s+")


def summary_blocks(text: str) -> list[SummaryBlock]:
    """The executive summary's tiny markup: a blank line starts a paragraph, lines starting with
    "- " (or "* ", "• ") are list items. Returns plain strings; templates escape them."""
    blocks: list[SummaryBlock] = []
    for chunk in re.split(r"\n\s*\n", (text or "").replace("\r\n", "\n").strip()):
        lines = [line.rstrip() for line in chunk.split("\n") if line.strip()]
        paragraph: list[str] = []
        bullets: list[str] = []
        for line in lines:
            if _BULLET.match(line):
                if paragraph:
                    blocks.append(SummaryBlock("p", (" ".join(paragraph),)))
                    paragraph = []
                bullets.append(_BULLET.sub("", line).strip())
            elif bullets and line.startswith(("  ", "\t")):
                bullets[-1] += " " + line.strip()  # continuation of a list item
            else:
                if bullets:
                    blocks.append(SummaryBlock("ul", tuple(bullets)))
                    bullets = []
                paragraph.append(line.strip())
        if paragraph:
            blocks.append(SummaryBlock("p", (" ".join(paragraph),)))
        if bullets:
            blocks.append(SummaryBlock("ul", tuple(bullets)))
    return blocks


# ---- CSV for the client's project tool ---------------------------------------------------

CSV_HEADER = (
    "Stage", "Tactic", "Channel", "Owner side", "Owner", "Start date", "Horizon",
    "Monthly budget", "Currency", "Status", "Follow-up", "Notes",
)  # fmt: skip


def plan_csv(snapshot: JourneySnapshot, items: Iterable[TacticSnap] | None = None) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_HEADER)
    for t in items if items is not None else plan_items(snapshot):
        writer.writerow(
            [
                csv_safe(v)
                for v in (
                    t.stage_name,
                    t.name,
                    t.channel_label,
                    t.owner_side and t.owner_side.title(),
                    t.owner_name,
                    t.start_date,
                    t.horizon_label,
                    "" if t.monthly_budget is None else f"{t.monthly_budget:.2f}",
                    snapshot.core_offer.currency,
                    t.status_label,
                    "yes" if t.is_follow_up else "",
                    t.notes,
                )
            ]
        )
    return out.getvalue()
