"""The document's shape as pydantic models: what each field may hold, checked in one pass.

Every model forbids unknown keys (a typo never goes unnoticed). Messages are ours, not
pydantic's: each field type raises ``_problem(...)`` with the sentence the import page shows,
and ``schema_errors`` turns the remaining built-in errors (missing, not an object, unknown
field…) into the same style, keyed by the JSON path ("offers[2].price").

What needs more than one field or the database — offer keys referred to from stages, library
tactic names, duplicates — is in ``checks.py``, as plain functions.
"""

from __future__ import annotations

import re
import types
import typing
from collections.abc import Callable
from decimal import Decimal
from typing import Annotated, Any, Literal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import URLValidator
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    WrapValidator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from .format import FORMAT, FORMAT_VERSION, MAX_OFFERS, MAX_REACH, MAX_TACTICS_PER_STAGE

# The choices, spelled out; tests/journeys/test_portable_reader.py checks they equal the models'.
BusinessKindName = Literal["b2c", "b2b"]
AwarenessName = Literal["", "unaware", "problem_aware", "solution_aware", "product_aware"]
OfferKindName = Literal["lead_magnet", "entry_point", "core", "ascension", "referral"]
BillingPeriodName = Literal[
    "one_time", "per_visit", "weekly", "biweekly", "monthly", "quarterly", "yearly"
]  # fmt: skip
ChannelName = Literal[
    "", "social", "search", "paid", "content", "email", "cro", "events", "partners", "sales",
    "product",
]  # fmt: skip
StageSlug = Literal[
    "aware", "engage", "subscribe", "convert", "excite", "ascend", "advocate", "promote"
]  # fmt: skip

LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _problem(message: str) -> PydanticCustomError:
    # The message travels in the context so that braces in user text are never a template.
    return PydanticCustomError("cvj", "{message}", {"message": message})


# --- Field types ---------------------------------------------------------------------------


def _text(max_length: int, *, required: bool = False) -> Any:
    def check(value: str) -> str:
        if "\x00" in value:
            raise _problem("must not contain NUL characters")
        if LONE_SURROGATE.search(value):
            raise _problem("must not contain lone surrogates (broken UTF-16 escapes like \\ud800)")
        if required and not value.strip():
            raise _problem("is required")
        if len(value) > max_length:
            raise _problem(f"at most {max_length} characters (this has {len(value)})")
        return value

    return Annotated[str, BeforeValidator(lambda v: "" if v is None else v), AfterValidator(check)]


def _choice(literal: Any, *, default: str) -> Any:
    """One of the literal's values; null means the default."""
    shown = ", ".join(f'"{value}"' for value in typing.get_args(literal))

    def check(value: Any, handler: Callable[[Any], Any]) -> Any:
        try:
            return handler(default if value is None else value)
        except ValidationError:
            raise _problem(f"must be one of {shown}") from None

    return Annotated[literal, WrapValidator(check)]


def _decimal(message: str, *, max_digits: int, maximum: int | None = None) -> Any:
    """A decimal written as a string (or a whole number), ≥ 0, at most 2 decimals."""

    def check(value: Any, handler: Callable[[Any], Any]) -> Any:
        if isinstance(value, bool) or not isinstance(value, (str, int)):
            raise _problem(f'{message} (written as a string, e.g. "19.00")')
        try:
            number = handler(value.strip() if isinstance(value, str) else value)
        except ValidationError as error:
            kind = error.errors()[0]["type"]
            if kind in ("decimal_whole_digits", "decimal_max_digits"):
                raise _problem(
                    f"too large (at most {max_digits - 2} digits before the point)"
                ) from None
            if kind == "decimal_max_places":
                raise _problem("at most 2 decimal places") from None
            raise _problem(message) from None
        return number.quantize(Decimal("0.01"))

    bounds = Field(ge=0, le=maximum, max_digits=max_digits, decimal_places=2, allow_inf_nan=False)
    return Annotated[Decimal, bounds, WrapValidator(check)]


def _whole_number(value: Any, handler: Callable[[Any], Any]) -> Any:
    try:
        return handler(value)
    except ValidationError:
        raise _problem("must be a whole number ≥ 0") from None


def _website(value: str) -> str:
    if value:
        try:
            URLValidator()(value)
        except DjangoValidationError:
            raise _problem("must be a full web address, e.g. https://…") from None
    return value


def _offer_key(value: Any) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > 60:
        raise _problem("is required: short text (at most 60 characters)")
    return value


