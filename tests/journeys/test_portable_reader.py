"""Reading a .cvj.json file: bytes → JSON (limits, encodings, repeated keys, lone
surrogates), the schema's own rules, and the one description of the format."""

from __future__ import annotations

import re
import typing
from pathlib import Path

import pytest
from django.urls import reverse
from pydantic import BaseModel

from journeys.models import AwarenessLevel, BillingPeriod, BusinessKind, Journey, OfferKind
from journeys.portable import (
    FORMAT_DOC,
    MAX_DOCUMENT_BYTES,
    DocumentError,
    document_loads,
    journey_from_document,
    schema,
)
from journeys.portable.format import MAX_OFFERS
from journeys.starters import builtin_starter
from stages.models import STAGE_SLUGS, Channel

README = Path(__file__).resolve().parents[2] / "README.md"


# --- Reading uploaded bytes ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"x" * (MAX_DOCUMENT_BYTES + 1), "The file is larger than 1 MB."),
        (
            '{"title": "Café"}'.encode("latin-1"),
            "The file is not UTF-8 text (unexpected byte 0xe9 at position 14). "
            "Save it as UTF-8 JSON and upload it again.",
        ),
        (
            b"{'title': 1}",
            "The file is not valid JSON: Expecting property name enclosed in "
            "double quotes (line 1, column 2).",
        ),
        (b'{"spend": NaN}', "The file is not valid JSON: NaN is not allowed in JSON."),
        (b"[" * 100_000, "The file is not valid JSON: maximum recursion depth exceeded."),
    ],
)
def test_unreadable_files_get_a_clear_message(raw, message):
    with pytest.raises(DocumentError) as error:
        document_loads(raw)

    assert error.value.errors[0][0] == ""
    assert error.value.errors[0][1].startswith(message.rstrip("."))


def test_a_utf8_byte_order_mark_is_accepted():
    assert document_loads('\ufeff{"a": "é"}'.encode()) == {"a": "é"}


def test_a_key_given_twice_is_refused_with_its_path():
    raw = b'{"title": "A", "business": {"name": "X", "kind": "b2b", "name": "Y"}, "title": "B"}'

    with pytest.raises(DocumentError) as error:
        document_loads(raw)

    assert error.value.errors == [
        ("title", "appears more than once in this object; keep one"),
        ("business.name", "appears more than once in this object; keep one"),
    ]


def test_repeated_keys_are_found_inside_lists_too():
    with pytest.raises(DocumentError) as error:
        document_loads(b'{"offers": [{"key": "a"}, {"key": "b", "key": "c"}]}')

    assert error.value.errors == [
        ("offers[1].key", "appears more than once in this object; keep one")
    ]


def test_the_same_key_in_different_objects_is_fine():
    assert document_loads(b'{"a": {"k": 1}, "b": {"k": 2}}') == {"a": {"k": 1}, "b": {"k": 2}}


def test_a_lone_surrogate_is_refused_with_its_path():
    raw = b'{"title": "ok", "persona": {"pains": "bad \\ud800 text"}}'

    with pytest.raises(DocumentError) as error:
        document_loads(raw)

    assert error.value.errors == [
        (
            "persona.pains",
            "contains a lone surrogate (\\ud800), which is not text; fix the file and upload it "
            "again",
        )
    ]
    # The message itself is printable text (the import page encodes it as UTF-8).
    str(error.value).encode("utf-8")


def test_a_lone_surrogate_in_a_key_is_shown_escaped():
    with pytest.raises(DocumentError) as error:
        document_loads(b'{"\\udc00x": 1}')

    path, message = error.value.errors[0]
    assert path == "\\udc00x"
    assert "lone surrogate" in message
    path.encode("utf-8")


def test_a_surrogate_pair_escape_is_ordinary_text():
    assert document_loads(b'{"title": "\\ud83d\\ude00"}') == {"title": "\U0001f600"}


def test_a_lone_surrogate_in_a_document_given_directly_is_a_field_error(agency):
    document = builtin_starter("local-service").document
    document["stages"]["aware"]["goal"] = "x\udfffy"

    with pytest.raises(DocumentError) as error:
        journey_from_document(document=document, agency=agency, owner=None)

    assert error.value.errors == [
        (
            "stages.aware.goal",
            "must not contain lone surrogates (broken UTF-16 escapes like \\ud800)",
        )
    ]


