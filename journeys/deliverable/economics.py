"""Offer-ladder economics: a projected monthly funnel and what it earns, in exact Decimals.

Assumptions (shown in the editor and the PDF):
* Each stage's *target conversion %* is the share of people at that stage who reach the next:
  aware × Aware% = engaged; engaged × Engage% = subscribers; subscribers × Subscribe% = first
  buyers; first buyers × Convert% = excited customers; excited × Excite% = multi-buyers;
  multi-buyers × Ascend% = advocates; advocates × Advocate% = promoters;
  promoters × Promote% = referred new customers.
* First buyers buy the entry-point offer (the first one attached at Convert).
* Multi-buyers buy the core offer; each further ascension offer on the ladder is bought by the
  Ascend % of the buyers of the rung below.
* Lead magnets and referral incentives earn nothing directly.
* Billing periods: a one-time offer is paid once, in the month it is bought. A recurring offer
  is counted at its monthly rate (weekly × 52/12, every two weeks × 26/12, monthly × 1,
  quarterly ÷ 3, yearly ÷ 12; per visit counts one visit a month) for monthly revenue, and at
  its payments in a year (52, 26, 12, 4, 1; per visit 12) for the 12-month value.
* People are shown as whole numbers; sums use the exact (fractional) projections.
* Spend is the plan's monthly tactic budget once any tactic carries one, else the spend entered
  on the journey: one figure, decided here, that every page and screen shows.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from stages.models import STAGE_SLUGS

from ..rules import stage_palette
from .plan import planned_budget
from .snapshot import JourneySnapshot, OfferSnap

ZERO = Decimal("0")
CENT = Decimal("0.01")
ONE = Decimal("1")

# payments per month, payments per year
BILLING: dict[str, tuple[Decimal, Decimal]] = {
    "one_time": (ONE, ONE),
    "per_visit": (ONE, Decimal(12)),
    "weekly": (Decimal(52) / 12, Decimal(52)),
    "biweekly": (Decimal(26) / 12, Decimal(26)),
    "monthly": (ONE, Decimal(12)),
    "quarterly": (ONE / 3, Decimal(4)),
    "yearly": (ONE / 12, ONE),
}


def billing_factors(period: str) -> tuple[Decimal, Decimal]:
    return BILLING.get(period or "one_time", (ONE, ONE))


# Who the people at each stage are, in the funnel's words.
PEOPLE_AT = {
    "aware": "Aware",
    "engage": "Engaged",
    "subscribe": "Subscribers",
    "convert": "First buyers",
    "excite": "Excited customers",
    "ascend": "Multi-buyers",
    "advocate": "Advocates",
    "promote": "Promoters",
}
FUNNEL_LEVELS = tuple((slug, PEOPLE_AT[slug]) for slug in STAGE_SLUGS)


@dataclass(frozen=True)
class FunnelLevel:
    slug: str
    label: str
    people: Decimal  # whole people, for display
    rate: Decimal | None  # the stage's conversion % that feeds the next level
    exact: Decimal = ZERO


@dataclass(frozen=True)
class OfferRevenue:
    name: str
    kind_label: str
    price: Decimal
    buyers: Decimal  # whole people, for display
    revenue: Decimal  # per month
    billing_period: str = "one_time"
    billing_label: str = "One-time"
    value_12m: Decimal = ZERO  # what this month's buyers pay over twelve months
    buyers_exact: Decimal = ZERO


@dataclass(frozen=True)
class Economics:
    reach: int
    spend: Decimal
    levels: tuple[FunnelLevel, ...]
    referred_customers: Decimal
    offers: tuple[OfferRevenue, ...]
    front_end_revenue: Decimal
    back_end_revenue: Decimal
    total_revenue: Decimal
    profit: Decimal
    cost_per_lead: Decimal | None
    cost_per_first_buyer: Decimal | None
    entry_price: Decimal
    entry_covers_acquisition: bool | None
    value_per_customer: Decimal | None  # 12-month value per first buyer
    break_even_reach: Decimal | None
    missing_rates: tuple[str, ...]
    twelve_month_value: Decimal = ZERO
    has_recurring: bool = False
    entered_spend: Decimal = ZERO  # what the strategist typed as monthly spend
    planned_budget: Decimal = ZERO  # the sum of the plan's tactic budgets

    @property
    def is_configured(self) -> bool:
        return self.reach > 0

    @property
    def spend_is_planned(self) -> bool:
        """Is `spend` the plan's tactic budget (rather than the figure entered)?"""
        return self.planned_budget > 0

    @property
    def acquisition_verdict(self) -> str:
        """Whether the entry-point offer pays for winning a first buyer: the one wording every
        page and screen shows ("" when there is nothing to judge)."""
        if self.entry_covers_acquisition is None:
            return ""
        if self.entry_covers_acquisition:
            return "Covered by the entry-point offer"
        return "Not covered by the entry-point offer"


def _money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _people(value: Decimal) -> Decimal:
    return value.quantize(ONE, rounding=ROUND_HALF_UP)


