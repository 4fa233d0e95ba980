"""The action plan: pure functions over a journey snapshot, shared by the Plan view, the CSV
export and the PDF (roadmap timeline and month-by-month budget, summary priorities, the first
30 days of "Next steps")."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from cvj.csvsafe import csv_safe

from ..models import HORIZON_DAYS
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


def is_scheduled(tactic: TacticSnap) -> bool:
    """On the calendar: a start date or a horizon (now, next, later)."""
    return bool(tactic.start_date or tactic.horizon)


# A horizon without a date starts this many days after the plan's first day.
HORIZON_START_DAYS = {"now": 0, "next": HORIZON_DAYS["now"], "later": HORIZON_DAYS["next"]}
TIMELINE_MONTHS = 6


def effective_start(tactic: TacticSnap, plan_day: date) -> date | None:
    """When a scheduled tactic starts: its date, else its horizon counted from the plan's day."""
    if tactic.start:
        return tactic.start
    if tactic.horizon:
        return plan_day + timedelta(days=HORIZON_START_DAYS.get(tactic.horizon, 0))
    return None


def _month(day: date) -> date:
    return day.replace(day=1)


def _add_months(month: date, count: int) -> date:
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class TimelineRow:
    tactic: TacticSnap
    start: date
    first_column: int | None  # the month column its bar starts in; None: after the window
    cells: tuple[bool, ...]  # one per month of the window: running that month?


@dataclass(frozen=True)
class MonthBudget:
    month: date
    running: int  # scheduled tactics started by this month
    budget: Decimal  # their monthly budgets


@dataclass(frozen=True)
class Roadmap:
    """The plan as a client reads it: scheduled tactics as bars over the first months, what
    the plan costs month by month as tactics start, and one backlog of the unscheduled."""

    months: tuple[date, ...]
    rows: tuple[TimelineRow, ...]
    month_budgets: tuple[MonthBudget, ...]  # what the scheduled tactics cost, month by month
    backlog: tuple[TacticSnap, ...]
    backlog_budget: Decimal  # budgets carried by unscheduled tactics (part of the spend)
    full_budget: Decimal  # every tactic budget once all run: the plan's monthly spend

    @property
    def has_budgets(self) -> bool:
        return self.full_budget > 0


def roadmap(snapshot: JourneySnapshot, months: int = TIMELINE_MONTHS) -> Roadmap | None:
    """Computed once for the PDF's roadmap page; None when nothing is scheduled yet."""
    plan_day = snapshot.taken_at.date()
    items = plan_items(snapshot)
    scheduled = sorted(
        ((t, day) for t in items if (day := effective_start(t, plan_day)) is not None),
        key=lambda pair: (pair[1], pair[0].stage_position, pair[0].id),
    )
    if not scheduled:
        return None
    window = tuple(_add_months(_month(scheduled[0][1]), i) for i in range(months))
    rows = []
    budgets = [Decimal(0)] * months
    running = [0] * months
    for tactic, start in scheduled:
        column = next((i for i, m in enumerate(window) if _month(start) == m), None)
        cells = tuple(_month(start) <= m for m in window)
        rows.append(TimelineRow(tactic, start, column, cells))
        for i, on in enumerate(cells):
            running[i] += on
            if on and tactic.monthly_budget:
                budgets[i] += tactic.monthly_budget
    backlog = tuple(t for t in items if not is_scheduled(t))
    return Roadmap(
        months=window,
        rows=tuple(rows),
        month_budgets=tuple(
            MonthBudget(month, count, budget)
            for month, count, budget in zip(window, running, budgets, strict=True)
        ),
        backlog=backlog,
        backlog_budget=sum((t.monthly_budget or Decimal(0) for t in backlog), Decimal(0)),
        full_budget=planned_budget(snapshot),
    )


def planned_budget(snapshot: JourneySnapshot) -> Decimal:
    return sum((t.monthly_budget or Decimal(0) for t in snapshot.tactics), Decimal(0))


def first_actions(snapshot: JourneySnapshot, limit: int = 5) -> list[TacticSnap]:
    """What to do first: the plan's open items that someone scheduled, soonest first."""
    return [t for t in plan_items(snapshot) if t.is_planned and t.status != "done"][:limit]


def first_30_days(snapshot: JourneySnapshot, limit: int = 6) -> list[tuple[TacticSnap, date]]:
    """The open tactics scheduled soonest: those starting within 30 days of the first one
    (at least the first, at most `limit`), with the day each starts."""
    plan_day = snapshot.taken_at.date()
    dated = sorted(
        (
            (t, day)
            for t in snapshot.tactics
            if t.status != "done" and (day := effective_start(t, plan_day)) is not None
        ),
        key=lambda pair: (pair[1], pair[0].stage_position, pair[0].id),
    )
    if not dated:
        return []
    horizon = dated[0][1] + timedelta(days=HORIZON_DAYS["now"])
    return [pair for pair in dated if pair[1] < horizon][:limit]


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
