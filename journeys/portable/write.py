"""The writer: a journey → its ``.cvj.json`` document (deterministic, export order)."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from django.utils.text import slugify

from ..models import Journey, JourneyStage, Offer, StageOffer, StageTactic
from ..rules import LADDER_ORDER
from .format import FORMAT, FORMAT_VERSION
from .schema import PersonaPart

PERSONA_FIELDS = tuple(PersonaPart.model_fields)


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
