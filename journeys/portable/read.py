"""The reader: bytes → JSON → a checked document → a journey, all or nothing.

Problems are reported by JSON path, every one at once, in document order, e.g.
``stages.convert.offers[0]: offer "guide" is a lead magnet; Convert takes an entry-point
offer``; nothing is written unless the whole document is valid, and then everything is written
in one transaction.
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from pydantic import ValidationError as SchemaError

from cvj.models import Agency
from stages.models import Stage, Tactic

from ..models import Business, Journey, Offer, Persona
from ..services import journey_create, offer_attach, tactic_add
from .checks import Library, Problem, check_references
from .format import FORMAT, FORMAT_VERSION, MAX_DOCUMENT_BYTES
from .schema import LONE_SURROGATE, JourneyDocument, OfferPart, document_order, schema_errors


class DocumentError(Exception):
    """The document can't be imported; `errors` lists (JSON path, message), in document order.

    A path of "" means the document as a whole.
    """

    def __init__(self, errors: list[Problem]) -> None:
        self.errors = errors
        super().__init__("; ".join(f"{p}: {m}" if p else m for p, m in errors))


# --- Bytes → JSON ---------------------------------------------------------------------------


def _size(n: int) -> str:
    return f"{n // (1024 * 1024)} MB" if n >= 1024 * 1024 else f"{n // 1024} KB"


def _shown(text: str) -> str:
    """Text safe to print: lone surrogates as their \\u escape."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def document_loads(raw: bytes) -> Any:
    """Parse the bytes of an uploaded file, or raise DocumentError with a clear message.

    Beyond what JSON allows, a key twice in one object (JSON parsers silently keep the last)
    and lone surrogates (``"\\ud800"``: not text, and unprintable) are refused by path."""
    if len(raw) > MAX_DOCUMENT_BYTES:
        raise DocumentError([("", f"The file is larger than {_size(MAX_DOCUMENT_BYTES)}.")])
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise DocumentError(
            [
                (
                    "",
                    f"The file is not UTF-8 text (unexpected byte 0x{raw[error.start]:02x} at "
                    f"position {error.start}). Save it as UTF-8 JSON and upload it again.",
                )
            ]
        ) from error

    def refuse_constant(name: str) -> None:
        raise ValueError(f"{name} is not allowed in JSON")

    # id(object) → keys it had twice; the objects stay alive in the parsed tree.
    repeated: dict[int, list[str]] = {}

    def build_object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        built = dict(pairs)
        if len(built) != len(pairs):
            seen: set[str] = set()
            repeated[id(built)] = [k for k, _ in pairs if k in seen or seen.add(k)]
        return built

    try:
        document = json.loads(text, parse_constant=refuse_constant, object_pairs_hook=build_object)
    except json.JSONDecodeError as error:
        raise DocumentError(
            [
                (
                    "",
                    f"The file is not valid JSON: {error.msg} "
                    f"(line {error.lineno}, column {error.colno}).",
                )
            ]
        ) from error
    except (ValueError, RecursionError) as error:
        raise DocumentError([("", f"The file is not valid JSON: {error}.")]) from error
    if problems := _unreadable_parts(document, repeated):
        raise DocumentError(problems)
    return document


def _unreadable_parts(document: Any, repeated: dict[int, list[str]]) -> list[Problem]:
    """Repeated keys and lone surrogates, by path, in document order (iterative: the tree may
    be as deep as the JSON parser allowed)."""
    problems: list[Problem] = []
    stack: list[tuple[str, Any]] = [("", document)]
    while stack:
        path, value = stack.pop()
        children: list[tuple[str, Any]] = []
        if isinstance(value, dict):
            for key in dict.fromkeys(repeated.get(id(value), ())):
                here = f"{path}.{_shown(key)}" if path else _shown(key)
                problems.append((here, "appears more than once in this object; keep one"))
            for key, child in value.items():
                here = f"{path}.{_shown(key)}" if path else _shown(key)
                if LONE_SURROGATE.search(key):
                    problems.append((here, "the key contains a lone surrogate; fix the file"))
                children.append((here, child))
        elif isinstance(value, list):
            children = [(f"{path}[{i}]", child) for i, child in enumerate(value)]
        elif isinstance(value, str) and (bad := LONE_SURROGATE.search(value)):
            problems.append(
                (
                    path,
                    f"contains a lone surrogate ({_shown(bad.group())}), which is not text; "
                    "fix the file and upload it again",
                )
            )
        stack.extend(reversed(children))
    return problems


# --- JSON → a checked document --------------------------------------------------------------


class CheckedDocument:
    """A valid document, with every library tactic it names already found."""

    def __init__(self, document: JourneyDocument, tactics: dict[str, list[Tactic | None]]):
        self.document = document
        self.tactics = tactics


def validate_document(document: Any, *, agency: Agency) -> CheckedDocument:
    """Check the whole document; return it checked, or raise DocumentError listing every
    problem (schema and cross-references together, in document order)."""
    if not isinstance(document, dict):
        raise DocumentError([("", "The document must be a JSON object.")])
    if document.get("format") != FORMAT:
        raise DocumentError([("format", f'must be "{FORMAT}" — is this a CVJ Mapper journey?')])
    version = document.get("version")
    if isinstance(version, bool) or not isinstance(version, int) or version != FORMAT_VERSION:
        raise DocumentError(
            [("version", f"version {version!r} is not supported; use {FORMAT_VERSION}")]
        )
    stage_names = dict(Stage.objects.values_list("slug", "name"))
    checked: JourneyDocument | None = None
    try:
        checked = JourneyDocument.model_validate(document)
        problems: list[Problem] = []
    except SchemaError as error:
        problems = schema_errors(error, stage_names=stage_names)
    references, tactics = check_references(
        document, library=Library(agency), stage_names=stage_names
    )
    problems += references
    if problems or checked is None:
        # Stable sort: the schema's own order for problems at one path, then the checks'.
        raise DocumentError(sorted(problems, key=lambda problem: document_order(problem[0])))
    return CheckedDocument(checked, tactics)


