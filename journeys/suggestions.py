"""Library tactics to suggest for an empty stage: fitting the stage, the business's B2B/B2C
kind and, at Aware and Engage, the persona's awareness level."""

from __future__ import annotations

from django.db.models import Q

from stages.models import Tactic

from .gaps import AWARENESS_CHANNELS
from .models import Journey, JourneyStage


def tactic_suggestions(
    *, journey: Journey, journey_stage: JourneyStage, limit: int = 5
) -> list[Tactic]:
    candidates = list(
        Tactic.objects.visible_to(journey.business.agency_id)
        .filter(stage_id=journey_stage.stage_id)
        .filter(Q(audience="any") | Q(audience=journey.business.kind))
        .order_by("position", "name")
    )
    level = journey.persona.awareness_level
    if level and journey_stage.stage.slug in ("aware", "engage"):
        fitting = AWARENESS_CHANNELS[level]
        candidates.sort(key=lambda t: (t.channel not in fitting, t.position))
    return candidates[:limit]
