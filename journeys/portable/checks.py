"""Cross-reference checks: what the schema cannot say on its own.

Offer keys unique in the file; the core offer and stage offers naming offers of the file, of a
kind the stage takes; library tactics that exist for the agency at that stage; no tactic twice
in one stage. Plain functions over the parsed JSON, so they still report their problems when
some other part of the document is malformed (the import page lists every problem at once).
They only look at values of the right shape; the schema reports the others.
"""

from __future__ import annotations

from typing import Any

from django.db.models import F, Q

from cvj.models import Agency
from stages.models import STAGE_SLUGS, Tactic

from ..models import STAGE_OFFER_KINDS, OfferKind, offer_kind_phrase
from .format import MAX_OFFERS, MAX_TACTICS_PER_STAGE

Problem = tuple[str, str]


class Library:
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


def _items(raw: Any, limit: int) -> list[Any]:
    return raw if isinstance(raw, list) and len(raw) <= limit else []


def _is_offer_key(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip()) and len(value) <= 60


def offer_kinds(raw_offers: Any) -> tuple[list[Problem], dict[str, str]]:
    """Each offer key once in the file. Returns the problems and key → kind ("" when the kind
    itself is wrong: the schema reports that, and nothing is said about where it sits)."""
    problems: list[Problem] = []
    kinds: dict[str, str] = {}
    seen: dict[str, int] = {}
    for i, offer in enumerate(_items(raw_offers, MAX_OFFERS)):
        if not isinstance(offer, dict) or not _is_offer_key(key := offer.get("key")):
            continue
        if key in seen:
            problems.append((f"offers[{i}].key", f'"{key}" is already used by offers[{seen[key]}]'))
            continue
        seen[key] = i
        kind = offer.get("kind")
        kinds[key] = kind if kind in OfferKind.values else ""
    return problems, kinds


def check_core_offer(raw_key: Any, kinds: dict[str, str]) -> list[Problem]:
    if not isinstance(raw_key, str) or not raw_key:
        return []  # the schema says it is required
    if raw_key not in kinds:
        return [("core_offer", f'no offer with key "{raw_key}" in offers')]
    if kinds[raw_key] not in (OfferKind.CORE, ""):
        kind = offer_kind_phrase(kinds[raw_key])
        return [("core_offer", f'offer "{raw_key}" is {kind}; the core offer must be a core offer')]
    return []


def check_stage_offers(
    slug: str, raw: Any, kinds: dict[str, str], stage_names: dict[str, str]
) -> list[Problem]:
    """Offers named at a stage: in the file, of a kind the stage takes, once each."""
    problems: list[Problem] = []
    allowed = STAGE_OFFER_KINDS.get(slug, ())
    takes = " or ".join(offer_kind_phrase(k) for k in allowed) if allowed else "no offers"
    seen: set[str] = set()
    for j, key in enumerate(_items(raw, MAX_OFFERS)):
        path = f"stages.{slug}.offers[{j}]"
        if not isinstance(key, str):
            continue
        if key not in kinds:
            problems.append((path, f'no offer with key "{key}" in offers'))
        elif kinds[key] and kinds[key] not in allowed:
            kind = offer_kind_phrase(kinds[key])
            problems.append((path, f'offer "{key}" is {kind}; {stage_names[slug]} takes {takes}'))
        elif key in seen:
            problems.append((path, f'offer "{key}" is already in this stage'))
        else:
            seen.add(key)
    return problems


def _custom_identity(name: Any) -> str | None:
    if not isinstance(name, str) or not name.strip() or len(name) > 120 or "\x00" in name:
        return None
    return name.strip().casefold()


def check_stage_tactics(
    slug: str, raw: Any, library: Library, stage_names: dict[str, str]
) -> tuple[list[Problem], list[Tactic | None]]:
    """Library tactics found for the agency at this stage, and no tactic twice in the stage.

    Returns the problems and, per tactic in order, the library tactic it names (None for a
    custom tactic) — the writer uses that list once the document is valid."""
    problems: list[Problem] = []
    resolved: list[Tactic | None] = []
    seen: dict[object, int] = {}
    here = stage_names[slug]
    for i, tactic_raw in enumerate(_items(raw, MAX_TACTICS_PER_STAGE)):
        path = f"stages.{slug}.tactics[{i}]"
        tactic, identity = None, None
        if not isinstance(tactic_raw, dict) or ("library" in tactic_raw) == (
            "custom" in tactic_raw
        ):
            resolved.append(None)
            continue
        if "library" in tactic_raw:
            ref = tactic_raw["library"]
            name = ref.get("name") if isinstance(ref, dict) else None
            stage = ref.get("stage") or slug if isinstance(ref, dict) else None
            if isinstance(name, str) and name.strip() and stage in stage_names:
                if stage != slug:
                    problems.append(
                        (
                            f"{path}.library.stage",
                            f'"{name}" is a {stage_names[stage]} tactic; it can\'t sit at {here}',
                        )
                    )
                elif (tactic := library.find(stage, name)) is not None:
                    identity = tactic.pk
                elif library.is_archived(stage, name):
                    problems.append(
                        (f"{path}.library", f'library tactic "{name}" at {here} is archived')
                    )
                else:
                    problems.append((f"{path}.library", f'no library tactic "{name}" at {here}'))
        else:
            identity = _custom_identity(tactic_raw["custom"])
        if identity is not None:
            if identity in seen:
                problems.append(
                    (path, f"the same tactic is already in this stage at tactics[{seen[identity]}]")
                )
            else:
                seen[identity] = i
        resolved.append(tactic)
    return problems, resolved


def check_references(
    document: dict[str, Any], *, library: Library, stage_names: dict[str, str]
) -> tuple[list[Problem], dict[str, list[Tactic | None]]]:
    """Every cross-reference check over the document; problems and library tactics by stage."""
    problems, kinds = offer_kinds(document.get("offers"))
    problems += check_core_offer(document.get("core_offer"), kinds)
    tactics: dict[str, list[Tactic | None]] = {}
    stages = document.get("stages")
    for slug in STAGE_SLUGS:
        stage = stages.get(slug) if isinstance(stages, dict) else None
        if not isinstance(stage, dict):
            continue
        found, tactics[slug] = check_stage_tactics(slug, stage.get("tactics"), library, stage_names)
        problems += found
        problems += check_stage_offers(slug, stage.get("offers"), kinds, stage_names)
    return problems, tactics
