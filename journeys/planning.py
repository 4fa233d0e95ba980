"""Writes of the plan: a tactic's horizon, owner and budget, the summary and priorities, a gap's
fix taken into the plan. The figures the plan shows are the deliverable's (deliverable/plan.py).
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction

from .models import Journey, JourneyStage, StageTactic
from .services import journey_version_bump, tactic_add


def plan_item_update(*, stage_tactic: StageTactic, changes: dict[str, object]) -> StageTactic:
    """Save plan fields of one tactic; the journey's version moves so exports see the change."""
    with transaction.atomic():
        locked = StageTactic.objects.select_for_update().get(pk=stage_tactic.pk)
        for name, value in changes.items():
            setattr(locked, name, value)
        locked.version += 1
        locked.full_clean()
        locked.save()
        journey_version_bump(locked.journey_stage.journey_id)
    return locked


UNCHANGED = object()  # an argument left out: the stored value stays


def plan_summary_update(
    *,
    journey: Journey,
    summary: str,
    priorities: list[int],
    next_meeting_at: datetime | None | object = UNCHANGED,
    next_steps: str | None = None,
) -> Journey:
    """Store the executive summary, up to three priorities (tactics of this journey only) and,
    when given, the deliverable's ending (the next meeting, the next steps): one version for
    all of it. A caller that leaves the ending out leaves it as it is."""
    allowed = set(
        StageTactic.objects.filter(journey_stage__journey=journey).values_list("pk", flat=True)
    )
    changes: dict[str, object] = {
        "summary": summary.strip(),
        "priorities": [p for p in priorities if p in allowed][:3],
    }
    if next_meeting_at is not UNCHANGED:
        changes["next_meeting_at"] = next_meeting_at
    if next_steps is not None:
        changes["next_steps"] = next_steps.strip()
    with transaction.atomic():
        Journey.objects.filter(pk=journey.pk).update(**changes)
        journey_version_bump(journey.pk)
    journey.refresh_from_db()
    return journey


def gap_to_plan(*, journey_stage: JourneyStage, name: str) -> StageTactic:
    """A gap's fix as a plan step: a custom tactic at that stage, due now, owned by the agency."""
    with transaction.atomic():
        stage_tactic, _created = tactic_add(journey_stage=journey_stage, custom_name=name[:120])
        if not stage_tactic.horizon:
            return plan_item_update(
                stage_tactic=stage_tactic, changes={"horizon": "now", "owner_side": "agency"}
            )
    return stage_tactic
