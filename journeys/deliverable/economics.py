"""Offer-ladder economics: a projected month and a 12-month ramp, every figure as printed.

One rule, everywhere: every printed figure multiplies out *as printed*.

* People are whole. Each funnel level is the whole people of the level above × the target % of
  the stage above, rounded half up to a whole person — what a reader checking with a calculator
  does (not banker's rounding); "nearest" keeps the projection unbiased, where always rounding
  down would lose up to a person at every step and compound down the funnel:
  reached × Aware % = engaged; engaged × Engage % = subscribers; subscribers × Subscribe % =
  first-time buyers; × Convert % = excited customers; × Excite % = repeat customers;
  × Ascend % = advocates; × Advocate % = promoters; promoters × Promote % = referred customers.
* Percentages (target %, gross margin) count as printed: at most one decimal, half up.
* Who buys what: first-time buyers take the entry offer (the first entry-point offer at
  Convert), repeat customers the core offer, and each further ascension offer on the ladder is
  taken by the Ascend % of the buyers of the rung below (whole people again). Lead magnets and
  referral incentives earn nothing directly. A rung whose buyers round to zero is shown as
  "fewer than one buyer a month" and earns nothing.
* Amounts (`printed_amount`): a row's amount is buyers × price × payments a month, rounded half
  up to the unit it is printed in — the cent below 1,000, the whole unit from 1,000. Totals are
  sums of printed rows, printed by the same rule; the bottom line is built from printed figures.
* Payments a month / a year (BILLING): one-time 1 / 1 (paid once, in the month it is bought);
  per visit 1 / 12 (one visit a month); weekly 52/12 / 52; every two weeks 26/12 / 26;
  monthly 1 / 12; quarterly 1/3 / 4; yearly 1/12 / 1.
* Spend is the plan's monthly tactic budget once any tactic carries one, else the spend entered
  on the journey: one figure, decided here, that every page and screen shows.
* The bottom line is *contribution* when a gross margin is given: printed revenue × margin
  (printed) − spend. Without a margin it is "revenue less spend", which says that the cost of
  delivering the offers is not in it — never "profit".
* The 12-month ramp (`revenue_ramp`): every month brings the same new customers; one-time offers
  are paid once, in the month they are bought; recurring offers keep paying every month after
  (no churn, no price changes). Month 1 is the projected month above.

Display (journeys/templatetags/cvj.py prints with these rules, nowhere else):
* amounts — `money`: whole units from 1,000 ("$3,853"); below 1,000 cents only when there are
  any ("$547.20", "$19"); a minus sign "−" before the symbol.
* prices — `price`: as set, cents only when there are any ("$19", "$1,499.99"), so a row can be
  multiplied out from the price it prints.
* percentages — `percent`: at most one decimal ("3.5 %", "18 %").

The offer-row text contract (the PDF read-back test parses it; keep it exactly):

    <N> <people word> × <price>[ <billing words>] = <amount>/mo

N is a whole number (thousands separated by commas); the people word is "buyer" when N is 1,
else "buyers"; the price is printed by `price`; the billing words are a key of
PAYMENTS_PER_MONTH ("a week", "every two weeks", …) and absent for a one-time offer; the amount
is printed by `money` and equals N × price × PAYMENTS_PER_MONTH[words] (1 without words),
rounded half up to the unit printed: to the cent when the amount shows cents, else to the whole
unit. A rung with fewer than one buyer prints "fewer than one buyer a month" and no amount.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal

from ..rules import offer_kind_client_label, stage_palette
from .plan import planned_budget
from .snapshot import JourneySnapshot, OfferSnap, StageSnap

ZERO = Decimal("0")
CENT = Decimal("0.01")
TENTH = Decimal("0.1")
ONE = Decimal("1")
HUNDRED = Decimal("100")
WHOLE_UNITS_FROM = Decimal("1000")  # amounts at or over this print without cents
RAMP_MONTHS = 12


def printed_amount(value: Decimal) -> Decimal:
    """An amount rounded (half up) to the unit it is printed in: the cent below 1,000, the whole
    unit from 1,000. The `money` filter prints exactly this value."""
    cents = value.quantize(CENT, rounding=ROUND_HALF_UP)
    if abs(cents) >= WHOLE_UNITS_FROM:
        return value.quantize(ONE, rounding=ROUND_HALF_UP)
    return cents


def printed_percent(value: Decimal) -> Decimal:
    """A percentage as printed and as counted: at most one decimal, half up."""
    return value.quantize(TENTH, rounding=ROUND_HALF_UP)


def whole_people(value: Decimal) -> Decimal:
    return value.quantize(ONE, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Billing:
    """How often an offer is paid: payments a month as a fraction (exact), payments a year, and
    the words a row prints after the price."""

    month_num: int
    month_den: int
    per_year: int
    words: str

    @property
    def per_month(self) -> Decimal:
        return Decimal(self.month_num) / Decimal(self.month_den)


BILLING: dict[str, Billing] = {
    "one_time": Billing(1, 1, 1, ""),
    "per_visit": Billing(1, 1, 12, "a visit"),  # one visit a month
    "weekly": Billing(52, 12, 52, "a week"),
    "biweekly": Billing(26, 12, 26, "every two weeks"),
    "monthly": Billing(1, 1, 12, "a month"),
    "quarterly": Billing(1, 3, 4, "a quarter"),
    "yearly": Billing(1, 12, 1, "a year"),
}
# Billing words → payments a month: what a reader of a row multiplies by.
PAYMENTS_PER_MONTH: dict[str, Decimal] = {b.words: b.per_month for b in BILLING.values()}


def billing_of(period: str) -> Billing:
    return BILLING.get(period or "one_time", BILLING["one_time"])


# Who the people at each stage are, in the client's words.
PEOPLE_AT = {
    "aware": "Reached",
    "engage": "Engaged",
    "subscribe": "Subscribers",
    "convert": "First-time buyers",
    "excite": "Excited customers",
    "ascend": "Repeat customers",
    "advocate": "Advocates",
    "promote": "Promoters",
}


@dataclass(frozen=True)
class FunnelLevel:
    slug: str
    label: str  # who the people are: "Subscribers"
    people: Decimal  # whole people a month
    rate: Decimal | None  # the stage's target %, as printed (None: not set, counted as 0)
    conversion_label: str  # what the rate converts: "Subscribe → Convert"
    next_name: str = ""  # where the rate takes people: "Convert" (or "referrals")


@dataclass(frozen=True)
class OfferRevenue:
    name: str
    kind: str
    kind_label: str  # the client's word for the kind
    price: Decimal
    currency: str
    buyers: Decimal  # whole people a month
    revenue: Decimal  # a month, as printed: buyers × price × payments a month
    value_12m: Decimal  # what these buyers pay over twelve months, as printed
    billing_period: str = "one_time"
    billing_words: str = ""  # "every two weeks"; "" for a one-time offer

    @property
    def is_recurring(self) -> bool:
        return self.billing_period != "one_time"

    @property
    def fewer_than_one_buyer(self) -> bool:
        return self.buyers < 1

    @property
    def people_word(self) -> str:
        return "buyer" if self.buyers == 1 else "buyers"


@dataclass(frozen=True)
class RampMonth:
    month: int
    new_customers: Decimal  # first-time buyers who arrive this month
    customers: Decimal  # first-time buyers won so far
    recurring_customers: Decimal  # customers paying a recurring offer this month
    revenue: Decimal  # this month's one-time purchases + every recurring payment due
    bottom_line: Decimal  # revenue (× margin) − spend, for this month
    revenue_to_date: Decimal


@dataclass(frozen=True)
class Economics:
    reach: int
    spend: Decimal  # as printed
    levels: tuple[FunnelLevel, ...]
    referred_customers: Decimal
    offers: tuple[OfferRevenue, ...]
    front_end_revenue: Decimal  # the entry offer's row
    back_end_revenue: Decimal  # the core offer's and the ladder's rows
    total_revenue: Decimal  # one month of new customers, in their first month
    gross_margin: Decimal | None  # percent, as printed; None when not given
    gross_profit: Decimal | None  # total revenue × gross margin, as printed
    bottom_line: Decimal  # contribution, or revenue less spend without a margin
    cost_per_lead: Decimal | None
    cost_per_first_buyer: Decimal | None
    entry_price: Decimal
    entry_covers_acquisition: bool | None
    value_per_customer: Decimal | None  # 12-month value per first-time buyer
    break_even_reach: Decimal | None
    missing_rates: tuple[str, ...]
    twelve_month_value: Decimal = ZERO
    has_recurring: bool = False
    entered_spend: Decimal = ZERO  # what the strategist typed as monthly spend
    planned_budget: Decimal = ZERO  # the sum of the plan's tactic budgets
    currency: str = "USD"
    ramp: tuple[RampMonth, ...] = ()

    @property
    def is_configured(self) -> bool:
        return self.reach > 0

    @property
    def spend_is_planned(self) -> bool:
        """Is `spend` the plan's tactic budget (rather than the figure entered)?"""
        return self.planned_budget > 0

    @property
    def first_buyers(self) -> Decimal:
        """New first-time buyers a month (the people at Convert)."""
        return next((level.people for level in self.levels if level.slug == "convert"), ZERO)

    @property
    def next_stage_names(self) -> dict[str, str]:
        """Stage slug → where its target % takes people, to label a rate by what it converts."""
        return {level.slug: level.next_name for level in self.levels}

    @property
    def has_margin(self) -> bool:
        return self.gross_margin is not None

    @property
    def bottom_line_label(self) -> str:
        """The bottom line's honest name: contribution needs the cost of delivery."""
        return "Contribution" if self.has_margin else "Revenue less spend"

    @property
    def contribution(self) -> Decimal | None:
        return self.bottom_line if self.has_margin else None

    @property
    def ramp_total_revenue(self) -> Decimal:
        return self.ramp[-1].revenue_to_date if self.ramp else ZERO

    @property
    def ramp_total_bottom_line(self) -> Decimal:
        return printed_amount(sum((m.bottom_line for m in self.ramp), ZERO))

    @property
    def last_month(self) -> RampMonth | None:
        return self.ramp[-1] if self.ramp else None

    @property
    def acquisition_verdict(self) -> str:
        """Whether the entry offer pays for winning a first-time buyer: the one wording every
        page and screen shows ("" when there is nothing to judge)."""
        if self.entry_covers_acquisition is None:
            return ""
        if self.entry_covers_acquisition:
            return "Covered by the entry offer"
        return "Not covered by the entry offer"


