"""Economics with hand-computed numbers (see journeys/economics.py for the assumptions)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from journeys.deliverable.economics import funnel_bars, journey_economics
from journeys.deliverable.snapshot import journey_snapshot
from journeys.services import offer_attach
from tests.factories import OfferFactory

pytestmark = pytest.mark.django_db

RATES = {
    "aware": "10", "engage": "20", "subscribe": "25", "convert": "80",
    "excite": "50", "ascend": "40", "advocate": "50", "promote": "20",
}  # fmt: skip


@pytest.fixture
def priced_journey(journey):
    """Reach 10 000, spend 1 500; entry $19, core $129, ascension $89 then $349."""
    business = journey.business
    journey.core_offer.price = Decimal("129")
    journey.core_offer.save()
    journey.monthly_reach, journey.monthly_spend = 10_000, Decimal("1500")
    journey.save()
    stages = {e.stage.slug: e for e in journey.stages.select_related("stage")}
    for slug, rate in RATES.items():
        stages[slug].target_conversion = Decimal(rate)
        stages[slug].save()
    entry = OfferFactory(business=business, kind="entry_point", name="Starter", price=19)
    offer_attach(journey_stage=stages["convert"], offer=entry)
    offer_attach(journey_stage=stages["ascend"], offer=journey.core_offer)
    for name, price in (("Bundle", 89), ("Move-out", 349)):
        offer = OfferFactory(business=business, kind="ascension", name=name, price=price)
        offer_attach(journey_stage=stages["ascend"], offer=offer)
    return journey


def test_funnel_levels_follow_each_stage_rate(priced_journey):
    economics = journey_economics(journey_snapshot(priced_journey))
    assert [level.people for level in economics.levels] == [
        Decimal(n) for n in ("10000.0", "1000.0", "200.0", "50.0", "40.0", "20.0", "8.0", "4.0")
    ]
    assert economics.referred_customers == Decimal("1")  # 0.8 shown as a whole person
    assert economics.levels[-1].exact == Decimal("4")


def test_revenue_per_offer_front_and_back_end(priced_journey):
    economics = journey_economics(journey_snapshot(priced_journey))
    assert [(o.name, o.buyers, o.revenue) for o in economics.offers] == [
        ("Starter", Decimal("50.0"), Decimal("950.00")),
        (priced_journey.core_offer.name, Decimal("20.0"), Decimal("2580.00")),
        ("Bundle", Decimal("8.0"), Decimal("712.00")),
        ("Move-out", Decimal("3"), Decimal("1116.80")),  # 3.2 buyers: whole shown, exact summed
    ]
    assert economics.front_end_revenue == Decimal("950.00")
    assert economics.back_end_revenue == Decimal("4408.80")
    assert economics.total_revenue == Decimal("5358.80")
    assert economics.profit == Decimal("3858.80")


def test_unit_economics_and_break_even(priced_journey):
    economics = journey_economics(journey_snapshot(priced_journey))
    assert economics.cost_per_lead == Decimal("7.50")  # 1500 / 200 subscribers
    assert economics.cost_per_first_buyer == Decimal("30.00")  # 1500 / 50 first buyers
    assert economics.entry_covers_acquisition is False  # $19 < $30
    assert economics.value_per_customer == Decimal("107.18")  # 5358.80 / 50
    assert economics.break_even_reach == Decimal("2799")  # 10000 × 1500 / 5358.80 = 2799.1


def test_a_cheap_enough_acquisition_is_covered_by_the_entry_offer(priced_journey):
    priced_journey.monthly_spend = Decimal("900")  # CAC 18.00 ≤ $19
    priced_journey.save()
    economics = journey_economics(journey_snapshot(priced_journey))
    assert economics.cost_per_first_buyer == Decimal("18.00")
    assert economics.entry_covers_acquisition is True


def test_missing_rates_count_as_zero_and_are_named(journey):
    journey.monthly_reach = 5000
    journey.save()
    economics = journey_economics(journey_snapshot(journey))
    assert economics.levels[1].people == Decimal("0.0")
    assert "Aware" in economics.missing_rates and len(economics.missing_rates) == 8
    assert economics.cost_per_first_buyer is None and economics.break_even_reach is None


def test_funnel_chart_geometry_narrows_and_stays_in_bounds(priced_journey):
    bars = funnel_bars(journey_economics(journey_snapshot(priced_journey)))
    widths = [bar.width for bar in bars]
    assert widths == sorted(widths, reverse=True) and widths[0] == 380.0
    assert all(bar.x >= 170 and bar.x + bar.width <= 550.1 for bar in bars)


def test_a_biweekly_core_offer_counts_26_visits_a_year(priced_journey):
    """By hand: 20 multi-buyers × $129 every two weeks = 20 × 129 × 26 / 12 = $5,590.00 a month;
    over 12 months 20 × 129 × 26 = $67,080. Entry 50 × $19 = $950, Bundle 8 × $89 = $712 and
    Move-out 3.2 × $349 = $1,116.80 are one-time (the same in a month and in a year).
    Monthly: 950 + 5590 + 712 + 1116.80 = $8,368.80.
    12 months: 950 + 67080 + 712 + 1116.80 = $69,858.80, per first buyer / 50 = $1,397.18."""
    priced_journey.core_offer.billing_period = "biweekly"
    priced_journey.core_offer.save()
    economics = journey_economics(journey_snapshot(priced_journey))
    core = economics.offers[1]
    assert (core.buyers, core.revenue, core.value_12m) == (
        Decimal("20"),
        Decimal("5590.00"),
        Decimal("67080.00"),
    )
    assert core.billing_label == "Every two weeks"
    assert economics.back_end_revenue == Decimal("7418.80")  # 5590 + 712 + 1116.80
    assert economics.total_revenue == Decimal("8368.80")
    assert economics.twelve_month_value == Decimal("69858.80")
    assert economics.value_per_customer == Decimal("1397.18")
    assert economics.has_recurring


@pytest.mark.parametrize(
    ("period", "monthly", "yearly"),
    [
        ("one_time", "2580.00", "2580.00"),
        ("per_visit", "2580.00", "30960.00"),
        ("weekly", "11180.00", "134160.00"),  # 20 × 129 × 52 / 12
        ("monthly", "2580.00", "30960.00"),
        ("quarterly", "860.00", "10320.00"),
        ("yearly", "215.00", "2580.00"),
    ],
)
def test_every_billing_period_projects_month_and_year(priced_journey, period, monthly, yearly):
    priced_journey.core_offer.billing_period = period
    priced_journey.core_offer.save()
    core = journey_economics(journey_snapshot(priced_journey)).offers[1]
    assert (core.revenue, core.value_12m) == (Decimal(monthly), Decimal(yearly))
