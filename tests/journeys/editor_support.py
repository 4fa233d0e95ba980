"""Plain helpers and constants shared by the editor view tests (test_editor_*.py)."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from journeys.models import Journey, JourneyStage, StageTactic
from stages.models import Tactic

AUTOSAVE = {"X-CVJ-Autosave": "1"}
STAGE_NAMES = ["Aware", "Engage", "Subscribe", "Convert", "Excite", "Ascend", "Advocate", "Promote"]
XSS = "<script>alert(1)</script>"


def _entry(journey: Journey, slug: str) -> JourneyStage:
    return JourneyStage.objects.get(journey=journey, stage__slug=slug)


def _library(slug: str) -> list[Tactic]:
    return list(Tactic.objects.filter(stage__slug=slug, agency__isnull=True).order_by("pk"))


def _url(name: str, journey: Journey, *args: object) -> str:
    return reverse(name, args=[journey.pk, *args])


def _autosave(client: Client, journey: Journey, headers: dict[str, str] | None = None, **post):
    return client.post(
        _url("journey_autosave", journey), post, headers=AUTOSAVE if headers is None else headers
    )


def _live_tactics(journey: Journey, slug: str) -> list[StageTactic]:
    return list(StageTactic.objects.filter(journey_stage=_entry(journey, slug)))


def _new_offer(**values: str) -> dict[str, str]:
    fields = {"name": "Starter kit", "kind": "entry_point", "price": "19", "currency": "USD"}
    fields.update(values)
    return {f"new-offer-{key}": value for key, value in fields.items()}