def _offer_row(offer: OfferSnap, buyers: Decimal) -> OfferRevenue:
    billing = billing_of(offer.billing_period)
    # Exact: multiply first, divide last; then round once, to the unit printed.
    monthly = buyers * offer.price * billing.month_num / billing.month_den
    return OfferRevenue(
        name=offer.name,
        kind=offer.kind,
        kind_label=offer_kind_client_label(offer.kind),
        price=offer.price,
        currency=offer.currency,
        buyers=buyers,
        revenue=printed_amount(monthly),
        value_12m=printed_amount(buyers * offer.price * billing.per_year),
        billing_period=offer.billing_period or "one_time",
        billing_words=billing.words,
    )


def _rate(stage: StageSnap | None) -> Decimal | None:
    if stage is None or stage.target_conversion is None:
        return None
    return printed_percent(stage.target_conversion)


def _ratio(numerator: Decimal, denominator: Decimal) -> Decimal | None:
    return printed_amount(numerator / denominator) if denominator > 0 else None


def bottom_line(revenue: Decimal, spend: Decimal, gross_margin: Decimal | None) -> Decimal:
    """Contribution (revenue × margin − spend), or revenue less spend without a margin; each
    step from printed figures, printed."""
    kept = revenue if gross_margin is None else printed_amount(revenue * gross_margin / HUNDRED)
    return printed_amount(kept - spend)


