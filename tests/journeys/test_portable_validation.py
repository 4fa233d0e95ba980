"""Validation of a portable document: every problem reported by its JSON path, all at once in
document order, and nothing written."""

from __future__ import annotations

import copy

import pytest
from django.core.exceptions import ValidationError

from journeys.portable import DocumentError, journey_from_document
from stages.models import Tactic
from tests.factories import BusinessFactory
from tests.journeys.conftest import row_counts

pytestmark = pytest.mark.django_db


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
