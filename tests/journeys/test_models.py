"""Model rules: each invalid combination is a clear ValidationError, and the database refuses it
too wherever a constraint can express the rule."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction

from cvj.models import Membership, Role
from journeys.models import Journey, JourneyStage, Offer, StageOffer, StageTactic
from journeys.services import offer_attach, tactic_add
from stages.models import Stage
from tests.factories import (
    BusinessFactory,
    OfferFactory,
    PersonaFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def entry(journey: Journey, slug: str) -> JourneyStage:
    return journey.stages.select_related("stage", "journey").get(stage__slug=slug)


def errors_of(excinfo: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return excinfo.value.message_dict


# --- Offers: price and currency.


def test_negative_price_fails_validation_on_the_price_field(business):
    offer = Offer(business=business, name="Refund", kind="core", price=Decimal("-0.01"))
    with pytest.raises(ValidationError) as excinfo:
        offer.full_clean()
    assert "price" in errors_of(excinfo)


def test_negative_price_is_refused_by_the_database_on_create(business):
    with pytest.raises(IntegrityError), transaction.atomic():
        Offer.objects.create(business=business, name="Refund", kind="core", price=Decimal("-1"))
    assert not Offer.objects.filter(name="Refund").exists()


def test_negative_price_is_refused_by_the_database_on_bulk_create_and_update(business):
    with pytest.raises(IntegrityError), transaction.atomic():
        Offer.objects.bulk_create([Offer(business=business, name="A", kind="core", price=-5)])
    offer = OfferFactory(business=business, price=Decimal("10"))
    with pytest.raises(IntegrityError), transaction.atomic():
        Offer.objects.filter(pk=offer.pk).update(price=Decimal("-0.01"))
    offer.refresh_from_db()
    assert offer.price == Decimal("10.00")


def test_zero_price_is_fine_for_a_lead_magnet(business):
    offer = Offer(business=business, name="Guide", kind="lead_magnet", price=Decimal("0"))
    offer.full_clean()
    offer.save()
    assert Offer.objects.get(pk=offer.pk).price == Decimal("0")


def test_lowercase_currency_is_upper_cased_by_clean(business):
    offer = Offer(business=business, name="Plan", kind="core", price=1, currency="eur")
    offer.full_clean()
    assert offer.currency == "EUR"


@pytest.mark.parametrize("currency", ["US", "U5D", "", "$$$"])
def test_currency_must_be_a_three_letter_code(business, currency):
    offer = Offer(business=business, name="Plan", kind="core", price=1, currency=currency)
    with pytest.raises(ValidationError) as excinfo:
        offer.full_clean()
    assert "currency" in errors_of(excinfo)


def test_four_letter_currency_is_rejected(business):
    offer = Offer(business=business, name="Plan", kind="core", price=1, currency="EURO")
    with pytest.raises(ValidationError) as excinfo:
        offer.full_clean()
    assert "currency" in errors_of(excinfo)


# --- Journey stage conversion percentage.


@pytest.mark.parametrize("value", ["-0.01", "100.01", "150"])
def test_conversion_outside_0_to_100_fails_validation(journey, value):
    stage_entry = entry(journey, "convert")
    stage_entry.target_conversion = Decimal(value)
    with pytest.raises(ValidationError) as excinfo:
        stage_entry.full_clean()
    assert "target_conversion" in errors_of(excinfo)


@pytest.mark.parametrize("value", ["0", "100", "12.5"])
def test_conversion_inside_0_to_100_is_valid(journey, value):
    stage_entry = entry(journey, "convert")
    stage_entry.target_conversion = Decimal(value)
    stage_entry.full_clean()
    stage_entry.save()
    stage_entry.refresh_from_db()
    assert stage_entry.target_conversion == Decimal(value)


@pytest.mark.parametrize("value", ["-1", "100.5"])
def test_conversion_outside_0_to_100_is_refused_by_the_database(journey, value):
    stage_entry = entry(journey, "convert")
    with pytest.raises(IntegrityError), transaction.atomic():
        JourneyStage.objects.filter(pk=stage_entry.pk).update(target_conversion=Decimal(value))
    stage_entry.refresh_from_db()
    assert stage_entry.target_conversion is None


# --- Journey: persona and core offer belong to its business.


def test_persona_of_another_business_is_rejected(business):
    other = BusinessFactory(agency=business.agency)
    journey = Journey(
        business=business,
        persona=PersonaFactory(business=other),
        core_offer=OfferFactory(business=business, kind="core"),
        title="Mixed up",
        owner=UserFactory(),
    )
    with pytest.raises(ValidationError) as excinfo:
        journey.full_clean()
    assert set(errors_of(excinfo)) == {"persona"}
    assert "another business" in errors_of(excinfo)["persona"][0]


def test_core_offer_of_another_business_is_rejected(business):
    other = BusinessFactory(agency=business.agency)
    journey = Journey(
        business=business,
        persona=PersonaFactory(business=business),
        core_offer=OfferFactory(business=other, kind="core"),
        title="Mixed up",
        owner=UserFactory(),
    )
    with pytest.raises(ValidationError) as excinfo:
        journey.full_clean()
    assert set(errors_of(excinfo)) == {"core_offer"}
    assert "another business" in errors_of(excinfo)["core_offer"][0]


@pytest.mark.parametrize("kind", ["lead_magnet", "entry_point", "ascension", "referral"])
def test_core_offer_must_be_of_kind_core(business, kind):
    journey = Journey(
        business=business,
        persona=PersonaFactory(business=business),
        core_offer=OfferFactory(business=business, kind=kind),
        title="Wrong kind",
        owner=UserFactory(),
    )
    with pytest.raises(ValidationError) as excinfo:
        journey.full_clean()
    assert set(errors_of(excinfo)) == {"core_offer"}
    assert "Core" in errors_of(excinfo)["core_offer"][0]


def test_a_consistent_journey_validates(business):
    journey = Journey(
        business=business,
        persona=PersonaFactory(business=business),
        core_offer=OfferFactory(business=business, kind="core"),
        title="All good",
        owner=UserFactory(),
    )
    journey.full_clean()


# --- Which offers each stage takes (through the service, which raises ValidationError).


@pytest.mark.parametrize(
    ("slug", "allowed", "refused"),
    [
        ("subscribe", ["lead_magnet"], ["entry_point", "core", "ascension", "referral"]),
        ("convert", ["entry_point"], ["lead_magnet", "core", "ascension", "referral"]),
        ("ascend", ["core", "ascension"], ["lead_magnet", "entry_point", "referral"]),
        ("promote", ["referral"], ["lead_magnet", "entry_point", "core", "ascension"]),
    ],
)
def test_each_offer_stage_takes_only_its_kinds(journey, slug, allowed, refused):
    stage_entry = entry(journey, slug)
    for kind in allowed:
        stage_offer, created = offer_attach(
            journey_stage=stage_entry, offer=OfferFactory(business=journey.business, kind=kind)
        )
        assert created is True
        assert stage_offer.offer.kind == kind
    for kind in refused:
        offer = OfferFactory(business=journey.business, kind=kind)
        with pytest.raises(ValidationError) as excinfo:
            offer_attach(journey_stage=stage_entry, offer=offer)
        assert set(errors_of(excinfo)) == {"offer"}
        assert stage_entry.stage.name in errors_of(excinfo)["offer"][0]
    assert StageOffer.objects.filter(journey_stage=stage_entry).count() == len(allowed)


def test_subscribe_refusal_names_what_the_stage_takes(journey):
    offer = OfferFactory(business=journey.business, kind="core")
    with pytest.raises(ValidationError) as excinfo:
        offer_attach(journey_stage=entry(journey, "subscribe"), offer=offer)
    assert errors_of(excinfo)["offer"] == [
        "The Subscribe stage takes a lead magnet, not a core offer."
    ]


@pytest.mark.parametrize("slug", ["aware", "engage", "excite", "advocate"])
def test_tactic_only_stages_take_no_offers_at_all(journey, slug):
    stage_entry = entry(journey, slug)
    for kind in ["lead_magnet", "entry_point", "core", "ascension", "referral"]:
        offer = OfferFactory(business=journey.business, kind=kind)
        with pytest.raises(ValidationError) as excinfo:
            offer_attach(journey_stage=stage_entry, offer=offer)
        assert errors_of(excinfo)["offer"] == [
            f"The {stage_entry.stage.name} stage carries tactics, not offers."
        ]
    assert not StageOffer.objects.filter(journey_stage=stage_entry).exists()


def test_offer_of_another_business_cannot_be_attached(journey):
    foreign = OfferFactory(business=BusinessFactory(agency=journey.business.agency), kind="core")
    with pytest.raises(ValidationError) as excinfo:
        offer_attach(journey_stage=entry(journey, "ascend"), offer=foreign)
    assert "another business" in errors_of(excinfo)["offer"][0]
    assert not StageOffer.objects.filter(offer=foreign).exists()


def test_stage_offer_clean_applies_the_same_rule(journey):
    stage_offer = StageOffer(
        journey_stage=entry(journey, "aware"),
        offer=OfferFactory(business=journey.business, kind="lead_magnet"),
    )
    with pytest.raises(ValidationError) as excinfo:
        stage_offer.full_clean()
    assert "offer" in errors_of(excinfo)


# --- Stage tactics.


def test_stage_tactic_without_tactic_or_name_is_refused_by_the_database(journey):
    stage_entry = entry(journey, "aware")
    with pytest.raises(IntegrityError), transaction.atomic():
        StageTactic.objects.create(journey_stage=stage_entry, tactic=None, custom_name="")
    assert not StageTactic.all_objects.filter(journey_stage=stage_entry).exists()


def test_stage_tactic_without_tactic_or_name_fails_validation(journey):
    stage_tactic = StageTactic(journey_stage=entry(journey, "aware"), custom_name="")
    with pytest.raises(ValidationError) as excinfo:
        stage_tactic.full_clean()
    assert NON_FIELD_ERRORS in errors_of(excinfo)


@pytest.mark.parametrize("name", ["", "   "])
def test_tactic_add_without_tactic_or_name_names_the_custom_name_field(journey, name):
    with pytest.raises(ValidationError) as excinfo:
        tactic_add(journey_stage=entry(journey, "aware"), custom_name=name)
    assert set(errors_of(excinfo)) == {"custom_name"}
    assert not StageTactic.all_objects.exists()


# --- One entry per journey per stage.


def test_duplicate_journey_stage_is_refused_by_the_database(journey):
    aware = Stage.objects.get(slug="aware")
    with pytest.raises(IntegrityError), transaction.atomic():
        JourneyStage.objects.create(journey=journey, stage=aware)
    assert journey.stages.filter(stage=aware).count() == 1


def test_duplicate_journey_stage_fails_validation(journey):
    duplicate = JourneyStage(journey=journey, stage=Stage.objects.get(slug="promote"))
    with pytest.raises(ValidationError) as excinfo:
        duplicate.full_clean()
    assert NON_FIELD_ERRORS in errors_of(excinfo)


# --- Memberships: a client names one business, nobody else does.


def test_client_membership_without_business_fails_validation(agency):
    membership = Membership(user=UserFactory(), agency=agency, role=Role.CLIENT, business=None)
    with pytest.raises(ValidationError) as excinfo:
        membership.full_clean()
    assert "business" in errors_of(excinfo)
    assert "must name their business" in " ".join(errors_of(excinfo)["business"])


def test_client_membership_without_business_is_refused_by_the_database(agency):
    user = UserFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(user=user, agency=agency, role=Role.CLIENT, business=None)
    assert not Membership.objects.filter(user=user).exists()


@pytest.mark.parametrize("role", [Role.ADMIN, Role.STRATEGIST])
def test_non_client_membership_with_business_fails_validation(agency, business, role):
    membership = Membership(user=UserFactory(), agency=agency, role=role, business=business)
    with pytest.raises(ValidationError) as excinfo:
        membership.full_clean()
    assert "Only client memberships" in " ".join(errors_of(excinfo)["business"])


@pytest.mark.parametrize("role", [Role.ADMIN, Role.STRATEGIST])
def test_non_client_membership_with_business_is_refused_by_the_database(agency, business, role):
    user = UserFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(user=user, agency=agency, role=role, business=business)
    assert not Membership.objects.filter(user=user).exists()


def test_existing_strategist_cannot_be_tied_to_a_business_by_update(strategist, business):
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.filter(pk=strategist.pk).update(business=business)
    strategist.refresh_from_db()
    assert strategist.business_id is None


def test_client_membership_for_another_agencys_business_fails_validation(agency):
    foreign = BusinessFactory()
    membership = Membership(user=UserFactory(), agency=agency, role=Role.CLIENT, business=foreign)
    with pytest.raises(ValidationError) as excinfo:
        membership.full_clean()
    assert "another agency" in " ".join(errors_of(excinfo)["business"])


def test_client_membership_with_own_business_validates(agency, business):
    membership = Membership(user=UserFactory(), agency=agency, role=Role.CLIENT, business=business)
    membership.full_clean()
    membership.save()
    assert membership.can_edit is False


@pytest.mark.django_db
def test_trigram_indexes_write_through_so_no_save_flushes_a_pending_list() -> None:
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("trigram indexes exist on PostgreSQL only")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, reloptions FROM pg_class WHERE relname LIKE %s", ["journeys_%_trgm"]
        )
        options = dict(cursor.fetchall())
    assert set(options) == {
        "journeys_journey_title_trgm",
        "journeys_business_name_trgm",
        "journeys_business_industry_trgm",
    }
    assert all(value == ["fastupdate=off"] for value in options.values()), options