def _offer_revenue(offer: OfferSnap, buyers: Decimal) -> tuple[OfferRevenue, Decimal, Decimal]:
    """(row, exact monthly revenue, exact 12-month value) for `buyers` buyers of `offer`."""
    per_month, per_year = billing_factors(offer.billing_period)
    monthly = buyers * offer.price * per_month
    yearly = buyers * offer.price * per_year
    row = OfferRevenue(
        offer.name,
        offer.kind_label,
        offer.price,
        _people(buyers),
        _money(monthly),
        offer.billing_period or "one_time",
        offer.billing_label or "One-time",
        _money(yearly),
        buyers,
    )
    return row, monthly, yearly


def _ratio(numerator: Decimal, denominator: Decimal) -> Decimal | None:
    return _money(numerator / denominator) if denominator > 0 else None


def journey_economics(snapshot: JourneySnapshot) -> Economics:
    """Project the funnel and revenue from the snapshot's rates, reach, spend and prices."""
    reach = Decimal(snapshot.monthly_reach)
    budget = planned_budget(snapshot)
    spend = budget if budget > 0 else snapshot.monthly_spend
    stages = {s.slug: s for s in snapshot.stages}
    rates = {
        slug: (
            stages[slug].target_conversion / 100
            if stages[slug].target_conversion is not None
            else ZERO
        )
        for slug, _ in FUNNEL_LEVELS
        if slug in stages
    }
    missing = tuple(
        stages[slug].name
        for slug, _ in FUNNEL_LEVELS
        if slug in stages and stages[slug].target_conversion is None
    )

    exact: dict[str, Decimal] = {}
    people = reach
    for slug, _label in FUNNEL_LEVELS:
        exact[slug] = people
        people = people * rates.get(slug, ZERO)
    referred = people  # promoters × Promote%

    entry_offers = (
        [o for o in stages["convert"].offers if o.kind == "entry_point"] if stages else []
    )
    entry_price = entry_offers[0].price if entry_offers else ZERO
    first_buyers, multi_buyers = exact["convert"], exact["ascend"]
    offers: list[OfferRevenue] = []
    front_end = back_end = twelve_months = ZERO
    if entry_offers:
        row, monthly, yearly = _offer_revenue(entry_offers[0], first_buyers)
        offers.append(row)
        front_end, twelve_months = monthly, yearly
    row, monthly, yearly = _offer_revenue(snapshot.core_offer, multi_buyers)
    offers.append(row)
    back_end += monthly
    twelve_months += yearly
    rung_buyers = multi_buyers
    ladder = [o for o in stages["ascend"].offers if o.kind == "ascension"] if stages else []
    for offer in ladder:
        rung_buyers = rung_buyers * rates.get("ascend", ZERO)
        row, monthly, yearly = _offer_revenue(offer, rung_buyers)
        offers.append(row)
        back_end += monthly
        twelve_months += yearly
    total = front_end + back_end
    cost_per_first_buyer = _ratio(spend, first_buyers)
    return Economics(
        reach=snapshot.monthly_reach,
        spend=_money(spend),
        levels=tuple(
            FunnelLevel(
                slug,
                label,
                _people(exact[slug]),
                stages[slug].target_conversion if slug in stages else None,
                exact[slug],
            )
            for slug, label in FUNNEL_LEVELS
        ),
        referred_customers=_people(referred),
        offers=tuple(offers),
        front_end_revenue=_money(front_end),
        back_end_revenue=_money(back_end),
        total_revenue=_money(total),
        profit=_money(total - spend),
        cost_per_lead=_ratio(spend, exact["subscribe"]),
        cost_per_first_buyer=cost_per_first_buyer,
        entry_price=entry_price,
        entry_covers_acquisition=None
        if cost_per_first_buyer is None
        else entry_price >= cost_per_first_buyer,
        value_per_customer=_ratio(twelve_months, first_buyers),
        break_even_reach=_people(reach * spend / total) if total > 0 else None,
        missing_rates=missing,
        twelve_month_value=_money(twelve_months),
        has_recurring=any(o.billing_period != "one_time" for o in offers),
        entered_spend=_money(snapshot.monthly_spend),
        planned_budget=_money(budget),
    )


@dataclass(frozen=True)
class FunnelBar:
    label: str
    people: Decimal
    x: float  # bar geometry in the chart's 640-wide coordinate space
    width: float
    y: int
    color: str


CHART_BAR_LEFT, CHART_BAR_SPAN, CHART_ROW = 170.0, 380.0, 34


def funnel_bars(economics: Economics) -> list[FunnelBar]:
    """Geometry for the funnel chart (log scale, so promoters stay visible next to reach):
    the same drawing in the editor and the PDF."""
    top = max((float(level.people) for level in economics.levels), default=0.0)
    colors = {color.slug: color.print for color in stage_palette()}
    bars = []
    for index, level in enumerate(economics.levels):
        share = math.log10(float(level.people) + 1) / math.log10(top + 1) if top > 0 else 0.0
        width = round(max(share, 0.03) * CHART_BAR_SPAN, 1)
        bars.append(
            FunnelBar(
                label=level.label,
                people=level.people,
                x=round(CHART_BAR_LEFT + (CHART_BAR_SPAN - width) / 2, 1),
                width=width,
                y=index * CHART_ROW,
                color=colors[level.slug],
            )
        )
    return bars
