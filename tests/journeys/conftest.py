"""Shared by the portable-format tests: a journey using every part of the format, a valid
document to break, and row counts to prove that nothing was written."""

from __future__ import annotations

from decimal import Decimal

import pytest

from journeys.models import (
    Business,
    Journey,
    JourneyStage,
    JourneyStarter,
    Offer,
    Persona,
    StageOffer,
    StageTactic,
)
from journeys.services import offer_attach, tactic_add, tactic_remove
from journeys.starters import builtin_starter
from stages.models import Tactic
from tests.factories import AgencyFactory, BusinessFactory, OfferFactory, make_journey
from tests.journeys.editor_support import _entry, _library


def entry(journey: Journey, slug: str) -> JourneyStage:
    return journey.stages.select_related("stage", "journey__business").get(stage__slug=slug)


def library(slug: str, name: str) -> Tactic:
    return Tactic.objects.get(stage__slug=slug, name=name, agency__isnull=True)


def row_counts() -> dict[str, int]:
    return {
        model.__name__: manager.count()
        for model, manager in (
            (Business, Business.objects),
            (Persona, Persona.objects),
            (Offer, Offer.objects),
            (Journey, Journey.objects),
            (JourneyStage, JourneyStage.objects),
            (StageTactic, StageTactic.all_objects),
            (StageOffer, StageOffer.objects),
            (JourneyStarter, JourneyStarter.objects),
        )
    }


@pytest.fixture
def rich_journey(business, strategist) -> Journey:
    """A journey using every part of the format: library and custom tactics with notes and
    channels, offers of every kind at their stages, targets, notes and economics."""
    journey = make_journey(business=business, owner=strategist.user, title="Acme — full map")
    business.website = "https://acme.example"
    business.notes = "Owner-operated.\nTwo vans."
    business.save()
    persona = journey.persona
    persona.role, persona.objections = "Working parent", "Is it safe?"
    persona.save()
    magnet = OfferFactory(business=business, kind="lead_magnet", name="Price guide", price=0)
    tripwire = OfferFactory(business=business, kind="entry_point", name="First room", price=19)
    upsell = OfferFactory(business=business, kind="ascension", name="Deep clean", price=89)
    referral = OfferFactory(business=business, kind="referral", name="Give $25", price=0)
    OfferFactory(business=business, kind="ascension", name="Unused upsell", price=300)
    aware = entry(journey, "aware")
    tactic_add(journey_stage=aware, tactic=library("aware", "Paid social ads"), notes="$40/day")
    tactic_add(journey_stage=aware, custom_name="Nextdoor posts", channel="social", notes="Tips")
    tactic_add(journey_stage=aware, tactic=library("aware", "Local listings and maps"))
    removed, _ = tactic_add(journey_stage=aware, custom_name="Flyers")
    tactic_remove(stage_tactic=removed)
    tactic_add(journey_stage=entry(journey, "engage"), tactic=library("engage", "How-to videos"))
    offer_attach(journey_stage=entry(journey, "subscribe"), offer=magnet)
    offer_attach(journey_stage=entry(journey, "convert"), offer=tripwire)
    ascend = entry(journey, "ascend")
    offer_attach(journey_stage=ascend, offer=upsell)
    offer_attach(journey_stage=ascend, offer=journey.core_offer)
    offer_attach(journey_stage=entry(journey, "promote"), offer=referral)
    JourneyStage.objects.filter(journey=journey, stage__slug="aware").update(
        goal="Be seen locally", target_conversion=Decimal("12.5"), notes="Lead with help."
    )
    JourneyStage.objects.filter(journey=journey, stage__slug="convert").update(
        target_conversion=Decimal("85")
    )
    Journey.objects.filter(pk=journey.pk).update(
        monthly_reach=20000, monthly_spend=Decimal("1500.5")
    )
    return journey


@pytest.fixture
def template_document() -> dict:
    return builtin_starter("local-service").document


# Fixtures shared by the editor view tests (test_editor_*.py).


@pytest.fixture
def stage_tactic(journey) -> StageTactic:
    """One library tactic in the journey's Aware stage."""
    added, _ = tactic_add(journey_stage=_entry(journey, "aware"), tactic=_library("aware")[0])
    return added


@pytest.fixture
def lead_magnet(journey) -> Offer:
    return OfferFactory(business=journey.business, kind="lead_magnet", name="Free checklist")


@pytest.fixture
def sibling_journey(journey, strategist) -> Journey:
    """Another journey of the same agency: its tactics and offers are foreign to `journey`."""
    return make_journey(business=journey.business, owner=strategist.user, title="Sibling")


# Fixtures shared by the set-up view tests (test_setup_*.py).


@pytest.fixture
def rival_business(db):
    return BusinessFactory(agency=AgencyFactory(name="Rival"), name="Rival Plumbing")


@pytest.fixture
def logged_in_client_member(client, client_member):
    client.force_login(client_member.user)
    return client
