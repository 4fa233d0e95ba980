"""The portable journey format: one journey as a JSON document, to export, import and clone.

A ``.cvj.json`` file carries everything a map says — business, persona, the offers it uses,
the eight stages with their tactics and offers, and the economics assumptions — and nothing
that only makes sense in one database (no ids, no timestamps, no owner). So the same document
can be downloaded, edited by hand, imported into another agency, stored as a template and
cloned, and export → import → export gives the same document back.

The format is described in ``FORMAT_DOC`` (shown in the README and on the import page).
Import validates the whole document first and reports every problem by its JSON path, e.g.
``stages.convert.offers[0]: offer "guide" is a lead magnet; Convert takes an entry-point
offer``; it writes nothing unless the whole document is valid, and then writes everything in
one transaction.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import F, Q
from django.utils.text import slugify

from cvj.models import Agency
from stages.models import STAGE_SLUGS, Channel, Stage, Tactic

from .models import (
    STAGE_OFFER_KINDS,
    AwarenessLevel,
    Business,
    BusinessKind,
    Journey,
    JourneyStage,
    JourneyTemplate,
    Offer,
    OfferKind,
    Persona,
    StageOffer,
    StageTactic,
)
from .services import journey_create, offer_attach, tactic_add

FORMAT = "cvj-journey"
FORMAT_VERSION = 1
MAX_DOCUMENT_BYTES = 1024 * 1024
MAX_OFFERS = 100
MAX_TACTICS_PER_STAGE = 100
LADDER_ORDER = ("lead_magnet", "entry_point", "core", "ascension", "referral")

FORMAT_DOC = """\
CVJ journey file — format "cvj-journey", version 1

A UTF-8 JSON object, at most 1 MB, with these keys (export writes them in this order):

  format        "cvj-journey"
  version       1
  title         the journey's title (1–200 characters)
  business      {name, industry, kind, website, notes}
                  kind is "b2c" or "b2b"; website a full URL or ""
  persona       {name, role, goals_values, pains, passions, channels, objections,
                 decision_role, awareness_level}
                  awareness_level is "unaware", "problem_aware", "solution_aware",
                  "product_aware" or ""
  offers        [{key, name, kind, price, currency, format, promise}, …]
                  key: any short text, unique in the file, used to refer to the offer below
                  kind: lead_magnet, entry_point, core, ascension or referral
                  price: a decimal as a string, ≥ 0, at most 2 decimals ("19.00")
                  currency: a three-letter code ("USD")
                  export lists the journey's offers up the ladder: by kind, price, name
  core_offer    the key of the journey's core offer (an offer of kind "core")
  stages        {aware, engage, subscribe, convert, excite, ascend, advocate, promote}
                  all eight, each {goal, metric, target_conversion, notes, tactics, offers}
                  target_conversion: a percentage 0–100 as a string ("12.50") or null
                  tactics, in order: {"library": {"stage": slug, "name": …}, "notes": …}
                    for a tactic of the library (the global library or your agency's own;
                    matched by stage and name, ignoring case), or
                    {"custom": name, "channel": code, "notes": …} for a tactic of your own
                    (channel: social, search, paid, content, email, cro, events, partners,
                    sales, product or "")
                  offers, in order: offer keys; a stage takes only the kinds that belong
                    there: Subscribe a lead magnet, Convert an entry-point offer, Ascend the
                    core offer and ascension offers, Promote a referral incentive
  economics     {monthly_reach: whole number ≥ 0, monthly_spend: decimal string ≥ 0}

Inside business, persona, offers, stages and economics, text fields may be left out (they
default to empty). Unknown keys are errors, so a typo never goes unnoticed.

