"""Economics with hand-computed figures, to the cent (see journeys/deliverable/economics.py).

The small journey: 2,000 people reached a month, $1,500 spend entered, a 60 % gross margin.
Each level is the whole people above × its stage's target, rounded half up:
  2,000 × 12 % = 240 engaged; 240 × 40 % = 96 subscribers; 96 × 30 % = 28.8 → 29 first-time
  buyers; 29 × 85 % = 24.65 → 25 excited; 25 × 40 % = 10 repeat customers; 10 × 30 % = 3
  advocates; 3 × 50 % = 1.5 → 2 promoters; 2 × 10 % = 0.2 → 0 referred customers.
Rows (buyers × price × payments a month):
  entry  Starter   29 × $19 (one-time)                = $551
  core             10 × $129 every two weeks = 10 × 129 × 26 / 12 = $2,795
  rung 1 Bundle     10 × 30 % = 3   × $89.50 a month  = $268.50
  rung 2 Move-out    3 × 30 % = 0.9 → 1 × $349        = $349
  rung 3 Estate      1 × 30 % = 0.3 → 0: fewer than one buyer a month, $0
  total 551 + 2,795 + 268.50 + 349 = 3,963.50 → $3,964 (from 1,000: whole units, half up)
Contribution: 3,964 × 60 % = 2,378.40 → $2,378; − $1,500 = $878.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from journeys.deliverable.economics import (
    CHART_BAR_SPAN,
    CHART_THINNEST,
    funnel_bars,
    journey_economics,
    printed_amount,
)
from journeys.deliverable.snapshot import journey_snapshot
from journeys.models import Journey
from journeys.services import offer_attach
from tests.factories import OfferFactory

pytestmark = pytest.mark.django_db

RATES = {
    "aware": "12", "engage": "40", "subscribe": "30", "convert": "85",
    "excite": "40", "ascend": "30", "advocate": "50", "promote": "10",
}  # fmt: skip


@pytest.fixture
def small_journey(journey):
    business = journey.business
    core = journey.core_offer
    core.price, core.billing_period = Decimal("129"), "biweekly"
    core.save()
    journey.monthly_reach, journey.monthly_spend = 2_000, Decimal("1500")
    journey.gross_margin = Decimal("60")
    journey.save()
    stages = {e.stage.slug: e for e in journey.stages.select_related("stage")}
    for slug, rate in RATES.items():
        stages[slug].target_conversion = Decimal(rate)
        stages[slug].save()
    entry = OfferFactory(business=business, kind="entry_point", name="Starter", price=19)
    offer_attach(journey_stage=stages["convert"], offer=entry)
    offer_attach(journey_stage=stages["ascend"], offer=core)
    for name, price, period in (
        ("Bundle", "89.50", "monthly"),
        ("Move-out", "349", "one_time"),
        ("Estate", "1499.99", "one_time"),
    ):
        offer = OfferFactory(
            business=business, kind="ascension", name=name, price=price, billing_period=period
        )
        offer_attach(journey_stage=stages["ascend"], offer=offer)
    return journey


def _economics(journey: Journey):
    return journey_economics(journey_snapshot(Journey.objects.get(pk=journey.pk)))


def test_people_are_whole_and_each_level_comes_from_the_whole_people_above(small_journey):
    economics = _economics(small_journey)
    assert [level.people for level in economics.levels] == [
        Decimal(n) for n in (2000, 240, 96, 29, 25, 10, 3, 2)
    ]
    assert economics.referred_customers == 0  # 2 × 10 % = 0.2
    assert economics.first_buyers == 29


def test_each_rate_is_labelled_by_what_it_converts(small_journey):
    levels = _economics(small_journey).levels
    assert [(level.conversion_label, level.rate) for level in levels[2:4]] == [
        ("Subscribe → Convert", Decimal("30.0")),
        ("Convert → Excite", Decimal("85.0")),
    ]
    assert levels[-1].conversion_label == "Promote → referrals"


def test_every_row_is_buyers_times_price_times_payments_a_month(small_journey):
    economics = _economics(small_journey)
    rows = [
        (o.name, o.buyers, o.price, o.billing_words, o.revenue, o.fewer_than_one_buyer)
        for o in economics.offers
    ]
    core = small_journey.core_offer.name
    assert rows == [
        ("Starter", 29, Decimal("19.00"), "", Decimal("551.00"), False),
        (core, 10, Decimal("129.00"), "every two weeks", Decimal("2795"), False),
        ("Bundle", 3, Decimal("89.50"), "a month", Decimal("268.50"), False),
        ("Move-out", 1, Decimal("349.00"), "", Decimal("349.00"), False),
        ("Estate", 0, Decimal("1499.99"), "", Decimal("0.00"), True),
    ]
    assert [o.kind_label for o in economics.offers[:3]] == [
        "Entry offer",
        "Core offer",
        "Upgrade offer",
    ]


def test_totals_add_up_the_printed_rows(small_journey):
    economics = _economics(small_journey)
    assert economics.front_end_revenue == Decimal("551.00")
    assert economics.back_end_revenue == Decimal("3413")  # 2,795 + 268.50 + 349 = 3,412.50
    assert economics.total_revenue == Decimal("3964")  # 3,963.50, whole units from 1,000
    assert economics.spend == Decimal("1500")


def test_with_a_gross_margin_the_bottom_line_is_contribution(small_journey):
    economics = _economics(small_journey)
    assert economics.gross_margin == Decimal("60.0")
    assert economics.gross_profit == Decimal("2378")  # 3,964 × 60 % = 2,378.40
    assert economics.bottom_line == Decimal("878")  # 2,378 − 1,500
    assert economics.bottom_line_label == "Contribution"
    assert economics.contribution == Decimal("878")


def test_without_a_gross_margin_it_is_revenue_less_spend(small_journey):
    Journey.objects.filter(pk=small_journey.pk).update(gross_margin=None)
    economics = _economics(small_journey)
    assert economics.bottom_line == Decimal("2464")  # 3,964 − 1,500
    assert economics.bottom_line_label == "Revenue less spend"
    assert economics.contribution is None and economics.gross_profit is None


def test_unit_economics(small_journey):
    """Cost per subscriber 1,500 / 96 = 15.625 → $15.63; per first-time buyer 1,500 / 29 =
    51.724… → $51.72 (the $19 entry offer does not cover it). 12-month value: 29 × 19 +
    10 × 129 × 26 + 3 × 89.50 × 12 + 1 × 349 = 551 + 33,540 + 3,222 + 349 = 37,662, per
    first-time buyer 1,298.69 → $1,299. Break-even reach: 2,000 × 1,500 / 2,378.40 =
    1,261.4 → about 1,262 people (rounded up)."""
    economics = _economics(small_journey)
    assert economics.cost_per_lead == Decimal("15.63")
    assert economics.cost_per_first_buyer == Decimal("51.72")
    assert economics.entry_covers_acquisition is False
    assert economics.twelve_month_value == Decimal("37662")
    assert economics.value_per_customer == Decimal("1299")
    assert economics.break_even_reach == Decimal("1262")


def test_the_ramp_keeps_recurring_payments_and_not_one_time_ones(small_journey):
    """One-time rows 551 + 349 = 900 a month; recurring 2,795 + 268.50 = 3,063.50, growing by a
    month's customers every month (no churn).
    Month 1: 900 + 3,063.50 = 3,963.50 → $3,964 (the projected month); contribution
      3,964 × 60 % = 2,378.40 → 2,378 − 1,500 = $878.
    Month 2: 900 + 6,127 = $7,027; 7,027 × 60 % = 4,216.20 → 4,216 − 1,500 = $2,716;
      so far 3,964 + 7,027 = $10,991.
    Month 12: 900 + 36,762 = $37,662; 37,662 × 60 % = 22,597.20 → 22,597 − 1,500 = $21,097;
      348 first-time buyers won, 120 paying every month; so far Σ(900 + 3,063.50 k), each odd
      month rounding half a unit up: 10,800 + 238,953 + 6 × 0.5 = $249,756."""
    ramp = _economics(small_journey).ramp
    assert len(ramp) == 12
    first, second, last = ramp[0], ramp[1], ramp[-1]
    assert (first.revenue, first.bottom_line, first.customers) == (Decimal(3964), 878, 29)
    assert (second.revenue, second.bottom_line, second.revenue_to_date) == (7027, 2716, 10991)
    assert (last.revenue, last.bottom_line) == (Decimal("37662"), Decimal("21097"))
    assert (last.customers, last.recurring_customers, last.new_customers) == (348, 120, 29)
    assert last.revenue_to_date == Decimal("249756")
    assert sum(m.revenue for m in ramp) == last.revenue_to_date


def test_only_recurring_rows_grow_in_the_ramp(small_journey):
    """A one-time core offer: one-time rows 551 + 1,290 + 349 = 2,190 every month; only the
    monthly bundle (3 × $89.50 = $268.50) adds up. Month 1: 2,458.50 → $2,459; month 2:
    2,190 + 2 × 268.50 = $2,727."""
    small_journey.core_offer.billing_period = "one_time"
    small_journey.core_offer.save()
    ramp = _economics(small_journey).ramp
    assert (ramp[0].revenue, ramp[1].revenue) == (Decimal("2459"), Decimal("2727"))
    assert ramp[1].recurring_customers == 6  # the bundle's 3 buyers, two months running


def test_a_rung_under_one_buyer_earns_nothing_and_stops_the_ladder(small_journey):
    Journey.objects.filter(pk=small_journey.pk).update(monthly_reach=200)
    # 200 → 24 → 9.6 → 10 → 3 → 2.55 → 3 → 1.2 → 1 repeat customer; rung 1: 0.3 → 0
    economics = _economics(small_journey)
    rungs = economics.offers[2:]
    assert all(o.fewer_than_one_buyer and o.revenue == 0 for o in rungs)
    assert economics.offers[1].buyers == 1
    assert economics.offers[1].people_word == "buyer"


def test_rates_count_as_printed_with_one_decimal(small_journey):
    stage = small_journey.stages.get(stage__slug="aware")
    stage.target_conversion = Decimal("12.25")
    stage.save()
    Journey.objects.filter(pk=small_journey.pk).update(monthly_reach=10_000)
    levels = _economics(small_journey).levels
    assert levels[0].rate == Decimal("12.3")
    assert levels[1].people == 1230  # 10,000 × 12.3 %, the rate the page shows


def test_spend_is_the_entered_figure_until_tactics_carry_budgets(small_journey):
    economics = _economics(small_journey)
    assert (economics.spend, economics.entered_spend, economics.spend_is_planned) == (
        Decimal("1500"),
        Decimal("1500"),
        False,
    )


def test_missing_rates_count_as_zero_and_are_named(journey):
    journey.monthly_reach = 5000
    journey.save()
    economics = _economics(journey)
    assert economics.levels[1].people == 0
    assert "Aware" in economics.missing_rates and len(economics.missing_rates) == 8
    assert economics.cost_per_first_buyer is None and economics.break_even_reach is None
    assert all(o.fewer_than_one_buyer for o in economics.offers)


def test_funnel_bars_are_drawn_to_scale(small_journey):
    economics = _economics(small_journey)
    bars = funnel_bars(economics)
    assert bars[0].width == CHART_BAR_SPAN  # everyone reached
    assert bars[1].width == pytest.approx(CHART_BAR_SPAN * 240 / 2000, abs=0.05)
    assert bars[2].width == pytest.approx(CHART_BAR_SPAN * 96 / 2000, abs=0.05)
    # Two promoters out of 2,000 would be a hair: the thinnest visible stroke instead.
    assert bars[-1].width == CHART_THINNEST
    assert all(bar.x + bar.width <= bars[0].x + CHART_BAR_SPAN for bar in bars)


@pytest.mark.parametrize(
    ("period", "monthly", "yearly"),
    [
        ("one_time", "1290", "1290"),
        ("per_visit", "1290", "15480"),
        ("weekly", "5590", "67080"),  # 10 × 129 × 52 / 12
        ("biweekly", "2795", "33540"),  # 10 × 129 × 26 / 12
        ("monthly", "1290", "15480"),
        ("quarterly", "430.00", "5160"),
        ("yearly", "107.50", "1290"),
    ],
)
def test_every_billing_period_projects_month_and_year(small_journey, period, monthly, yearly):
    small_journey.core_offer.billing_period = period
    small_journey.core_offer.save()
    core = _economics(small_journey).offers[1]
    assert (core.revenue, core.value_12m) == (Decimal(monthly), Decimal(yearly))


@pytest.mark.parametrize(
    ("exact", "printed"),
    [
        ("547.2", "547.20"),
        ("999.994", "999.99"),
        ("999.995", "1000"),  # reaches 1,000 at the cent: whole units
        ("1234.49", "1234"),
        ("1234.50", "1235"),
        ("-1234.50", "-1235"),
    ],
)
def test_amounts_round_half_up_to_the_unit_printed(exact, printed):
    assert printed_amount(Decimal(exact)) == Decimal(printed)
