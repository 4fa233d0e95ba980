"""A small journey with targets worked out by hand, and a month of actuals against them."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from journeys.actuals.csvfile import MonthFigures
from journeys.actuals.services import actuals_save
from journeys.services import offer_attach
from tests.factories import OfferFactory

RATES = {
    "aware": "10", "engage": "20", "subscribe": "25", "convert": "80",
    "excite": "50", "ascend": "50", "advocate": "50", "promote": "20",
}  # fmt: skip

# Targets, by hand: people 10 000 → 1 000 → 200 → 50 → 40 → 20 → 10 → 5; spend 1 500;
# cost per lead 1 500 / 200 = 7.50; per first buyer 1 500 / 50 = 30.00;
# revenue 50 × 19 + 20 × 129 + 10 × 89 + 5 × 349 = 950 + 2 580 + 890 + 1 745 = 6 165.00
# (whole people at every step, so no rounding rule of the economics moves these figures).
FEBRUARY = {
    "reach": 12000, "engaged": 1500, "subscribers": 270, "first_buyers": 45,
    "excited": 40, "repeat_buyers": 18, "advocates": 9, "promoters": 4,
    "spend": Decimal("1625.50"), "revenue": Decimal("4811.00"),
}  # fmt: skip
JANUARY = {
    "reach": 10000, "engaged": 1100, "subscribers": 240, "first_buyers": 50,
    "excited": 41, "repeat_buyers": 17, "advocates": None, "promoters": None,
    "spend": Decimal("1500.00"), "revenue": Decimal("4400.00"),
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


@pytest.fixture
def tracked_journey(priced_journey, strategist):
    """January and February 2026 entered."""
    actuals_save(
        journey=priced_journey,
        months=[
            MonthFigures(date(2026, 1, 1), JANUARY),
            MonthFigures(date(2026, 2, 1), FEBRUARY),
        ],
        user=strategist.user,
    )
    return priced_journey
