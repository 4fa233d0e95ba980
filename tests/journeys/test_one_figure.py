"""One spend and one verdict: the PDF and every read-only page show the figures the economics
compute, never their own. The plan's tactic budgets ($750) differ from the spend entered
($1,500), and the entry-point offer covers a first buyer on one and not on the other."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from journeys.deliverable.economics import journey_economics
from journeys.deliverable.pdf import render_journey_html
from journeys.deliverable.snapshot import journey_snapshot
from journeys.models import StageTactic
from journeys.services import offer_attach
from tests.factories import OfferFactory

pytestmark = pytest.mark.django_db

RATES = {"aware": "10", "engage": "20", "subscribe": "25", "convert": "80"}
COVERED = "Covered by the entry offer"
NOT_COVERED = "Not covered by the entry offer"


@pytest.fixture
def planned_journey(journey):
    """Reach 10 000 → 50 first buyers; entry $19. Entered spend $1,500 ($30 a first buyer, not
    covered); the plan's tactics budget $750 ($15 a first buyer, covered)."""
    journey.monthly_reach, journey.monthly_spend = 10_000, Decimal("1500")
    journey.shared_with_client = True
    journey.save()
    stages = {e.stage.slug: e for e in journey.stages.select_related("stage")}
    for slug, rate in RATES.items():
        stages[slug].target_conversion = Decimal(rate)
        stages[slug].save()
    entry = OfferFactory(business=journey.business, kind="entry_point", name="Starter", price=19)
    offer_attach(journey_stage=stages["convert"], offer=entry)
    for position, (slug, budget) in enumerate((("aware", "400"), ("engage", "350"))):
        StageTactic.objects.create(
            journey_stage=stages[slug],
            custom_name=f"Planned {slug}",
            position=position,
            monthly_budget=Decimal(budget),
        )
    StageTactic.objects.create(journey_stage=stages["subscribe"], custom_name="Unbudgeted")
    return journey


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_spend_is_the_plans_budget_once_tactics_carry_budgets(planned_journey):
    economics = journey_economics(journey_snapshot(planned_journey))
    assert economics.spend == Decimal("750")
    assert economics.entered_spend == Decimal("1500")
    assert economics.spend_is_planned
    assert economics.cost_per_first_buyer == Decimal("15")
    assert economics.bottom_line == economics.total_revenue - economics.spend
    assert economics.acquisition_verdict == COVERED


def test_without_tactic_budgets_the_entered_spend_counts(journey):
    journey.monthly_reach, journey.monthly_spend = 1_000, Decimal("1500")
    journey.save()
    economics = journey_economics(journey_snapshot(journey))
    assert economics.spend == Decimal("1500")
    assert not economics.spend_is_planned


def test_the_pdf_and_the_pages_show_one_spend_and_one_verdict(
    planned_journey, strategist, client_member, client
):
    pdf = _text(render_journey_html(journey_snapshot(planned_journey)))
    client.force_login(client_member.user)
    client_page = _text(client.get(reverse("journey_view", args=[planned_journey.pk])).text)
    client.force_login(strategist.user)
    present = _text(client.get(reverse("journey_present", args=[planned_journey.pk])).text)
    plan_page = _text(client.get(reverse("journey_plan", args=[planned_journey.pk])).text)

    # The summary tile, the economics page and the roadmap total all print the plan's figure.
    assert pdf.count("$750") >= 3
    for page in (pdf, client_page, present):
        assert "$750" in page
        assert "$1,500" not in page
        assert COVERED.lower() in page.lower()
        assert NOT_COVERED.lower() not in page.lower()
    # The plan page names the same spend and never the entered figure it replaced.
    assert "$750" in plan_page and "$1,500" not in plan_page
