"""The portable journey format: export, validation by path, all-or-nothing import, cloning,
agency templates and the built-in industry templates."""

from __future__ import annotations

import copy
import json
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from journeys.gaps import journey_gaps
from journeys.industry_templates import industry_template, industry_templates
from journeys.models import (
    Business,
    Journey,
    JourneyStage,
    JourneyTemplate,
    Offer,
    Persona,
    StageOffer,
    StageTactic,
)
from journeys.portable import (
    DocumentError,
    document_dumps,
    document_loads,
    journey_clone,
    journey_from_document,
    journey_start_from_template,
    journey_template_create,
    journey_to_document,
)
from journeys.services import offer_attach, tactic_add, tactic_remove
from journeys.snapshot import journey_snapshot
from stages.models import STAGE_SLUGS, Tactic
from tests.factories import (
    AgencyFactory,
    BusinessFactory,
    OfferFactory,
    PersonaFactory,
    TacticFactory,
    UserFactory,
    make_journey,
)


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
            (JourneyTemplate, JourneyTemplate.objects),
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
    return industry_template("local-service").document


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


# --- Validation: every problem by path, nothing written -----------------------------------


def _offer_index(document: dict, kind: str) -> int:
    return next(i for i, o in enumerate(document["offers"]) if o["kind"] == kind)


def _key(document: dict, kind: str) -> str:
    return document["offers"][_offer_index(document, kind)]["key"]


def _set(path: str, value):
    def mutate(document: dict) -> None:
        *parents, last = path.split(".")
        target = document
        for part in parents:
            target = target[int(part)] if isinstance(target, list) else target[part]
        if isinstance(target, list):
            target[int(last)] = value
        else:
            target[last] = value

    return mutate


def _delete(path: str):
    def mutate(document: dict) -> None:
        *parents, last = path.split(".")
        target = document
        for part in parents:
            target = target[part]
        del target[last]

    return mutate


def _lead_magnet_at_convert(document: dict) -> None:
    document["stages"]["convert"]["offers"] = [_key(document, "lead_magnet")]


def _core_at_aware(document: dict) -> None:
    document["stages"]["aware"]["offers"] = [document["core_offer"]]


def _core_is_an_entry_offer(document: dict) -> None:
    document["core_offer"] = _key(document, "entry_point")


def _duplicate_offer_key(document: dict) -> None:
    document["offers"].append({**document["offers"][0], "name": "Another checklist"})


def _price(value):
    def mutate(document: dict) -> None:
        document["offers"][2]["price"] = value

    return mutate


def _tactic(slug: str, index: int, value):
    def mutate(document: dict) -> None:
        document["stages"][slug]["tactics"][index] = value

    return mutate


def _duplicate_tactic(document: dict) -> None:
    tactics = document["stages"]["excite"]["tactics"]
    tactics.append(copy.deepcopy(tactics[0]))