@pytest.mark.parametrize(
    ("raw", "path", "message"),
    [
        (
            b'{"format": "cvj-journey", "version": 1, "title": "\\ud800"}',
            "title",
            "contains a lone surrogate (\\ud800)",
        ),
        (
            b'{"format": "cvj-journey", "title": "A", "title": "B"}',
            "title",
            "appears more than once in this object",
        ),
    ],
    ids=["lone-surrogate", "repeated-key"],
)
def test_the_import_page_reports_unreadable_text_instead_of_failing(
    strategist_client, raw, path, message
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = strategist_client.post(
        reverse("journey_import_json"),
        {"file": SimpleUploadedFile("j.cvj.json", raw, content_type="application/json")},
    )

    assert response.status_code == 200
    assert f"{path}: {message}" in response.content.decode()
    assert Journey.objects.count() == 0


# --- The schema's own rules ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        ("business", "Acme", "must be an object"),
        ("persona", None, "is missing"),
        ("offers", "many", "must be a list"),
        ("stages", [], "must be an object"),
        ("economics", 5, "must be an object"),
    ],
)
def test_parts_of_the_wrong_type_are_named(agency, path, value, message):
    document = builtin_starter("local-service").document
    document[path] = value

    with pytest.raises(DocumentError) as error:
        journey_from_document(document=document, agency=agency, owner=None)

    assert (path, message) in error.value.errors


def test_too_many_offers_is_one_problem_not_a_hundred(agency):
    document = builtin_starter("local-service").document
    offer = document["offers"][0]
    document["offers"] = [{**offer, "key": f"k{i}"} for i in range(MAX_OFFERS + 1)]

    with pytest.raises(DocumentError) as error:
        journey_from_document(document=document, agency=agency, owner=None)

    assert ("offers", f"at most {MAX_OFFERS} entries") in error.value.errors


def test_the_schema_choices_are_the_models_choices():
    assert typing.get_args(schema.OfferKindName) == tuple(OfferKind.values)
    assert typing.get_args(schema.BillingPeriodName) == tuple(BillingPeriod.values)
    assert typing.get_args(schema.BusinessKindName) == tuple(BusinessKind.values)
    assert typing.get_args(schema.AwarenessName) == ("", *AwarenessLevel.values)
    assert typing.get_args(schema.ChannelName) == ("", *Channel.values)
    assert typing.get_args(schema.StageSlug) == tuple(STAGE_SLUGS)
    assert list(schema.StagesPart.model_fields) == list(STAGE_SLUGS)


def test_a_valid_document_validates_to_cents():
    document = builtin_starter("local-service").document
    checked = schema.JourneyDocument.model_validate(document)
    prices = [offer.price for offer in checked.offers]
    assert all(price.as_tuple().exponent == -2 for price in prices)


# --- The format described once ------------------------------------------------------------


def test_the_readme_holds_the_format_verbatim():
    readme = README.read_text(encoding="utf-8")
    assert f"```text\n{FORMAT_DOC}```" in readme


def _all_fields(model: type[BaseModel]) -> set[str]:
    names: set[str] = set()
    for name, field in model.model_fields.items():
        names.add(name)
        if inner := schema._part_model(field.annotation):
            names |= _all_fields(inner)
    return names


def test_every_field_of_the_schema_is_described():
    described = set(re.findall(r"[a-z_]+", FORMAT_DOC))
    assert _all_fields(schema.JourneyDocument) - described == set()


def test_every_choice_of_the_schema_is_described():
    literals = (
        schema.OfferKindName,
        schema.BusinessKindName,
        schema.AwarenessName,
        schema.BillingPeriodName,
    )
    for literal in literals:
        for value in typing.get_args(literal):
            assert value == "" or value in FORMAT_DOC, value
    channels = FORMAT_DOC[FORMAT_DOC.index("(channel:") :]
    for value in typing.get_args(schema.ChannelName)[1:]:
        assert value in channels, value
