"""Plain helpers shared by the service tests (test_services*.py)."""

from __future__ import annotations

from journeys.models import Journey, JourneyStage, StageOffer, StageTactic
from journeys.services import (
    tactic_add,
)


def entry(journey: Journey, slug: str) -> JourneyStage:
    return JourneyStage.objects.select_related("stage", "journey__business").get(
        journey=journey, stage__slug=slug
    )


def version_of(journey: Journey) -> int:
    return Journey.objects.values_list("version", flat=True).get(pk=journey.pk)


def names_in(stage_entry: JourneyStage) -> list[str]:
    return [t.name for t in StageTactic.objects.filter(journey_stage=stage_entry)]


def offer_names_in(stage_entry: JourneyStage) -> list[str]:
    return list(
        StageOffer.objects.filter(journey_stage=stage_entry).values_list("offer__name", flat=True)
    )


def add_custom(stage_entry: JourneyStage, *names: str) -> list[StageTactic]:
    return [tactic_add(journey_stage=stage_entry, custom_name=name)[0] for name in names]
