"""Target vs actual: every figure the scorecard, its JSON and the Month N review show, computed
once here from the economics' targets (journeys.deliverable.economics) and the month's actuals.

Definitions (shown on the page and in the review):
* A stage's *actual conversion* is the people at the next stage ÷ the people at this stage, the
  same direction as its target (Aware % = engaged ÷ reach, …, Advocate % = promoters ÷
  advocates). Promote's target feeds referred customers, which actuals do not count, so it has
  no actual. Percentages are shown to a tenth of a percent, rounded half up.
* *Share of target* = actual ÷ target conversion. The stage that *leaks most* is the one with the
  lowest share of target below 100 % (the largest shortfall relative to its own target, so a
  2 % → 1 % stage counts as much as a 40 % → 20 % one), among stages whose shortfall is at least
  one whole person (people here × target % − people at the next stage ≥ 1: two advocates and no
  promoter against a 20 % target is 0.4 of a person, noise rather than a leak); on a tie the
  earlier stage, where the loss compounds through every later stage. No stage is named when
  no stage falls short by a person or more.
* Cost per lead = spend ÷ subscribers; cost per first-time buyer = spend ÷ first-time buyers; to
  the cent, rounded half up, like the economics' targets.
* *Month N* counts calendar months from the first month with actuals (that month is Month 1).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from ..deliverable.economics import Economics
from ..deliverable.snapshot import JourneySnapshot
from ..templatetags.cvj import money, percent
from .figures import PEOPLE
from .models import MonthActuals

TENTH = Decimal("0.1")
CENT = Decimal("0.01")
HUNDRED = Decimal(100)
GOOD, SHORT = "#1f6f43", "#b42318"  # bar colours, ≥ 4.5:1 on white; words say it as well


def _pct(value: Decimal | None) -> Decimal | None:
    return None if value is None else value.quantize(TENTH, rounding=ROUND_HALF_UP)


def _cents(value: Decimal | None) -> Decimal | None:
    return None if value is None else value.quantize(CENT, rounding=ROUND_HALF_UP)


def _share(part: int | Decimal | None, whole: int | Decimal | None) -> Decimal | None:
    if part is None or whole is None or whole <= 0:
        return None
    return Decimal(part) / Decimal(whole)


def percent_text(value: Decimal | None) -> str:
    """As every percentage of the app prints (the `percent` filter): "16.7 %", "25 %"."""
    return percent(value)


@dataclass(frozen=True)
class StageScore:
    slug: str
    name: str
    people_label: str
    target_people: Decimal | None
    actual_people: int | None
    target_rate: Decimal | None  # % of people here the targets expect at the next stage
    actual_rate: Decimal | None  # the month's %, to a tenth
    share_of_target: Decimal | None  # actual ÷ target, %, to a tenth
    gap_points: Decimal | None  # actual − target, percentage points, to a tenth
    rank_share: Decimal | None = None  # exact actual ÷ target, for naming the leak
    people_short: Decimal | None = None  # people the next stage missed against the target
    next_label: str = ""  # who the people at the next stage are

    @property
    def below_target(self) -> bool:
        return self.rank_share is not None and self.rank_share < 1

    @property
    def leaks(self) -> bool:
        """Below target by at least one whole person: a candidate for "leaks most"."""
        return self.below_target and self.people_short is not None and self.people_short >= 1

    @property
    def people_short_whole(self) -> Decimal | None:
        if self.people_short is None:
            return None
        return self.people_short.quantize(Decimal(1), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class MoneyScore:
    key: str
    label: str
    target: Decimal | None
    actual: Decimal | None
    lower_is_better: bool

    @property
    def difference(self) -> Decimal | None:
        if self.target is None or self.actual is None:
            return None
        return self.actual - self.target

    @property
    def on_target(self) -> bool | None:
        if self.difference is None:
            return None
        return self.difference <= 0 if self.lower_is_better else self.difference >= 0


@dataclass(frozen=True)
class CompareBar:
    """One row of the target-vs-actual chart: the stage's name and figures above a bar showing
    the actual as a share of target (100 % = on target) on a 0–200 % scale, in a view box
    CHART_WIDTH wide — narrow enough that its text stays readable on a 390 px phone."""

    name: str
    y: int
    width: float
    color: str
    text: str


@dataclass(frozen=True)
class TrendPoint:
    month: date
    value: Decimal | None
    text: str
    x: float
    y: float | None


@dataclass(frozen=True)
class Trend:
    key: str
    title: str
    target: Decimal | None
    target_text: str
    points: tuple[TrendPoint, ...]
    lines: tuple[str, ...]  # SVG polyline point lists, broken where a month is not measured
    target_y: float | None
    top_text: str
    summary: str  # the chart's accessible name


@dataclass(frozen=True)
class Scorecard:
    month: date | None
    month_number: int
    months: tuple[date, ...]
    currency: str
    stages: tuple[StageScore, ...]
    money: tuple[MoneyScore, ...]
    leak: StageScore | None
    bars: tuple[CompareBar, ...]
    trends: tuple[Trend, ...]

    @property
    def has_actuals(self) -> bool:
        return self.month is not None

    @property
    def bars_bottom(self) -> int:
        """Where the target-vs-actual chart's rows end (its axis labels sit below)."""
        return len(self.bars) * CHART_ROW

    @property
    def chart_width(self) -> int:
        return CHART_WIDTH

    @property
    def target_x(self) -> int:
        return CHART_WIDTH // 2  # 100 % of target on the 0–200 % scale


