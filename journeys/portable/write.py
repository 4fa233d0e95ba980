"""The writer: a journey → its ``.cvj.json`` document (deterministic, export order), built from
the journey's snapshot like every other read of a journey."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from django.utils.text import slugify

from ..deliverable.snapshot import JourneySnapshot, OfferSnap, TacticSnap, journey_snapshot
from ..models import Journey
from ..rules import LADDER_ORDER
from .format import FORMAT, FORMAT_VERSION
from .schema import PersonaPart

PERSONA_FIELDS = tuple(PersonaPart.model_fields)


def _money(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.01'))}"


def _ladder_key(offer: OfferSnap) -> tuple[int, Decimal, str, int]:
    return (LADDER_ORDER.index(offer.kind), offer.price, offer.name.casefold(), offer.id)


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
    """The journey in the portable format, read fresh from the database."""
    return snapshot_to_document(journey_snapshot(journey))


def snapshot_to_document(snapshot: JourneySnapshot) -> dict[str, Any]:
    """The snapshot in the portable format.

    Deterministic: keys in a fixed order, offers up the ladder, tactics and stage offers in
    their position order — the same journey always gives the same document.
    """
    used: dict[int, OfferSnap] = {snapshot.core_offer.id: snapshot.core_offer}
    for stage in snapshot.stages:
        for offer in stage.offers:
            used.setdefault(offer.id, offer)
    ladder = sorted(used.values(), key=_ladder_key)
    key_of = dict(zip((o.id for o in ladder), offer_keys([o.name for o in ladder]), strict=True))
    persona = snapshot.persona

    document: dict[str, Any] = {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "title": snapshot.title,
        "business": {
            "name": snapshot.business_name,
            "industry": snapshot.business_industry,
            "kind": snapshot.business_kind,
            "website": snapshot.business_website,
            "notes": snapshot.business_notes,
        },
        "persona": {name: getattr(persona, name) for name in PERSONA_FIELDS},
        "offers": [_offer_document(offer, key_of[offer.id]) for offer in ladder],
        "core_offer": key_of[snapshot.core_offer.id],
        "stages": {
            stage.slug: {
                "goal": stage.goal,
                "metric": stage.metric,
                "target_conversion": None
                if stage.target_conversion is None
                else _money(stage.target_conversion),
                "notes": stage.notes,
                "tactics": [_tactic_document(t) for t in stage.tactics],
                "offers": [key_of[o.id] for o in stage.offers],
            }
            for stage in snapshot.stages
        },
        "economics": _economics_document(snapshot),
    }
    if (team := _team_document(snapshot)) is not None:
        document["team"] = team
    return document


def _offer_document(offer: OfferSnap, key: str) -> dict[str, Any]:
    described: dict[str, Any] = {
        "key": key,
        "name": offer.name,
        "kind": offer.kind,
        "price": _money(offer.price),
        "currency": offer.currency,
        "format": offer.format,
        "promise": offer.promise,
    }
    # Written only for a recurring offer, so one-time offers export as files always have.
    if offer.is_recurring:
        described["billing_period"] = offer.billing_period
    return described


def _team_document(snapshot: JourneySnapshot) -> dict[str, Any] | None:
    """What the client's team chose and which tactics came from its ideas; None (and no key)
    when the team took no part, so such journeys export as files always have."""
    credited = [
        {"stage": t.stage_slug, "tactic": t.name, "by": list(t.from_team)}
        for t in snapshot.tactics
        if t.from_team
    ]
    choice = snapshot.team_choice
    if choice is None and not credited:
        return None
    chose = None
    if choice is not None:
        chose = {
            "closed_at": choice.closed_at.isoformat(),
            "scope": choice.scope,
            "votes_per_person": choice.votes_per_person,
            "max_per_item": choice.max_per_item,
            "anonymous": choice.anonymous,
            "voters": choice.voters,
            "ranked": [{"stage": c.stage, "tactic": c.name, "dots": c.dots} for c in choice.ranked],
        }
    return {"chose": chose, "from_team": credited}


def _economics_document(snapshot: JourneySnapshot) -> dict[str, Any]:
    economics: dict[str, Any] = {
        "monthly_reach": snapshot.monthly_reach,
        "monthly_spend": _money(snapshot.monthly_spend),
    }
    # Written only when given, so a journey without one exports as files always have.
    if snapshot.gross_margin is not None:
        economics["gross_margin"] = _money(snapshot.gross_margin)
    return economics


def _tactic_document(tactic: TacticSnap) -> dict[str, Any]:
    if tactic.library_name:
        described: dict[str, Any] = {
            "library": {"stage": tactic.library_stage, "name": tactic.library_name}
        }
        if tactic.own_channel:
            described["channel"] = tactic.own_channel
    else:
        # An archived library tactic can't be picked again, so it travels as a custom one.
        described = {"custom": tactic.name, "channel": tactic.channel}
    described["notes"] = tactic.notes
    return described


def document_dumps(document: dict[str, Any]) -> str:
    """The document as the text of a .cvj.json file."""
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def document_filename(journey: Journey) -> str:
    """A safe download name: "<business> - <title>.cvj.json"."""
    raw = f"{journey.business.name} - {journey.title}"
    safe = "".join(ch for ch in raw if ch.isprintable() and ch not in '\\/:*?"<>|').strip(" .")
    return f"{safe[:150] or 'Journey'}.cvj.json"