Import rules
  * Everything is checked first; any problem is reported by its path (for example
    "offers[2].price: must be a decimal ≥ 0") and nothing is imported.
  * Into a new client: the business is created from the file. If your agency already has a
    client with that name, the new one is called "Name (2)" (then "(3)", …).
  * Into an existing client: the file's business details are ignored; the persona is the
    client's persona of the same name if there is one, otherwise it is created; each offer
    is the client's offer with the same name and kind (preferring the same price) if there is
    one, otherwise it is created.
  * Archived library tactics are exported as custom tactics (name and channel), since the
    library no longer offers them.
"""


# --- Errors -------------------------------------------------------------------------------


class DocumentError(Exception):
    """The document can't be imported; `errors` lists (JSON path, message), in document order.

    A path of "" means the document as a whole.
    """

    def __init__(self, errors: list[tuple[str, str]]) -> None:
        self.errors = errors
        super().__init__("; ".join(f"{p}: {m}" if p else m for p, m in errors))


# --- Export -------------------------------------------------------------------------------


def _money(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.01'))}"


def _ladder_key(offer: Offer) -> tuple[int, Decimal, str, int]:
    return (LADDER_ORDER.index(offer.kind), offer.price, offer.name.casefold(), offer.pk)


def offer_keys(names: list[str]) -> list[str]:
    """Stable, readable keys for offers in ladder order: the name as a slug, numbered on clash."""
    keys: list[str] = []
    for name in names:
        base = slugify(name).replace("-", "_")[:40].strip("_") or "offer"
        key, n = base, 2
        while key in keys:
            key, n = f"{base}_{n}", n + 1
        keys.append(key)
    return keys


def journey_to_document(journey: Journey) -> dict[str, Any]:
    """The journey in the portable format, read fresh from the database.

    Deterministic: keys in a fixed order, offers up the ladder, tactics and stage offers in
    their position order — the same journey always gives the same document.
    """
    journey = Journey.objects.select_related("business", "persona", "core_offer").get(pk=journey.pk)
    business, persona = journey.business, journey.persona
    entries = list(
        JourneyStage.objects.filter(journey=journey)
        .select_related("stage")
        .order_by("stage__position")
    )
    tactics = (
        StageTactic.objects.filter(journey_stage__journey=journey)
        .select_related("tactic__stage")
        .order_by("position", "id")
    )
    stage_offers = (
        StageOffer.objects.filter(journey_stage__journey=journey)
        .select_related("offer")
        .order_by("position", "id")
    )
    tactics_by_entry: dict[int, list[StageTactic]] = {}
    for stage_tactic in tactics:
        tactics_by_entry.setdefault(stage_tactic.journey_stage_id, []).append(stage_tactic)
    offers_by_entry: dict[int, list[Offer]] = {}
    used: dict[int, Offer] = {journey.core_offer.pk: journey.core_offer}
    for stage_offer in stage_offers:
        offers_by_entry.setdefault(stage_offer.journey_stage_id, []).append(stage_offer.offer)
        used[stage_offer.offer_id] = stage_offer.offer
    ladder = sorted(used.values(), key=_ladder_key)
    key_of = dict(zip((o.pk for o in ladder), offer_keys([o.name for o in ladder]), strict=True))

    return {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "title": journey.title,
        "business": {
            "name": business.name,
            "industry": business.industry,
            "kind": business.kind,
            "website": business.website,
            "notes": business.notes,
        },
        "persona": {name: getattr(persona, name) for name in PERSONA_FIELDS},
        "offers": [
            {
                "key": key_of[offer.pk],
                "name": offer.name,
                "kind": offer.kind,
                "price": _money(offer.price),
                "currency": offer.currency,
                "format": offer.format,
                "promise": offer.promise,
            }
            for offer in ladder
        ],
        "core_offer": key_of[journey.core_offer.pk],
        "stages": {
            entry.stage.slug: {
                "goal": entry.goal,
                "metric": entry.metric,
                "target_conversion": None
                if entry.target_conversion is None
                else _money(entry.target_conversion),
                "notes": entry.notes,
                "tactics": [_tactic_document(t) for t in tactics_by_entry.get(entry.pk, [])],
                "offers": [key_of[o.pk] for o in offers_by_entry.get(entry.pk, [])],
            }
            for entry in entries
        },
        "economics": {
            "monthly_reach": journey.monthly_reach,
            "monthly_spend": _money(journey.monthly_spend),
        },
    }


def _tactic_document(stage_tactic: StageTactic) -> dict[str, Any]:
    tactic = stage_tactic.tactic
    if tactic is not None and tactic.is_active:
        described: dict[str, Any] = {"library": {"stage": tactic.stage.slug, "name": tactic.name}}
        if stage_tactic.channel:
            described["channel"] = stage_tactic.channel
    else:
        # An archived library tactic can't be picked again, so it travels as a custom one.
        name = stage_tactic.custom_name or (tactic.name if tactic else "")
        channel = stage_tactic.channel or (tactic.channel if tactic else "")
        described = {"custom": name, "channel": channel}
    described["notes"] = stage_tactic.notes
    return described


def document_dumps(document: dict[str, Any]) -> str:
    """The document as the text of a .cvj.json file."""
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def document_filename(journey: Journey) -> str:
    """A safe download name: "<business> - <title>.cvj.json"."""
    raw = f"{journey.business.name} - {journey.title}"
    safe = "".join(ch for ch in raw if ch.isprintable() and ch not in '\\/:*?"<>|').strip(" .")
    return f"{safe[:150] or 'Journey'}.cvj.json"


def document_loads(raw: bytes) -> Any:
    """Parse the bytes of an uploaded file, or raise DocumentError with a clear message."""
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

    try:
        return json.loads(text, parse_constant=refuse_constant)
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


def _size(n: int) -> str:
    return f"{n // (1024 * 1024)} MB" if n >= 1024 * 1024 else f"{n // 1024} KB"


# --- Validation ---------------------------------------------------------------------------

PERSONA_FIELDS: dict[str, int] = {
    "name": 120,
    "role": 200,
    "goals_values": 4000,
    "pains": 4000,
    "passions": 4000,
    "channels": 4000,
    "objections": 4000,
    "decision_role": 200,
    "awareness_level": 20,
}
BUSINESS_FIELDS = ("name", "industry", "kind", "website", "notes")
OFFER_FIELDS = ("key", "name", "kind", "price", "currency", "format", "promise")
STAGE_FIELDS = ("goal", "metric", "target_conversion", "notes", "tactics", "offers")
TOP_FIELDS = (
    "format",
    "version",
    "title",
    "business",
    "persona",
    "offers",
    "core_offer",
    "stages",
    "economics",
)
MAX_REACH = 2_147_483_647


@dataclass
class OfferPlan:
    key: str
    name: str
    kind: str
    price: Decimal
    currency: str
    format: str
    promise: str


@dataclass
class TacticPlan:
    tactic: Tactic | None
    custom_name: str
    channel: str
    notes: str


@dataclass
class StagePlan:
    goal: str
    metric: str
    target_conversion: Decimal | None
    notes: str
    tactics: list[TacticPlan] = field(default_factory=list)
    offer_keys: list[str] = field(default_factory=list)


@dataclass
class JourneyPlan:
    """A validated document, ready to write: every reference already resolved."""

    title: str
    business: dict[str, str]
    persona: dict[str, str]
    offers: list[OfferPlan]
    core_offer: str
    stages: dict[str, StagePlan]
    monthly_reach: int
    monthly_spend: Decimal


def _article(label: str) -> str:
    return f"an {label}" if label[:1].lower() in "aeiou" else f"a {label}"


def _kind_phrase(kind: str) -> str:
    return _article(OfferKind(kind).label.lower())


class _Checker:
    """Collects every problem with a path instead of stopping at the first one."""

    def __init__(self) -> None:
        self.errors: list[tuple[str, str]] = []

    def error(self, path: str, message: str) -> None:
        self.errors.append((path, message))

    def mapping(self, value: Any, path: str, *, allowed: tuple[str, ...]) -> dict[str, Any] | None:
        if not isinstance(value, dict):
            self.error(path, "is missing" if value is None else "must be an object")
            return None
        for key in value:
            if key not in allowed:
                self.error(_join(path, key), "unknown field")
        return value

    def listing(self, value: Any, path: str, *, limit: int) -> list[Any]:
        if value is None:
            return []
        if not isinstance(value, list):
            self.error(path, "must be a list")
            return []
        if len(value) > limit:
            self.error(path, f"at most {limit} entries")
            return []
        return value

    def text(
        self,
        mapping: dict[str, Any],
        key: str,
        path: str,
        *,
        max_length: int,
        required: bool = False,
    ) -> str:
        here = _join(path, key)
        value = mapping.get(key, "")
        if value is None:
            value = ""
        if not isinstance(value, str):
            self.error(here, "must be text")
            return ""
        if "\x00" in value:
            self.error(here, "must not contain NUL characters")
            return ""
        if required and not value.strip():
            self.error(here, "is required")
            return ""
        if len(value) > max_length:
            self.error(here, f"at most {max_length} characters (this has {len(value)})")
            return ""
        return value

    def choice(
        self, mapping: dict[str, Any], key: str, path: str, *, choices: list[str], default: str
    ) -> str:
        here = _join(path, key)
        value = mapping.get(key, default)
        if value is None:
            value = default
        if value not in choices:
            shown = ", ".join(f'"{c}"' for c in choices)
            self.error(here, f"must be one of {shown}")
            return default
        return value

    def decimal(
        self,
        value: Any,
        path: str,
        *,
        message: str,
        max_digits: int,
        maximum: Decimal | None = None,
    ) -> Decimal | None:
        if isinstance(value, bool) or not isinstance(value, (str, int)):
            self.error(path, f'{message} (written as a string, e.g. "19.00")')
            return None
        try:
            number = Decimal(value.strip() if isinstance(value, str) else value)
        except InvalidOperation:
            self.error(path, message)
            return None
        if not number.is_finite() or number < 0 or (maximum is not None and number > maximum):
            self.error(path, message)
            return None
        if number >= Decimal(10) ** (max_digits - 2):
            self.error(path, f"too large (at most {max_digits - 2} digits before the point)")
            return None
        cents = number.quantize(Decimal("0.01"))
        if cents != number:
            self.error(path, "at most 2 decimal places")
            return None
        return cents


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


class _Library:
    """Library tactics the agency may use, by (stage slug, name ignoring case)."""

    def __init__(self, agency: Agency) -> None:
        self.active: dict[tuple[str, str], Tactic] = {}
        self.archived: set[tuple[str, str]] = set()
        rows = (
            Tactic.objects.filter(Q(agency__isnull=True) | Q(agency=agency))
            .select_related("stage")
            # Global first, so the agency's own tactic of the same name wins.
            .order_by(F("agency_id").asc(nulls_first=True), "pk")
        )
        for tactic in rows:
            key = (tactic.stage.slug, tactic.name.strip().casefold())
            if tactic.is_active:
                self.active[key] = tactic
            else:
                self.archived.add(key)

    def find(self, stage: str, name: str) -> Tactic | None:
        return self.active.get((stage, name.strip().casefold()))

    def is_archived(self, stage: str, name: str) -> bool:
        return (stage, name.strip().casefold()) in self.archived


def validate_document(document: Any, *, agency: Agency) -> JourneyPlan:
    """Check the whole document; return the plan to write or raise DocumentError."""
    check = _Checker()
    root = check.mapping(document, "", allowed=TOP_FIELDS)
    if root is None:
        raise DocumentError([("", "The document must be a JSON object.")])
    if root.get("format") != FORMAT:
        raise DocumentError([("format", f'must be "{FORMAT}" — is this a CVJ Mapper journey?')])
    version = root.get("version")
    if isinstance(version, bool) or not isinstance(version, int) or version != FORMAT_VERSION:
        raise DocumentError(
            [("version", f"version {version!r} is not supported; use {FORMAT_VERSION}")]
        )

    title = check.text(root, "title", "", max_length=200, required=True)
    business = _check_business(check, root.get("business"))
    persona = _check_persona(check, root.get("persona"))
    offers = _check_offers(check, root.get("offers"))
    by_key = {offer.key: offer for offer in offers}

    core_key = root.get("core_offer")
    if not isinstance(core_key, str) or not core_key:
        check.error("core_offer", "is required: the key of the journey's core offer")
    elif core_key not in by_key:
        check.error("core_offer", f'no offer with key "{core_key}" in offers')
    elif by_key[core_key].kind not in (OfferKind.CORE, ""):  # "": its kind is reported
        kind = _kind_phrase(by_key[core_key].kind)
        check.error(
            "core_offer", f'offer "{core_key}" is {kind}; the core offer must be a core offer'
        )

    stages = _check_stages(check, root.get("stages"), by_key, _Library(agency))

    reach, spend = 0, Decimal("0.00")
    economics = check.mapping(
        root.get("economics", {}), "economics", allowed=("monthly_reach", "monthly_spend")
    )
    if economics is not None:
        raw_reach = economics.get("monthly_reach", 0)
        if (
            isinstance(raw_reach, bool)
            or not isinstance(raw_reach, int)
            or not (0 <= raw_reach <= MAX_REACH)
        ):
            check.error("economics.monthly_reach", "must be a whole number ≥ 0")
        else:
            reach = raw_reach
        spend = check.decimal(
            economics.get("monthly_spend", "0"),
            "economics.monthly_spend",
            message="must be a decimal ≥ 0",
            max_digits=12,
        ) or Decimal("0.00")

    if check.errors:
        raise DocumentError(check.errors)
    return JourneyPlan(
        title=title,
        business=business,
        persona=persona,
        offers=offers,
        core_offer=core_key,
        stages=stages,
        monthly_reach=reach,
        monthly_spend=spend,
    )


def _check_business(check: _Checker, raw: Any) -> dict[str, str]:
    business = check.mapping(raw, "business", allowed=BUSINESS_FIELDS)
    if business is None:
        return {}
    website = check.text(business, "website", "business", max_length=300)
    if website:
        try:
            URLValidator()(website)
        except ValidationError:
            check.error("business.website", "must be a full web address, e.g. https://…")
    return {
        "name": check.text(business, "name", "business", max_length=120, required=True),
        "industry": check.text(business, "industry", "business", max_length=120),
        "kind": check.choice(
            business, "kind", "business", choices=list(BusinessKind.values), default="b2c"
        ),
        "website": website,
        "notes": check.text(business, "notes", "business", max_length=4000),
    }


def _check_persona(check: _Checker, raw: Any) -> dict[str, str]:
    persona = check.mapping(raw, "persona", allowed=tuple(PERSONA_FIELDS))
    if persona is None:
        return {}
    checked = {
        name: check.text(persona, name, "persona", max_length=limit, required=name == "name")
        for name, limit in PERSONA_FIELDS.items()
        if name != "awareness_level"
    }
    checked["awareness_level"] = check.choice(
        persona,
        "awareness_level",
        "persona",
        choices=["", *AwarenessLevel.values],
        default="",
    )
    return checked


def _check_offers(check: _Checker, raw: Any) -> list[OfferPlan]:
    offers: list[OfferPlan] = []
    seen: dict[str, int] = {}
    for i, item in enumerate(check.listing(raw, "offers", limit=MAX_OFFERS)):
        path = f"offers[{i}]"
        offer = check.mapping(item, path, allowed=OFFER_FIELDS)
        if offer is None:
            continue
        key = offer.get("key")
        if not isinstance(key, str) or not key.strip() or len(key) > 60:
            check.error(f"{path}.key", "is required: short text (at most 60 characters)")
            key = None
        elif key in seen:
            check.error(f"{path}.key", f'"{key}" is already used by offers[{seen[key]}]')
            key = None
        else:
            seen[key] = i
        price = check.decimal(
            offer.get("price", "0"), f"{path}.price", message="must be a decimal ≥ 0", max_digits=10
        )
        currency = offer.get("currency", "USD")
        if not isinstance(currency, str) or len(currency) != 3 or not currency.isalpha():
            check.error(f"{path}.currency", 'must be a three-letter currency code, e.g. "USD"')
            currency = "USD"
        plan = OfferPlan(
            key=key or "",
            name=check.text(offer, "name", path, max_length=120, required=True),
            kind=check.choice(offer, "kind", path, choices=list(OfferKind.values), default=""),
            price=price if price is not None else Decimal("0.00"),
            currency=currency.upper(),
            format=check.text(offer, "format", path, max_length=200),
            promise=check.text(offer, "promise", path, max_length=1000),
        )
        if key:
            offers.append(plan)
    return offers


def _check_stages(
    check: _Checker, raw: Any, offers: dict[str, OfferPlan], library: _Library
) -> dict[str, StagePlan]:
    stages = check.mapping(raw, "stages", allowed=STAGE_SLUGS)
    if stages is None:
        return {}
    names = dict(Stage.objects.values_list("slug", "name"))
    plans: dict[str, StagePlan] = {}
    for slug in STAGE_SLUGS:
        path = f"stages.{slug}"
        if slug not in stages:
            check.error(path, f"is missing: every journey has all eight stages ({names[slug]})")
            continue
        entry = check.mapping(stages[slug], path, allowed=STAGE_FIELDS)
        if entry is None:
            continue
        target = entry.get("target_conversion")
        plans[slug] = StagePlan(
            goal=check.text(entry, "goal", path, max_length=4000),
            metric=check.text(entry, "metric", path, max_length=200),
            target_conversion=None
            if target is None
            else check.decimal(
                target,
                f"{path}.target_conversion",
                message="must be a percentage between 0 and 100, or null",
                max_digits=5,
                maximum=Decimal(100),
            ),
            notes=check.text(entry, "notes", path, max_length=4000),
            tactics=_check_tactics(check, entry.get("tactics"), slug, names, library),
            offer_keys=_check_stage_offers(check, entry.get("offers"), slug, names, offers),
        )
    return plans


def _check_tactics(
    check: _Checker, raw: Any, slug: str, names: dict[str, str], library: _Library
) -> list[TacticPlan]:
    plans: list[TacticPlan] = []
    seen: dict[object, int] = {}
    base = f"stages.{slug}.tactics"
    for i, item in enumerate(check.listing(raw, base, limit=MAX_TACTICS_PER_STAGE)):
        path = f"{base}[{i}]"
        tactic_raw = check.mapping(item, path, allowed=("library", "custom", "channel", "notes"))
        if tactic_raw is None:
            continue
        notes = check.text(tactic_raw, "notes", path, max_length=4000)
        channel = check.choice(
            tactic_raw, "channel", path, choices=["", *Channel.values], default=""
        )
        has_library, has_custom = "library" in tactic_raw, "custom" in tactic_raw
        if has_library == has_custom:
            check.error(path, 'needs either "library" (a library tactic) or "custom" (a name)')
            continue
        if has_library:
            tactic = _check_library_ref(
                check, tactic_raw["library"], f"{path}.library", slug, names, library
            )
            if tactic is None:
                continue
            identity: object = tactic.pk
            plan = TacticPlan(tactic=tactic, custom_name="", channel=channel, notes=notes)
        else:
            name = check.text(tactic_raw, "custom", path, max_length=120, required=True).strip()
            if not name:
                continue
            identity = name.casefold()
            plan = TacticPlan(tactic=None, custom_name=name, channel=channel, notes=notes)
        if identity in seen:
            check.error(
                path, f"the same tactic is already in this stage at tactics[{seen[identity]}]"
            )
            continue
        seen[identity] = i
        plans.append(plan)
    return plans


def _check_library_ref(
    check: _Checker, raw: Any, path: str, slug: str, names: dict[str, str], library: _Library
) -> Tactic | None:
    ref = check.mapping(raw, path, allowed=("stage", "name"))
    if ref is None:
        return None
    stage, name = ref.get("stage", slug), ref.get("name")
    if not isinstance(name, str) or not name.strip():
        check.error(f"{path}.name", "is required: the library tactic's name")
        return None
    if not isinstance(stage, str) or stage not in names:
        check.error(f"{path}.stage", f'"{stage}" is not a stage')
        return None
    if stage != slug:
        check.error(
            f"{path}.stage",
            f'"{name}" is a {names[stage]} tactic; it can\'t sit at {names[slug]}',
        )
        return None
    tactic = library.find(stage, name)
    if tactic is None:
        if library.is_archived(stage, name):
            check.error(path, f'library tactic "{name}" at {names[slug]} is archived')
        else:
            check.error(path, f'no library tactic "{name}" at {names[slug]}')
    return tactic


def _check_stage_offers(
    check: _Checker, raw: Any, slug: str, names: dict[str, str], offers: dict[str, OfferPlan]
) -> list[str]:
    keys: list[str] = []
    allowed = STAGE_OFFER_KINDS.get(slug, ())
    takes = " or ".join(_kind_phrase(k) for k in allowed) if allowed else "no offers"
    base = f"stages.{slug}.offers"
    for j, key in enumerate(check.listing(raw, base, limit=MAX_OFFERS)):
        path = f"{base}[{j}]"
        if not isinstance(key, str):
            check.error(path, "must be an offer key (text)")
        elif key not in offers:
            check.error(path, f'no offer with key "{key}" in offers')
        elif offers[key].kind and offers[key].kind not in allowed:
            kind = _kind_phrase(offers[key].kind)
            check.error(path, f'offer "{key}" is {kind}; {names[slug]} takes {takes}')
        elif key in keys:
            check.error(path, f'offer "{key}" is already in this stage')
        else:
            keys.append(key)
    return keys


# --- Import -------------------------------------------------------------------------------


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
    plan = validate_document(document, agency=agency)
    if title is not None:
        title = title.strip()
        if not title or len(title) > 200:
            raise DocumentError([("title", "must be 1–200 characters")])
        plan.title = title
    try:
        with transaction.atomic():
            return _write(plan, agency=agency, business=business, persona=persona, owner=owner)
    except ValidationError as error:  # a rule the checks above missed: still all or nothing
        raise DocumentError([("", message) for message in error.messages]) from error


def _write(
    plan: JourneyPlan,
    *,
    agency: Agency,
    business: Business | None,
    persona: Persona | None,
    owner: AbstractBaseUser | None,
) -> Journey:
    if business is None:
        business = Business(
            agency=agency,
            **{**plan.business, "name": _free_business_name(agency, plan.business["name"])},
        )
        business.full_clean()
        business.save()
        existing_offers: list[Offer] = []
    else:
        existing_offers = list(business.offers.order_by("pk"))
        if persona is None:
            persona = business.personas.filter(name=plan.persona["name"]).order_by("pk").first()
    if persona is None:
        persona = Persona(business=business, **plan.persona)
        persona.full_clean()
        persona.save()

    offers = _resolve_offers(plan.offers, business=business, existing=existing_offers)
    journey = journey_create(
        business=business,
        persona=persona,
        core_offer=offers[plan.core_offer],
        title=plan.title,
        owner=owner,
    )
    Journey.objects.filter(pk=journey.pk).update(
        monthly_reach=plan.monthly_reach, monthly_spend=plan.monthly_spend
    )
    for entry in journey.stages.select_related("stage", "journey__business"):
        stage = plan.stages[entry.stage.slug]
        entry.goal, entry.metric, entry.notes = stage.goal, stage.metric, stage.notes
        entry.target_conversion = stage.target_conversion
        entry.full_clean()
        entry.save(update_fields=["goal", "metric", "target_conversion", "notes", "updated_at"])
        for tactic in stage.tactics:
            tactic_add(
                journey_stage=entry,
                tactic=tactic.tactic,
                custom_name=tactic.custom_name,
                channel=tactic.channel,
                notes=tactic.notes,
            )
        for key in stage.offer_keys:
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
    planned: list[OfferPlan], *, business: Business, existing: list[Offer]
) -> dict[str, Offer]:
    """Each planned offer → the business's matching offer (same name and kind, the same price
    preferred), or a new one. An existing offer stands in for at most one planned offer."""
    resolved: dict[str, Offer] = {}
    free = list(existing)

    def take(plan: OfferPlan, *, same_price: bool) -> Offer | None:
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
            offer = Offer(
                business=business,
                name=plan.name,
                kind=plan.kind,
                price=plan.price,
                currency=plan.currency,
                format=plan.format,
                promise=plan.promise,
            )
            offer.full_clean()
            offer.save()
            resolved[plan.key] = offer
    return resolved


# --- Cloning and templates ----------------------------------------------------------------


def copy_title(title: str) -> str:
    suffix = " (copy)"
    return title[: 200 - len(suffix)].rstrip() + suffix


def journey_clone(
    *,
    journey: Journey,
    business: Business | None = None,
    persona: Persona | None = None,
    owner: AbstractBaseUser | None,
    title: str | None = None,
) -> Journey:
    """Copy a journey — stages, tactics, offers, economics — to a business of the same agency.

    persona None: the same persona within the same business; in another business, that
    business's persona of the same name, or a copy of it. Offers the target business lacks
    (by name and kind) are created there.
    """
    source_business = journey.business
    business = business or (persona.business if persona else source_business)
    if business.agency_id != source_business.agency_id:
        raise ValueError("A journey is cloned within its agency only.")
    if persona is None and business.pk == source_business.pk:
        persona = journey.persona
    return journey_from_document(
        document=journey_to_document(journey),
        agency=source_business.agency,
        business=business,
        persona=persona,
        owner=owner,
        title=title or copy_title(journey.title),
    )


@transaction.atomic
def journey_template_create(
    *, journey: Journey, name: str, description: str = "", created_by: AbstractBaseUser | None
) -> JourneyTemplate:
    """Save the journey, as it is now, as one of its agency's templates."""
    business = journey.business
    template = JourneyTemplate(
        agency_id=business.agency_id,
        name=name.strip(),
        industry=business.industry,
        description=description.strip(),
        document=journey_to_document(journey),
        created_by=created_by,
    )
    template.full_clean(exclude=["created_by"] if created_by is None else None)
    template.save()
    return template


def journey_start_from_template(
    *,
    document: dict[str, Any],
    agency: Agency,
    business: Business | None,
    new_business_name: str = "",
    owner: AbstractBaseUser | None,
    title: str | None = None,
) -> Journey:
    """Start a journey from a template: for an existing client, or a new one created from the
    template's business under `new_business_name`."""
    if business is None and new_business_name.strip():
        business_raw = document.get("business")
        business_raw = business_raw if isinstance(business_raw, dict) else {}
        document = {**document, "business": {**business_raw, "name": new_business_name.strip()}}
    return journey_from_document(
        document=document, agency=agency, business=business, owner=owner, title=title
    )