VALIDATION_CASES = [
    (_price("-1"), "offers[2].price", "must be a decimal ≥ 0"),
    (_price("cheap"), "offers[2].price", "must be a decimal ≥ 0"),
    (_price("NaN"), "offers[2].price", "must be a decimal ≥ 0"),
    (_price(19.5), "offers[2].price", 'must be a decimal ≥ 0 (written as a string, e.g. "19.00")'),
    (_price("19.999"), "offers[2].price", "at most 2 decimal places"),
    (_price("123456789"), "offers[2].price", "too large (at most 8 digits before the point)"),
    (
        _set("offers.1.currency", "EURO"),
        "offers[1].currency",
        'must be a three-letter currency code, e.g. "USD"',
    ),
    (
        _set("offers.1.kind", "freebie"),
        "offers[1].kind",
        'must be one of "lead_magnet", "entry_point", "core", "ascension", "referral"',
    ),
    (_set("offers.1.name", " "), "offers[1].name", "is required"),
    (_set("offers.1.colour", "red"), "offers[1].colour", "unknown field"),
    (
        _duplicate_offer_key,
        "offers[6].key",
        '"home_comfort_maintenance_checklist" is already used by offers[0]',
    ),
    (
        _lead_magnet_at_convert,
        "stages.convert.offers[0]",
        'offer "home_comfort_maintenance_checklist" is a lead magnet; '
        "Convert takes an entry-point offer",
    ),
    (
        _core_at_aware,
        "stages.aware.offers[0]",
        'offer "comfort_club_membership" is a core offer; Aware takes no offers',
    ),
    (
        _set("stages.ascend.offers", ["nothing_here"]),
        "stages.ascend.offers[0]",
        'no offer with key "nothing_here" in offers',
    ),
    (
        _core_is_an_entry_offer,
        "core_offer",
        'offer "49_safety_tune_up" is an entry-point offer; the core offer must be a core offer',
    ),
    (_set("core_offer", "missing"), "core_offer", 'no offer with key "missing" in offers'),
    (
        _tactic("aware", 3, {"library": {"stage": "aware", "name": "Foo"}, "notes": ""}),
        "stages.aware.tactics[3].library",
        'no library tactic "Foo" at Aware',
    ),
    (
        _tactic("aware", 0, {"library": {"stage": "convert", "name": "Free trial"}}),
        "stages.aware.tactics[0].library.stage",
        '"Free trial" is a Convert tactic; it can\'t sit at Aware',
    ),
    (
        _tactic("aware", 0, {"library": {"stage": "somewhere", "name": "Free trial"}}),
        "stages.aware.tactics[0].library.stage",
        '"somewhere" is not a stage',
    ),
    (
        _tactic("engage", 1, {"notes": "no name"}),
        "stages.engage.tactics[1]",
        'needs either "library" (a library tactic) or "custom" (a name)',
    ),
    (
        _tactic("engage", 1, {"custom": "Radio", "channel": "telepathy"}),
        "stages.engage.tactics[1].channel",
        'must be one of "", "social", "search", "paid", "content", "email", "cro", "events", '
        '"partners", "sales", "product"',
    ),
    (
        _tactic("engage", 1, {"custom": "x" * 121}),
        "stages.engage.tactics[1].custom",
        "at most 120 characters (this has 121)",
    ),
    (
        _duplicate_tactic,
        "stages.excite.tactics[3]",
        "the same tactic is already in this stage at tactics[0]",
    ),
    (_set("stages.excite.tactics", "lots"), "stages.excite.tactics", "must be a list"),
    (
        _delete("stages.promote"),
        "stages.promote",
        "is missing: every journey has all eight stages (Promote)",
    ),
    (_set("stages.delight", {}), "stages.delight", "unknown field"),
    (
        _set("stages.aware.target_conversion", "120"),
        "stages.aware.target_conversion",
        "must be a percentage between 0 and 100, or null",
    ),
    (_set("stages.aware.goal", 42), "stages.aware.goal", "must be text"),
    (_set("stages.aware.notes", "a\x00b"), "stages.aware.notes", "must not contain NUL characters"),
    (_set("business.kind", "b2x"), "business.kind", 'must be one of "b2c", "b2b"'),
    (
        _set("business.website", "summit dot com"),
        "business.website",
        "must be a full web address, e.g. https://…",
    ),
    (_delete("business"), "business", "is missing"),
    (
        _set("persona.awareness_level", "very"),
        "persona.awareness_level",
        'must be one of "", "unaware", "problem_aware", "solution_aware", "product_aware"',
    ),
    (_set("persona.name", ""), "persona.name", "is required"),
    (_set("title", "t" * 201), "title", "at most 200 characters (this has 201)"),
    (_set("economics.monthly_reach", -5), "economics.monthly_reach", "must be a whole number ≥ 0"),
    (
        _set("economics.monthly_reach", "500"),
        "economics.monthly_reach",
        "must be a whole number ≥ 0",
    ),
    (_set("economics.monthly_spend", "lots"), "economics.monthly_spend", "must be a decimal ≥ 0"),
    (_set("exported_by", "me"), "exported_by", "unknown field"),
]


@pytest.mark.parametrize(("mutate", "path", "message"), VALIDATION_CASES)
def test_each_problem_is_reported_by_path_and_nothing_is_created(
    template_document, agency, mutate, path, message
):
    mutate(template_document)
    before = row_counts()

    with pytest.raises(DocumentError) as error:
        journey_from_document(document=template_document, agency=agency, owner=None)

    assert error.value.errors == [(path, message)]
    assert row_counts() == before