def revenue_ramp(
    *,
    offers: tuple[OfferRevenue, ...],
    first_buyers: Decimal,
    spend: Decimal,
    gross_margin: Decimal | None,
    months: int = RAMP_MONTHS,
) -> tuple[RampMonth, ...]:
    """Month by month: the same new customers every month; one-time rows are paid in the month
    they are bought, recurring rows go on paying (no churn). Sums of the printed rows."""
    one_time = sum((o.revenue for o in offers if not o.is_recurring), ZERO)
    recurring = sum((o.revenue for o in offers if o.is_recurring), ZERO)
    # Each rung's buyers come from the rung below, so the largest recurring row counts everyone
    # who pays every month.
    paying = max((o.buyers for o in offers if o.is_recurring), default=ZERO)
    rows: list[RampMonth] = []
    to_date = ZERO
    for month in range(1, months + 1):
        revenue = printed_amount(one_time + recurring * month)
        to_date = printed_amount(to_date + revenue)
        rows.append(
            RampMonth(
                month=month,
                new_customers=first_buyers,
                customers=first_buyers * month,
                recurring_customers=paying * month,
                revenue=revenue,
                bottom_line=bottom_line(revenue, spend, gross_margin),
                revenue_to_date=to_date,
            )
        )
    return tuple(rows)


def _funnel(
    reach: int, stages: dict[str, StageSnap], order: tuple[str, ...]
) -> tuple[list[FunnelLevel], Decimal]:
    """The levels, each the whole people of the level above × its stage's rate; and the
    referred customers the last level brings."""
    levels: list[FunnelLevel] = []
    people = Decimal(reach)
    for index, slug in enumerate(order):
        stage = stages[slug]
        rate = _rate(stage)
        after = stages[order[index + 1]].name if index + 1 < len(order) else "referrals"
        levels.append(
            FunnelLevel(
                slug=slug,
                label=PEOPLE_AT.get(slug, stage.name),
                people=people,
                rate=rate,
                conversion_label=f"{stage.name} → {after}",
                next_name=after,
            )
        )
        people = whole_people(people * (rate or ZERO) / HUNDRED)
    return levels, people