def month_number(month: date, first: date) -> int:
    return (month.year - first.year) * 12 + month.month - first.month + 1


def _stage_scores(
    snapshot: JourneySnapshot, economics: Economics, row: MonthActuals | None
) -> tuple[StageScore, ...]:
    names = {stage.slug: stage.name for stage in snapshot.stages}
    levels = {level.slug: level for level in economics.levels}
    scores = []
    for index, figure in enumerate(PEOPLE):
        level = levels.get(figure.stage)
        target = level.rate if level is not None else None
        here = getattr(row, figure.column) if row else None
        following = (
            getattr(row, PEOPLE[index + 1].column) if row and index + 1 < len(PEOPLE) else None
        )
        exact = _share(following, here)
        actual = None if exact is None else exact * HUNDRED
        rank = actual / target if actual is not None and target else None
        short = here * target / HUNDRED - following if rank is not None else None
        scores.append(
            StageScore(
                slug=figure.stage,
                name=names.get(figure.stage, figure.label),
                people_label=figure.label,
                target_people=level.people if level is not None and economics.reach else None,
                actual_people=here,
                target_rate=target,
                actual_rate=_pct(actual),
                share_of_target=_pct(rank * HUNDRED if rank is not None else None),
                gap_points=_pct(actual - target) if actual is not None and target else None,
                rank_share=rank,
                people_short=short,
                next_label=PEOPLE[index + 1].label if index + 1 < len(PEOPLE) else "",
            )
        )
    return tuple(scores)


def _money_scores(economics: Economics, row: MonthActuals | None) -> tuple[MoneyScore, ...]:
    spend = row.spend if row else None
    lead = _cents(_share(spend, row.subscribers)) if row else None
    buyer = _cents(_share(spend, row.first_buyers)) if row else None
    return (
        MoneyScore("cost_per_lead", "Cost per lead", economics.cost_per_lead, lead, True),
        MoneyScore(
            "cost_per_first_buyer",
            "Cost per first-time buyer",
            economics.cost_per_first_buyer,
            buyer,
            True,
        ),
        MoneyScore(
            "revenue", "Revenue", economics.total_revenue, row.revenue if row else None, False
        ),
        MoneyScore("spend", "Spend", economics.spend, spend, True),
    )


def _leak(stages: Sequence[StageScore]) -> StageScore | None:
    leaking = [s for s in stages if s.leaks]
    return min(leaking, key=lambda s: s.rank_share) if leaking else None


CHART_WIDTH, CHART_ROW = 360, 42


def _bars(stages: Sequence[StageScore]) -> tuple[CompareBar, ...]:
    bars = []
    for index, stage in enumerate(stages):
        if stage.share_of_target is None:
            text = "no target" if not stage.target_rate else "not measured"
            width, color = 0.0, GOOD
        else:
            share = min(stage.share_of_target, Decimal(200))
            width = round(float(share) / 200 * CHART_WIDTH, 1)
            color = SHORT if stage.below_target else GOOD
            text = f"{percent_text(stage.actual_rate)} of {percent_text(stage.target_rate)}"
        bars.append(CompareBar(stage.name, index * CHART_ROW, width, color, text))
    return tuple(bars)


# Trend charts: a 320 × 120 view box, the plot between these bounds.
T_LEFT, T_RIGHT, T_TOP, T_BOTTOM = 8.0, 312.0, 14.0, 92.0


