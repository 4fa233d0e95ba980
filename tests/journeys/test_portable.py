"""The portable journey format: export, round trips, import into a client, cloning, agency
starters and the built-in ones. Validation by path: test_portable_validation.py; reading
files: test_portable_reader.py."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from journeys.deliverable.gaps import journey_gaps
from journeys.deliverable.snapshot import journey_snapshot
from journeys.models import (
    Journey,
    Offer,
    StageOffer,
    StageTactic,
)
from journeys.portable import (
    DocumentError,
    document_dumps,
    document_loads,
    journey_clone,
    journey_from_document,
    journey_start_from_starter,
    journey_to_document,
    starter_create,
)
from journeys.services import offer_attach, tactic_add
from journeys.starters import builtin_starters
from stages.models import STAGE_SLUGS, Tactic
from tests.factories import (
    AgencyFactory,
    BusinessFactory,
    OfferFactory,
    PersonaFactory,
    TacticFactory,
    UserFactory,
)
from tests.journeys.conftest import entry

# --- Export -------------------------------------------------------------------------------


def test_export_writes_the_documented_shape_in_a_fixed_key_order(rich_journey):
    document = journey_to_document(rich_journey)

    assert list(document) == [
        "format",
        "version",
        "title",
        "business",
        "persona",
        "offers",
        "core_offer",
        "stages",
        "economics",
    ]
    assert (document["format"], document["version"]) == ("cvj-journey", 1)
    assert list(document["stages"]) == list(STAGE_SLUGS)
    # No gross margin given: the key is left out, as in files written before it existed.
    assert document["economics"] == {"monthly_reach": 20000, "monthly_spend": "1500.50"}
    assert list(document["persona"]) == [
        "name",
        "role",
        "goals_values",
        "pains",
        "passions",
        "channels",
        "objections",
        "decision_role",
        "awareness_level",
    ]


def test_export_lists_used_offers_up_the_ladder_and_stages_in_position_order(rich_journey):
    document = journey_to_document(rich_journey)

    assert [(o["key"], o["kind"], o["price"]) for o in document["offers"]] == [
        ("price_guide", "lead_magnet", "0.00"),
        ("first_room", "entry_point", "19.00"),
        (document["core_offer"], "core", "129.00"),
        ("deep_clean", "ascension", "89.00"),
        ("give_25", "referral", "0.00"),
    ]
    assert document["stages"]["ascend"]["offers"] == ["deep_clean", document["core_offer"]]
    aware = document["stages"]["aware"]
    assert aware["target_conversion"] == "12.50"
    assert aware["tactics"] == [
        {"library": {"stage": "aware", "name": "Paid social ads"}, "notes": "$40/day"},
        {"custom": "Nextdoor posts", "channel": "social", "notes": "Tips"},
        {"library": {"stage": "aware", "name": "Local listings and maps"}, "notes": ""},
    ]
    assert document["stages"]["engage"]["target_conversion"] is None


def test_export_turns_an_archived_library_tactic_into_a_custom_one(journey):
    own = TacticFactory(agency=journey.business.agency, name="Radio spots", channel="paid")
    tactic_add(journey_stage=entry(journey, "aware"), tactic=own, notes="Morning drive")
    Tactic.objects.filter(pk=own.pk).update(is_active=False)

    tactics = journey_to_document(journey)["stages"]["aware"]["tactics"]

    assert tactics == [{"custom": "Radio spots", "channel": "paid", "notes": "Morning drive"}]


def test_the_same_journey_always_exports_the_same_bytes(rich_journey):
    first = document_dumps(journey_to_document(rich_journey))

    assert first == document_dumps(journey_to_document(rich_journey))
    assert json.loads(first)["title"] == "Acme — full map"
    assert "—" in first  # readable UTF-8, not \u escapes


# --- Round trip ---------------------------------------------------------------------------


def test_export_import_export_is_identical_in_a_fresh_agency(rich_journey, strategist):
    exported = journey_to_document(rich_journey)
    fresh = AgencyFactory()

    imported = journey_from_document(document=exported, agency=fresh, owner=strategist.user)

    assert imported.business.agency == fresh
    assert journey_to_document(imported) == exported
    assert imported.pk != rich_journey.pk


@pytest.mark.parametrize(("margin", "written"), [(Decimal("62.5"), "62.50"), (None, None)])
def test_gross_margin_round_trips_given_or_not(rich_journey, strategist, margin, written):
    Journey.objects.filter(pk=rich_journey.pk).update(gross_margin=margin)
    exported = journey_to_document(Journey.objects.get(pk=rich_journey.pk))
    assert exported["economics"].get("gross_margin") == written

    imported = journey_from_document(
        document=document_loads(document_dumps(exported).encode()),
        agency=AgencyFactory(),
        owner=strategist.user,
    )

    assert imported.gross_margin == margin
    assert journey_to_document(imported) == exported


def test_a_null_gross_margin_loads_as_not_given(rich_journey):
    document = journey_to_document(rich_journey)
    document["economics"]["gross_margin"] = None

    imported = journey_from_document(document=document, agency=AgencyFactory(), owner=None)

    assert imported.gross_margin is None
    assert imported.monthly_spend == Decimal("1500.50")


def test_a_gross_margin_over_100_is_refused_by_its_path(rich_journey):
    document = journey_to_document(rich_journey)
    document["economics"]["gross_margin"] = "150"

    with pytest.raises(DocumentError) as raised:
        journey_from_document(document=document, agency=AgencyFactory(), owner=None)

    assert any(path == "economics.gross_margin" for path, _ in raised.value.errors)


def test_a_recurring_offer_keeps_its_billing_period_through_a_round_trip(rich_journey):
    core = rich_journey.core_offer
    core.billing_period = "biweekly"
    core.save()
    exported = journey_to_document(Journey.objects.get(pk=rich_journey.pk))
    written = {o["name"]: o.get("billing_period") for o in exported["offers"]}
    assert written[core.name] == "biweekly"
    assert {period for name, period in written.items() if name != core.name} == {None}

    imported = journey_from_document(document=exported, agency=AgencyFactory(), owner=None)

    assert imported.core_offer.billing_period == "biweekly"
    assert journey_to_document(imported) == exported


def test_an_unknown_billing_period_is_refused_by_its_path(rich_journey):
    document = journey_to_document(rich_journey)
    document["offers"][0]["billing_period"] = "fortnightly"

    with pytest.raises(DocumentError) as raised:
        journey_from_document(document=document, agency=AgencyFactory(), owner=None)

    assert [path for path, _ in raised.value.errors] == ["offers[0].billing_period"]


def test_round_trip_survives_json_text(rich_journey, strategist):
    text = document_dumps(journey_to_document(rich_journey))
    imported = journey_from_document(
        document=document_loads(text.encode()), agency=AgencyFactory(), owner=None
    )

    assert document_dumps(journey_to_document(imported)) == text


def test_importing_into_the_same_agency_renames_the_business_on_a_name_clash(rich_journey):
    exported = journey_to_document(rich_journey)
    agency = rich_journey.business.agency

    second = journey_from_document(document=exported, agency=agency, owner=None)
    third = journey_from_document(document=exported, agency=agency, owner=None)

    name = rich_journey.business.name
    assert (second.business.name, third.business.name) == (f"{name} (2)", f"{name} (3)")
    again = journey_to_document(second)
    assert again["business"]["name"] == f"{name} (2)"
    assert {**again, "business": exported["business"]} == exported


def test_agency_tactics_round_trip_within_the_agency(journey):
    own = TacticFactory(agency=journey.business.agency, name="Radio spots", channel="paid")
    tactic_add(journey_stage=entry(journey, "aware"), tactic=own)
    exported = journey_to_document(journey)

    copy_ = journey_from_document(document=exported, agency=journey.business.agency, owner=None)

    assert StageTactic.objects.get(journey_stage__journey=copy_).tactic == own
    with pytest.raises(DocumentError) as error:
        journey_from_document(document=exported, agency=AgencyFactory(), owner=None)
    assert error.value.errors == [
        ("stages.aware.tactics[0].library", 'no library tactic "Radio spots" at Aware')
    ]


def test_library_names_match_ignoring_case_and_the_agencys_own_wins(template_document, agency):
    own = TacticFactory(agency=agency, name="Paid social ads", channel="paid")
    template_document["stages"]["aware"]["tactics"] = [
        {"library": {"stage": "aware", "name": "  paid SOCIAL ads "}, "notes": ""}
    ]

    journey = journey_from_document(document=template_document, agency=agency, owner=None)

    assert entry(journey, "aware").tactics.get().tactic == own


def test_library_stage_may_be_left_out_inside_its_stage(template_document, agency):
    template_document["stages"]["aware"]["tactics"] = [
        {"library": {"name": "Paid social ads"}, "notes": ""}
    ]

    journey = journey_from_document(document=template_document, agency=agency, owner=None)

    assert entry(journey, "aware").tactics.get().name == "Paid social ads"


def test_optional_text_fields_may_be_left_out(template_document, agency):
    template_document["persona"] = {"name": "Dana"}
    template_document["business"] = {"name": "Short"}
    del template_document["economics"]
    template_document["stages"]["aware"] = {}

    journey = journey_from_document(document=template_document, agency=agency, owner=None)

    assert journey.persona.pains == ""
    assert journey.business.kind == "b2c"
    assert journey.monthly_reach == 0
    assert entry(journey, "aware").tactics.count() == 0


# --- Importing into an existing client ----------------------------------------------------


def test_import_into_a_client_reuses_its_persona_and_offers_by_name_and_kind(
    template_document, business
):
    persona = PersonaFactory(business=business, name="Homeowner Dana")
    club = OfferFactory(business=business, kind="core", name="Comfort Club Membership", price=150)
    OfferFactory(business=business, kind="ascension", name="Comfort Club Membership")
    before = Offer.objects.filter(business=business).count()

    journey = journey_from_document(
        document=template_document, agency=business.agency, business=business, owner=None
    )

    assert (journey.business, journey.persona, journey.core_offer) == (business, persona, club)
    assert Offer.objects.filter(business=business).count() == before + 5
    assert business.name != template_document["business"]["name"]


# --- Cloning ------------------------------------------------------------------------------


def test_clone_to_another_persona_of_the_same_business(rich_journey, strategist):
    other = PersonaFactory(business=rich_journey.business, name="Retired Rita")
    offers_before = Offer.objects.count()

    clone = journey_clone(journey=rich_journey, persona=other, owner=strategist.user)

    assert (clone.business, clone.persona, clone.owner) == (
        rich_journey.business,
        other,
        strategist.user,
    )
    assert clone.title == "Acme — full map (copy)"
    assert clone.core_offer == rich_journey.core_offer
    assert Offer.objects.count() == offers_before
    original, copied = journey_to_document(rich_journey), journey_to_document(clone)
    assert copied["stages"] == original["stages"]
    assert copied["economics"] == original["economics"]
    assert copied["offers"] == original["offers"]
    assert copied["persona"]["name"] == "Retired Rita"


def test_clone_within_the_business_keeps_the_persona_by_default(rich_journey):
    clone = journey_clone(journey=rich_journey, owner=None, title="Spring version")

    assert (clone.persona, clone.title) == (rich_journey.persona, "Spring version")
    assert StageOffer.objects.filter(journey_stage__journey=clone).count() == 5


def test_clone_to_another_business_creates_the_offers_it_lacks(rich_journey, agency):
    target = BusinessFactory(agency=agency, name="Acme West")
    persona = PersonaFactory(business=target)
    existing = OfferFactory(business=target, kind="lead_magnet", name="Price guide", price=0)

    clone = journey_clone(journey=rich_journey, business=target, persona=persona, owner=None)

    assert clone.business == target
    assert sorted(target.offers.values_list("name", flat=True)) == sorted(
        ["Price guide", "First room", rich_journey.core_offer.name, "Deep clean", "Give $25"]
    )
    assert clone.stages.get(stage__slug="subscribe").offers.get().offer == existing
    original, copied = journey_to_document(rich_journey), journey_to_document(clone)
    assert copied["stages"] == original["stages"]
    assert copied["offers"] == original["offers"]


def test_clone_to_another_business_without_a_persona_copies_the_persona(rich_journey, agency):
    target = BusinessFactory(agency=agency)

    clone = journey_clone(journey=rich_journey, business=target, owner=None)

    assert clone.persona.business == target
    assert clone.persona.name == rich_journey.persona.name
    assert clone.persona.objections == "Is it safe?"


def test_clone_to_another_agency_is_refused(rich_journey):
    with pytest.raises(ValueError):
        journey_clone(journey=rich_journey, business=BusinessFactory(), owner=None)


def test_clone_with_the_same_offer_name_twice_keeps_each_offer(journey):
    business = journey.business
    cheap = OfferFactory(business=business, kind="ascension", name="Coaching", price=50)
    dear = OfferFactory(business=business, kind="ascension", name="Coaching", price=500)
    ascend = entry(journey, "ascend")
    offer_attach(journey_stage=ascend, offer=dear)
    offer_attach(journey_stage=ascend, offer=cheap)

    clone = journey_clone(journey=journey, owner=None)

    assert [so.offer for so in entry(clone, "ascend").offers.all()] == [dear, cheap]


# --- Agency templates ---------------------------------------------------------------------


def test_save_as_template_then_start_a_journey_from_it(rich_journey, strategist):
    template = starter_create(
        journey=rich_journey,
        name="  Cleaning company  ",
        description="Our best cleaning map.",
        created_by=strategist.user,
    )

    assert (template.name, template.industry) == ("Cleaning company", "Home services")
    assert template.document == journey_to_document(rich_journey)
    started = journey_start_from_starter(
        document=template.document,
        agency=rich_journey.business.agency,
        business=None,
        new_business_name="Sparkle & Co",
        owner=strategist.user,
    )
    assert started.business.name == "Sparkle & Co"
    exported = journey_to_document(started)
    assert exported["stages"] == template.document["stages"]


def test_template_names_are_unique_in_an_agency(rich_journey):
    starter_create(journey=rich_journey, name="Map", created_by=None)

    with pytest.raises(ValidationError):
        starter_create(journey=rich_journey, name="Map", created_by=None)


# --- The industry templates ---------------------------------------------------------------

TEMPLATES = builtin_starters()


def test_there_are_the_four_promised_builtin_starters():
    assert [t.slug for t in TEMPLATES] == ["local-service", "ecommerce", "b2b-consulting", "saas"]
    assert all(t.name and t.description and t.industry for t in TEMPLATES)


def test_templates_hand_out_copies():
    builtin_starters()[0].document["title"] = "Changed"

    assert builtin_starters()[0].document["title"] != "Changed"


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda t: t.slug)
def test_each_builtin_starter_imports_cleanly_into_a_fresh_agency(db, template):
    agency = AgencyFactory()
    owner = UserFactory()

    journey = journey_from_document(document=template.document, agency=agency, owner=owner)

    entries = list(journey.stages.select_related("stage"))
    assert [e.stage.slug for e in entries] == list(STAGE_SLUGS)
    for stage_entry in entries:
        tactics = list(stage_entry.tactics.all())
        assert 3 <= len(tactics) <= 5, stage_entry.stage.slug
        assert stage_entry.goal and stage_entry.metric and stage_entry.notes
        assert stage_entry.target_conversion is not None
    all_tactics = StageTactic.objects.filter(journey_stage__journey=journey)
    assert all_tactics.filter(tactic__isnull=False).count() >= 0.8 * all_tactics.count()
    assert journey.persona.awareness_level and journey.persona.pains
    assert journey.monthly_reach > 0 and journey.monthly_spend > 0
    # The files are written in the canonical form export produces.
    assert journey_to_document(journey) == template.document


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda t: t.slug)
def test_builtin_starters_have_no_critical_gaps_or_warnings(db, template):
    journey = journey_from_document(document=template.document, agency=AgencyFactory(), owner=None)

    gaps = journey_gaps(journey_snapshot(journey))

    assert [g.message for g in gaps if g.severity in ("critical", "warning")] == []


def test_business_templates_match_their_kind_of_conversion(db):
    by_slug = {t.slug: t.document for t in TEMPLATES}
    b2b = by_slug["b2b-consulting"]
    assert b2b["business"]["kind"] == "b2b"
    time_tactics = set(
        Tactic.objects.filter(stage__slug="convert", commitment="time").values_list(
            "name", flat=True
        )
    )
    convert_names = {t["library"]["name"] for t in b2b["stages"]["convert"]["tactics"]}
    assert len(convert_names & time_tactics) >= 3
    saas = by_slug["saas"]
    assert {"library": {"stage": "convert", "name": "Free trial"}} in [
        {"library": t["library"]} for t in saas["stages"]["convert"]["tactics"] if "library" in t
    ]
    entry_offer = next(o for o in saas["offers"] if o["kind"] == "entry_point")
    assert "Free Trial" in entry_offer["name"] and entry_offer["price"] == "0.00"
    assert by_slug["local-service"]["business"]["kind"] == "b2c"
    assert by_slug["ecommerce"]["business"]["kind"] == "b2c"