# --- A checked document → a journey ---------------------------------------------------------


def journey_from_document(
    *,
    document: Any,
    agency: Agency,
    business: Business | None = None,
    persona: Persona | None = None,
    owner: AbstractBaseUser | None,
    title: str | None = None,
) -> Journey:
    """Create a journey from a portable document, all or nothing.

    business None: the business is created from the document (" (2)" appended on a name
    clash). persona given: used instead of the document's persona (its business is the
    target). Raises DocumentError listing every problem by path; then nothing is written.
    """
    if persona is not None:
        if business is None:
            business = persona.business
        elif persona.business_id != business.pk:
            raise ValueError("The persona belongs to another business.")
    if business is not None and business.agency_id != agency.pk:
        raise ValueError("The business belongs to another agency.")
    checked = validate_document(document, agency=agency)
    if title is not None:
        title = title.strip()
        if not title or len(title) > 200:
            raise DocumentError([("title", "must be 1–200 characters")])
    try:
        with transaction.atomic():
            return _write(
                checked,
                title=title or checked.document.title,
                agency=agency,
                business=business,
                persona=persona,
                owner=owner,
            )
    except ValidationError as error:  # a rule the checks above missed: still all or nothing
        raise DocumentError([("", message) for message in error.messages]) from error


def _write(
    checked: CheckedDocument,
    *,
    title: str,
    agency: Agency,
    business: Business | None,
    persona: Persona | None,
    owner: AbstractBaseUser | None,
) -> Journey:
    document = checked.document
    persona_fields = document.persona.model_dump()
    if business is None:
        fields = document.business.model_dump()
        business = Business(
            agency=agency, **{**fields, "name": _free_business_name(agency, fields["name"])}
        )
        business.full_clean()
        business.save()
        existing_offers: list[Offer] = []
    else:
        existing_offers = list(business.offers.order_by("pk"))
        if persona is None:
            persona = business.personas.filter(name=persona_fields["name"]).order_by("pk").first()
    if persona is None:
        persona = Persona(business=business, **persona_fields)
        persona.full_clean()
        persona.save()

    offers = _resolve_offers(document.offers, business=business, existing=existing_offers)
    journey = journey_create(
        business=business,
        persona=persona,
        core_offer=offers[document.core_offer],
        title=title,
        owner=owner,
    )
    Journey.objects.filter(pk=journey.pk).update(
        monthly_reach=document.economics.monthly_reach,
        monthly_spend=document.economics.monthly_spend,
        gross_margin=document.economics.gross_margin,
    )
    for entry in journey.stages.select_related("stage", "journey__business"):
        slug = entry.stage.slug
        stage = getattr(document.stages, slug)
        entry.goal, entry.metric, entry.notes = stage.goal, stage.metric, stage.notes
        entry.target_conversion = stage.target_conversion
        entry.full_clean()
        entry.save(update_fields=["goal", "metric", "target_conversion", "notes", "updated_at"])
        for tactic, library_tactic in zip(stage.tactics, checked.tactics[slug], strict=True):
            tactic_add(
                journey_stage=entry,
                tactic=library_tactic,
                custom_name="" if library_tactic else (tactic.custom or "").strip(),
                channel=tactic.channel,
                notes=tactic.notes,
            )
        for key in stage.offers:
            offer_attach(journey_stage=entry, offer=offers[key])
    journey.refresh_from_db()
    return journey


def _free_business_name(agency: Agency, name: str) -> str:
    taken = {
        n.casefold() for n in Business.objects.filter(agency=agency).values_list("name", flat=True)
    }
    candidate, n = name, 2
    while candidate.casefold() in taken:
        suffix = f" ({n})"
        candidate, n = name[: 120 - len(suffix)].rstrip() + suffix, n + 1
    return candidate


def _resolve_offers(
    planned: list[OfferPart], *, business: Business, existing: list[Offer]
) -> dict[str, Offer]:
    """Each offer of the file → the business's matching offer (same name and kind, the same
    price preferred), or a new one. An existing offer stands in for at most one of the file's."""
    resolved: dict[str, Offer] = {}
    free = list(existing)

    def take(plan: OfferPart, *, same_price: bool) -> Offer | None:
        for offer in free:
            if (
                offer.kind == plan.kind
                and offer.name.strip().casefold() == plan.name.casefold()
                and (not same_price or offer.price == plan.price)
            ):
                free.remove(offer)
                return offer
        return None

    for same_price in (True, False):
        for plan in planned:
            if plan.key not in resolved and (found := take(plan, same_price=same_price)):
                resolved[plan.key] = found
    for plan in planned:
        if plan.key not in resolved:
            offer = Offer(business=business, **plan.model_dump(exclude={"key"}))
            offer.full_clean()
            offer.save()
            resolved[plan.key] = offer
    return resolved