def test_all_problems_are_reported_together_in_document_order(template_document, agency):
    for mutate in (_price("-1"), _lead_magnet_at_convert, _set("title", "")):
        mutate(template_document)
    template_document["stages"]["aware"]["tactics"][3] = {"library": {"name": "Foo"}}
    before = row_counts()

    with pytest.raises(DocumentError) as error:
        journey_from_document(document=template_document, agency=agency, owner=None)

    assert [path for path, _ in error.value.errors] == [
        "title",
        "offers[2].price",
        "stages.aware.tactics[3].library",
        "stages.convert.offers[0]",
    ]
    assert row_counts() == before
    assert "offers[2].price: must be a decimal ≥ 0" in str(error.value)


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        ([1, 2], [("", "The document must be a JSON object.")]),
        ({"format": "pdf"}, [("format", 'must be "cvj-journey" — is this a CVJ Mapper journey?')]),
        (
            {"format": "cvj-journey", "version": 2},
            [("version", "version 2 is not supported; use 1")],
        ),
        (
            {"format": "cvj-journey", "version": True},
            [("version", "version True is not supported; use 1")],
        ),
    ],
)
def test_documents_of_another_kind_or_version_are_refused_up_front(agency, document, expected):
    with pytest.raises(DocumentError) as error:
        journey_from_document(document=document, agency=agency, owner=None)

    assert error.value.errors == expected


def test_archived_library_tactics_are_named_as_archived(template_document, agency):
    Tactic.objects.filter(name="Paid social ads").update(is_active=False)
    template_document["stages"]["aware"]["tactics"][0] = {"library": {"name": "Paid social ads"}}

    with pytest.raises(DocumentError) as error:
        journey_from_document(document=template_document, agency=agency, owner=None)

    assert error.value.errors == [
        ("stages.aware.tactics[0].library", 'library tactic "Paid social ads" at Aware is archived')
    ]


def test_a_failure_while_writing_rolls_everything_back(template_document, agency, monkeypatch):
    def refuse(**kwargs):
        raise ValidationError("The database said no.")

    monkeypatch.setattr("journeys.portable.read.offer_attach", refuse)
    before = row_counts()

    with pytest.raises(DocumentError) as error:
        journey_from_document(document=template_document, agency=agency, owner=None)

    assert error.value.errors == [("", "The database said no.")]
    assert row_counts() == before


def test_an_overriding_title_is_checked_too(template_document, agency):
    with pytest.raises(DocumentError) as error:
        journey_from_document(document=template_document, agency=agency, owner=None, title=" ")

    assert error.value.errors == [("title", "must be 1–200 characters")]


def test_a_business_of_another_agency_is_a_programming_error(template_document, agency):
    with pytest.raises(ValueError):
        journey_from_document(
            document=template_document, agency=agency, business=BusinessFactory(), owner=None
        )


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
    template = journey_template_create(
        journey=rich_journey,
        name="  Cleaning company  ",
        description="Our best cleaning map.",
        created_by=strategist.user,
    )

    assert (template.name, template.industry) == ("Cleaning company", "Home services")
    assert template.document == journey_to_document(rich_journey)
    started = journey_start_from_template(
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
    journey_template_create(journey=rich_journey, name="Map", created_by=None)

    with pytest.raises(ValidationError):
        journey_template_create(journey=rich_journey, name="Map", created_by=None)


# --- The industry templates ---------------------------------------------------------------

TEMPLATES = industry_templates()


def test_there_are_the_four_promised_industry_templates():
    assert [t.slug for t in TEMPLATES] == ["local-service", "ecommerce", "b2b-consulting", "saas"]
    assert all(t.name and t.description and t.industry for t in TEMPLATES)


def test_templates_hand_out_copies():
    industry_templates()[0].document["title"] = "Changed"

    assert industry_templates()[0].document["title"] != "Changed"


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda t: t.slug)
def test_each_industry_template_imports_cleanly_into_a_fresh_agency(db, template):
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
def test_industry_templates_have_no_critical_gaps_or_warnings(db, template):
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