def _currency(value: Any) -> str:
    if not isinstance(value, str) or len(value) != 3 or not value.isalpha():
        raise _problem('must be a three-letter currency code, e.g. "USD"')
    return value.upper()


def _list_or_empty(value: Any) -> Any:
    return [] if value is None else value


def _offer_ref(value: Any) -> str:
    if not isinstance(value, str):
        raise _problem("must be an offer key (text)")
    return value


def _core_offer_ref(value: Any) -> str:
    if not isinstance(value, str) or not value:
        raise _problem("is required: the key of the journey's core offer")
    return value


def _library_name(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _problem("is required: the library tactic's name")
    return value


def _stage_slug(value: Any) -> Any:
    if value is not None and value not in typing.get_args(StageSlug):
        raise _problem(f'"{value}" is not a stage')
    return value


Name = _text(120, required=True)
Title = _text(200, required=True)
Text120 = _text(120)
Text200 = _text(200)
Text1000 = _text(1000)
Text4000 = _text(4000)
Website = Annotated[_text(300), AfterValidator(_website)]
BusinessKindChoice = _choice(BusinessKindName, default="b2c")
AwarenessChoice = _choice(AwarenessName, default="")
OfferKindChoice = _choice(OfferKindName, default="")
BillingPeriodChoice = _choice(BillingPeriodName, default="one_time")
ChannelChoice = _choice(ChannelName, default="")
OfferKey = Annotated[str, BeforeValidator(_offer_key)]
Currency = Annotated[str, BeforeValidator(_currency)]
OfferRef = Annotated[str, BeforeValidator(_offer_ref)]
CoreOfferRef = Annotated[str, BeforeValidator(_core_offer_ref)]
LibraryName = Annotated[str, BeforeValidator(_library_name)]
LibraryStage = Annotated[StageSlug | None, BeforeValidator(_stage_slug)]
Money = _decimal("must be a decimal ≥ 0", max_digits=10)
BigMoney = _decimal("must be a decimal ≥ 0", max_digits=12)
Percentage = _decimal("must be a percentage between 0 and 100, or null", max_digits=5, maximum=100)
Reach = Annotated[int, Field(strict=True, ge=0, le=MAX_REACH), WrapValidator(_whole_number)]


# --- Models ---------------------------------------------------------------------------------


class _Part(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class BusinessPart(_Part):
    name: Name = Field("", validate_default=True)
    industry: Text120 = ""
    kind: BusinessKindChoice = "b2c"
    website: Website = ""
    notes: Text4000 = ""


class PersonaPart(_Part):
    name: Name = Field("", validate_default=True)
    role: Text200 = ""
    goals_values: Text4000 = ""
    pains: Text4000 = ""
    passions: Text4000 = ""
    channels: Text4000 = ""
    objections: Text4000 = ""
    decision_role: Text200 = ""
    awareness_level: AwarenessChoice = ""


class OfferPart(_Part):
    key: OfferKey = Field(None, validate_default=True)
    name: Name = Field("", validate_default=True)
    kind: OfferKindChoice = Field("", validate_default=True)
    price: Money = Decimal("0.00")
    currency: Currency = "USD"
    format: Text200 = ""
    promise: Text1000 = ""
    # Optional: files written before it (and one-time offers) leave it out.
    billing_period: BillingPeriodChoice = "one_time"


class LibraryRef(_Part):
    # Left out: the stage the tactic sits in.
    stage: LibraryStage = None
    name: LibraryName = Field(None, validate_default=True)


class TacticPart(_Part):
    library: LibraryRef | None = None
    custom: Name | None = None
    channel: ChannelChoice = ""
    notes: Text4000 = ""

    @model_validator(mode="after")
    def _library_or_custom(self) -> TacticPart:
        if ("library" in self.model_fields_set) == ("custom" in self.model_fields_set):
            raise _problem('needs either "library" (a library tactic) or "custom" (a name)')
        return self


class StagePart(_Part):
    goal: Text4000 = ""
    metric: Text200 = ""
    target_conversion: Percentage | None = None
    notes: Text4000 = ""
    tactics: Annotated[
        list[TacticPart], BeforeValidator(_list_or_empty), Field(max_length=MAX_TACTICS_PER_STAGE)
    ] = []
    offers: Annotated[
        list[OfferRef],
        BeforeValidator(_list_or_empty),
        Field(max_length=MAX_OFFERS),
    ] = []


class StagesPart(_Part):
    """All eight, by slug, in the framework's order."""

    aware: StagePart
    engage: StagePart
    subscribe: StagePart
    convert: StagePart
    excite: StagePart
    ascend: StagePart
    advocate: StagePart
    promote: StagePart


class EconomicsPart(_Part):
    monthly_reach: Reach = 0
    monthly_spend: BigMoney = Decimal("0.00")
    gross_margin: Percentage | None = None  # optional: files written before it load as "not given"


class RankedPart(_Part):
    stage: LibraryStage = None
    tactic: Text120 = ""
    dots: int = Field(0, ge=0, le=1_000_000)


class ChosePart(_Part):
    """The team's last closed dot vote: kept with the file for the record, not imported."""

    closed_at: Text120 = ""
    scope: Text120 = ""  # a stage slug, or "map"
    votes_per_person: int = Field(0, ge=0, le=1000)
    max_per_item: int = Field(0, ge=0, le=1000)
    anonymous: bool = False
    voters: int = Field(0, ge=0, le=1_000_000)
    ranked: Annotated[list[RankedPart], Field(max_length=8 * MAX_TACTICS_PER_STAGE)] = []


class CreditPart(_Part):
    stage: LibraryStage = None
    tactic: Text120 = ""
    by: Annotated[list[Text120], Field(max_length=100)] = []


class TeamPart(_Part):
    """What the client's team contributed in the session (optional; read, never imported)."""

    chose: ChosePart | None = None
    from_team: Annotated[list[CreditPart], Field(max_length=8 * MAX_TACTICS_PER_STAGE)] = []


class JourneyDocument(_Part):
    """A whole ``.cvj.json`` document. Fields in the order export writes them."""

    format: Literal["cvj-journey"] = FORMAT
    version: Literal[1] = FORMAT_VERSION
    title: Title = Field("", validate_default=True)
    business: BusinessPart
    persona: PersonaPart
    offers: Annotated[
        list[OfferPart], BeforeValidator(_list_or_empty), Field(max_length=MAX_OFFERS)
    ] = []
    core_offer: CoreOfferRef = Field(None, validate_default=True)
    stages: StagesPart
    economics: EconomicsPart = EconomicsPart()
    team: TeamPart | None = None


# --- Errors as the import page reports them -------------------------------------------------

Problem = tuple[str, str]


def json_path(loc: tuple[str | int, ...]) -> str:
    """("stages", "aware", "tactics", 3, "library") → "stages.aware.tactics[3].library"."""
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path = f"{path}.{part}" if path else str(part)
    return path


def _message(error: Any, stage_names: dict[str, str]) -> str:
    kind, loc = error["type"], error["loc"]
    if kind == "cvj":
        return error["ctx"]["message"]
    if kind == "extra_forbidden":
        return "unknown field"
    if kind == "missing":
        if len(loc) == 2 and loc[0] == "stages":
            name = stage_names.get(str(loc[1]), str(loc[1]))
            return f"is missing: every journey has all eight stages ({name})"
        return "is missing"
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return "is missing" if error["input"] is None else "must be an object"
    if kind == "list_type":
        return "must be a list"
    if kind == "too_long":
        return f"at most {error['ctx']['max_length']} entries"
    if kind == "string_type":
        return "must be text"
    return error["msg"]  # a rule without a message of ours: pydantic's words, still by path


def schema_errors(error: ValidationError, *, stage_names: dict[str, str]) -> list[Problem]:
    return [(json_path(e["loc"]), _message(e, stage_names)) for e in error.errors()]


# --- Document order, to merge these errors with the cross-reference checks ------------------

_TOKEN = re.compile(r"\[(\d+)\]|([^.\[\]]+)")


def _part_model(annotation: Any) -> type[BaseModel] | None:
    """The model inside `list[X]`, `X | None` or `Annotated[X, …]`, if any."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    origin = typing.get_origin(annotation)
    if origin in (Annotated, list, typing.Union, types.UnionType):
        for inner in typing.get_args(annotation):
            if found := _part_model(inner):
                return found
    return None


def document_order(path: str) -> tuple[int, ...]:
    """Where a path sits in the document: fields in schema order, unknown keys first (as they
    are noticed on entering their object), list items by index."""
    key: list[int] = []
    model: type[BaseModel] | None = JourneyDocument
    for index, name in _TOKEN.findall(path):
        if index:
            key.append(int(index))
            continue
        fields = list(model.model_fields) if model else []
        if name in fields:
            key.append(fields.index(name))
            model = _part_model(model.model_fields[name].annotation)
        else:
            key.append(-1)
            model = None
    return tuple(key)