def journey_economics(snapshot: JourneySnapshot) -> Economics:
    """Project the funnel, the revenue rows, the bottom line and the 12-month ramp."""
    budget = planned_budget(snapshot)
    spend = printed_amount(budget if budget > 0 else snapshot.monthly_spend)
    stages = {s.slug: s for s in snapshot.stages}
    order = tuple(s.slug for s in snapshot.stages)
    levels, referred = _funnel(snapshot.monthly_reach, stages, order)
    people = {level.slug: level.people for level in levels}
    missing = tuple(s.name for s in snapshot.stages if s.target_conversion is None)
    first_buyers, repeat_customers = people.get("convert", ZERO), people.get("ascend", ZERO)
    ascend_rate = _rate(stages.get("ascend")) or ZERO

    convert = stages.get("convert")
    entry_offers = [o for o in convert.offers if o.kind == "entry_point"] if convert else []
    offers: list[OfferRevenue] = []
    if entry_offers:
        offers.append(_offer_row(entry_offers[0], first_buyers))
    offers.append(_offer_row(snapshot.core_offer, repeat_customers))
    rung_buyers = repeat_customers
    ascend = stages.get("ascend")
    for offer in [o for o in ascend.offers if o.kind == "ascension"] if ascend else []:
        rung_buyers = whole_people(rung_buyers * ascend_rate / HUNDRED)
        offers.append(_offer_row(offer, rung_buyers))

    front_end = offers[0].revenue if entry_offers else ZERO
    back_end = sum((o.revenue for o in offers[1 if entry_offers else 0 :]), ZERO)
    total = printed_amount(front_end + back_end)
    margin = None if snapshot.gross_margin is None else printed_percent(snapshot.gross_margin)
    twelve_months = printed_amount(sum((o.value_12m for o in offers), ZERO))
    cost_per_first_buyer = _ratio(spend, first_buyers)
    entry_price = entry_offers[0].price if entry_offers else ZERO
    kept_share = (margin if margin is not None else HUNDRED) / HUNDRED
    break_even = (
        (Decimal(snapshot.monthly_reach) * spend / (total * kept_share)).to_integral_value(
            rounding=ROUND_CEILING
        )
        if total * kept_share > 0
        else None
    )
    offers_tuple = tuple(offers)
    return Economics(
        reach=snapshot.monthly_reach,
        spend=spend,
        levels=tuple(levels),
        referred_customers=referred,
        offers=offers_tuple,
        front_end_revenue=printed_amount(front_end),
        back_end_revenue=printed_amount(back_end),
        total_revenue=total,
        gross_margin=margin,
        gross_profit=None if margin is None else printed_amount(total * margin / HUNDRED),
        bottom_line=bottom_line(total, spend, margin),
        cost_per_lead=_ratio(spend, people.get("subscribe", ZERO)),
        cost_per_first_buyer=cost_per_first_buyer,
        entry_price=entry_price,
        entry_covers_acquisition=None
        if cost_per_first_buyer is None
        else entry_price >= cost_per_first_buyer,
        value_per_customer=_ratio(twelve_months, first_buyers),
        break_even_reach=break_even,
        missing_rates=missing,
        twelve_month_value=twelve_months,
        has_recurring=any(o.is_recurring for o in offers),
        entered_spend=printed_amount(snapshot.monthly_spend),
        planned_budget=printed_amount(budget),
        currency=snapshot.core_offer.currency,
        ramp=revenue_ramp(
            offers=offers_tuple, first_buyers=first_buyers, spend=spend, gross_margin=margin
        ),
    )


@dataclass(frozen=True)
class FunnelBar:
    label: str
    people: Decimal
    rate: Decimal | None
    conversion_label: str
    x: float  # bar geometry in the chart's 640-wide coordinate space
    width: float
    y: int
    color: str


CHART_BAR_LEFT, CHART_BAR_SPAN, CHART_ROW = 196.0, 330.0, 40
CHART_THINNEST = 1.5  # a level with anyone in it stays visible


def funnel_bars(economics: Economics) -> list[FunnelBar]:
    """Geometry for the funnel chart, to scale (bar length ∝ people; the longest is the people
    reached): the same drawing in the editor and the PDF."""
    top = max((level.people for level in economics.levels), default=ZERO)
    colors = {color.slug: color.print for color in stage_palette()}
    bars = []
    for index, level in enumerate(economics.levels):
        share = float(level.people / top) if top > 0 else 0.0
        width = share * CHART_BAR_SPAN
        if level.people > 0:
            width = max(width, CHART_THINNEST)
        bars.append(
            FunnelBar(
                label=level.label,
                people=level.people,
                rate=level.rate,
                conversion_label=level.conversion_label,
                x=CHART_BAR_LEFT,
                width=round(width, 1),
                y=index * CHART_ROW,
                color=colors.get(level.slug, "#44506a"),
            )
        )
    return bars