def _trend(
    key: str,
    title: str,
    values: Sequence[tuple[date, Decimal | None]],
    target: Decimal | None,
    text: Callable[[Decimal | None], str],
) -> Trend:
    known = [v for _, v in values if v is not None]
    top = max([*known, target or Decimal(0), Decimal(0)])
    top = top * Decimal("1.1") if top > 0 else Decimal(1)
    step = (T_RIGHT - T_LEFT) / (len(values) - 1) if len(values) > 1 else 0.0

    def y_of(value: Decimal) -> float:
        return round(T_BOTTOM - float(value / top) * (T_BOTTOM - T_TOP), 1)

    points = []
    for index, (month, value) in enumerate(values):
        x = round(T_LEFT + step * index if len(values) > 1 else (T_LEFT + T_RIGHT) / 2, 1)
        points.append(
            TrendPoint(month, value, text(value), x, None if value is None else y_of(value))
        )
    lines, current = [], []
    for point in points:
        if point.y is None:
            if current:
                lines.append(" ".join(current))
            current = []
        else:
            current.append(f"{point.x},{point.y}")
    if current:
        lines.append(" ".join(current))
    latest = next((p for p in reversed(points) if p.value is not None), None)
    summary = f"{title}, month by month: " + ", ".join(f"{p.month:%b %Y} {p.text}" for p in points)
    summary += f"; target {text(target)}." if target is not None else "; no target."
    return Trend(
        key=key,
        title=title,
        target=target,
        target_text=text(target),
        points=tuple(points),
        lines=tuple(lines),
        target_y=None if target is None else y_of(target),
        top_text=latest.text if latest else "—",
        summary=summary,
    )


def _trends(
    snapshot: JourneySnapshot, economics: Economics, rows: Sequence[MonthActuals]
) -> tuple[Trend, ...]:
    per_month = [(row.month, _stage_scores(snapshot, economics, row)) for row in rows]
    trends = []
    for index, stage in enumerate(_stage_scores(snapshot, economics, None)[:-1]):
        values = [(month, scores[index].actual_rate) for month, scores in per_month]
        trends.append(
            _trend(
                f"rate_{stage.slug}",
                f"{stage.name} conversion",
                values,
                stage.target_rate,
                percent_text,
            )
        )
    currency = snapshot.core_offer.currency

    def as_money(value: Decimal | None) -> str:
        return money(value, currency)

    per_month_money = [(row.month, _money_scores(economics, row)) for row in rows]
    for index, score in enumerate(_money_scores(economics, None)):
        values = [(month, scores[index].actual) for month, scores in per_month_money]
        trends.append(_trend(score.key, score.label, values, score.target, as_money))
    return tuple(trends)


def journey_scorecard(
    snapshot: JourneySnapshot,
    economics: Economics,
    rows: Sequence[MonthActuals],
    *,
    month: date | None = None,
) -> Scorecard:
    """The scorecard for `month` (default: the latest month with actuals), with the trend of
    every figure over all months in `rows`."""
    rows = sorted(rows, key=lambda r: r.month)
    by_month = {row.month: row for row in rows}
    if month is None and rows:
        month = rows[-1].month
    row = by_month.get(month) if month else None
    stages = _stage_scores(snapshot, economics, row)
    return Scorecard(
        month=month if row else None,
        month_number=month_number(month, rows[0].month) if row else 0,
        months=tuple(by_month),
        currency=snapshot.core_offer.currency,
        stages=stages,
        money=_money_scores(economics, row),
        leak=_leak(stages),
        bars=_bars(stages),
        trends=_trends(snapshot, economics, rows) if rows else (),
    )


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _cents_text(value: Decimal | None) -> str | None:
    return None if value is None else str(value.quantize(CENT, rounding=ROUND_HALF_UP))


def scorecard_json(card: Scorecard, rows: Sequence[MonthActuals]) -> dict[str, object]:
    """The scorecard for the JSON endpoint: exact decimals as strings, the same figures the page
    and the review print."""
    return {
        "month": f"{card.month:%Y-%m}" if card.month else None,
        "month_number": card.month_number,
        "currency": card.currency,
        "leaks_most": card.leak.slug if card.leak else None,
        "stages": [
            {
                "stage": s.slug,
                "people_target": _text(s.target_people),
                "people_actual": s.actual_people,
                "conversion_target_percent": _text(s.target_rate),
                "conversion_actual_percent": _text(s.actual_rate),
                "share_of_target_percent": _text(s.share_of_target),
                "gap_points": _text(s.gap_points),
            }
            for s in card.stages
        ],
        "money": {
            m.key: {"target": _cents_text(m.target), "actual": _cents_text(m.actual)}
            for m in card.money
        },
        "months": [
            {
                "month": f"{row.month:%Y-%m}",
                **{figure.column: getattr(row, figure.column) for figure in PEOPLE},
                "spend": _cents_text(row.spend),
                "revenue": _cents_text(row.revenue),
            }
            for row in sorted(rows, key=lambda r: r.month)
        ],
    }
