"""Built-in industry templates: complete example journeys in the portable format.

Each ``<slug>.json`` here is a plain ``cvj-journey`` document (see journeys/portable/), so
it can also be imported through the upload page. Library tactics are named exactly as in
stages/library.py; the tests import every template into a fresh agency.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent

# slug, name, description — in the order the templates page shows them.
CATALOGUE: tuple[tuple[str, str, str], ...] = (
    (
        "local-service",
        "Local service business",
        "A plumbing & HVAC company turning emergency callers into maintenance-plan members: "
        "local search and vans at Aware, a $49 tune-up as the entry point, a membership as "
        "the core offer and system replacements as ascension.",
    ),
    (
        "ecommerce",
        "E-commerce shop",
        "A direct-to-consumer coffee roaster: social and creator reach, a taste quiz and "
        "brewing guide as lead magnets, a low-price sampler with free shipping, then a "
        "monthly subscription with upgrades and a gear bundle.",
    ),
    (
        "b2b-consulting",
        "B2B services / consulting",
        "An operations consultancy selling to owner-led manufacturers: thought leadership and "
        "trade shows, a scorecard lead magnet, an on-site assessment (a commitment of time) "
        "at Convert, and a 90-day programme with retainers on the ladder.",
    ),
    (
        "saas",
        "SaaS",
        "A scheduling app for restaurants: comparison content for solution-aware buyers, a "
        "free calculator, a 14-day free trial as the entry point, activation-focused "
        "onboarding and upgrades to annual and multi-location plans.",
    ),
)


@dataclass(frozen=True)
class StarterInfo:
    slug: str
    name: str
    industry: str
    description: str
    document: dict[str, Any]


@cache
def _document(slug: str) -> dict[str, Any]:
    return json.loads((HERE / f"{slug}.json").read_text(encoding="utf-8"))


def builtin_starters() -> list[StarterInfo]:
    """The built-in templates; each call hands out its own copy of the documents."""
    return [
        StarterInfo(
            slug=slug,
            name=name,
            industry=_document(slug)["business"]["industry"],
            description=description,
            document=copy.deepcopy(_document(slug)),
        )
        for slug, name, description in CATALOGUE
    ]


def builtin_starter(slug: str) -> StarterInfo | None:
    return next((t for t in builtin_starters() if t.slug == slug), None)
