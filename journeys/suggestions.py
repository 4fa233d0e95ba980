"""Library tactics to suggest for an empty stage: fitting the stage, the business's B2B/B2C
kind and, at Aware and Engage, the persona's awareness level."""

from __future__ import annotations

from django.db.models import Q

from stages.models import Tactic

from .models import Journey, JourneyStage
from .rules import AWARENESS_CHANNELS

# Where the persona's awareness level changes what to suggest (DOMAIN.md: the kind of content
# that engages differs by level). The editor says so when it applies.
AWARENESS_STAGES = ("aware", "engage")


def suggestions_fit_awareness(journey: Journey, journey_stage: JourneyStage) -> bool:
    return bool(journey.persona.awareness_level) and journey_stage.stage.slug in AWARENESS_STAGES


def tactic_suggestions(
    *, journey: Journey, journey_stage: JourneyStage, limit: int = 5
) -> list[Tactic]:
    candidates = list(
        Tactic.objects.visible_to(journey.business.agency_id)
        .filter(stage_id=journey_stage.stage_id)
        .filter(Q(audience="any") | Q(audience=journey.business.kind))
        .order_by("position", "name")
    )
    if suggestions_fit_awareness(journey, journey_stage):
        fitting = AWARENESS_CHANNELS[journey.persona.awareness_level]
        candidates.sort(key=lambda t: (t.channel not in fitting, t.position))
    return candidates[:limit]
