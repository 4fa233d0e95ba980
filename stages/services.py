"""The tactic library's rules: an agency curates its own tactics and hides global ones it does
not offer. Functions take the agency explicitly; views authorize before calling them.
"""

from __future__ import annotations

from typing import Literal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet

from cvj.models import Agency

from .models import Audience, Stage, Tactic, TacticHidden
from .ordering import apply_order, check_same_rows, moved

# --- Reading


def _with_journey_count(tactics: QuerySet[Tactic], agency_id: int) -> QuerySet[Tactic]:
    """`journey_count`: how many of this agency's journeys use the tactic (live uses only —
    the editor keeps removed ones briefly for undo)."""
    return tactics.annotate(
        journey_count=Count(
            "uses__journey_stage__journey",
            filter=Q(
                uses__removed_at__isnull=True,
                uses__journey_stage__journey__business__agency_id=agency_id,
            ),
            distinct=True,
        )
    )


def library_own_tactics(*, agency_id: int, stage: Stage) -> list[Tactic]:
    """The agency's own tactics for a stage in their order, archived ones included."""
    own = Tactic.objects.filter(stage=stage, agency_id=agency_id)
    return list(_with_journey_count(own, agency_id).order_by("position", "name", "pk"))


def library_global_tactics(*, agency_id: int, stage: Stage) -> list[Tactic]:
    """The active global tactics for a stage, each with `is_hidden` for this agency."""
    hidden = TacticHidden.objects.filter(agency_id=agency_id, tactic=OuterRef("pk"))
    shared = Tactic.objects.filter(stage=stage, agency__isnull=True, is_active=True).annotate(
        is_hidden=Exists(hidden)
    )
    return list(_with_journey_count(shared, agency_id).order_by("position", "name", "pk"))


def library_stage_counts(*, agency_id: int) -> dict[int, int]:
    """Stage id → how many tactics the agency's strategists find there in the editor."""
    rows = (
        Tactic.objects.visible_to(agency_id)
        .order_by()
        .values("stage_id")
        .annotate(offered=Count("pk"))
    )
    return {row["stage_id"]: row["offered"] for row in rows}


# --- The agency's own tactics


def _check_name_free(*, agency_id: int, stage: Stage, name: str, exclude_pk: int | None) -> None:
    clash = Tactic.objects.filter(agency_id=agency_id, stage=stage, name__iexact=name)
    if exclude_pk is not None:
        clash = clash.exclude(pk=exclude_pk)
    if clash.exists():
        raise ValidationError(
            {"name": f"Your agency already has a tactic called “{name}” at {stage.name}."}
        )


def _save_checked(tactic: Tactic) -> None:
    _check_name_free(
        agency_id=tactic.agency_id, stage=tactic.stage, name=tactic.name, exclude_pk=tactic.pk
    )
    tactic.full_clean()
    try:
        with transaction.atomic():
            tactic.save()
    except IntegrityError as error:
        # Someone took the name between our check and the write.
        raise ValidationError(
            {"name": f"Your agency already has a tactic called “{tactic.name}”."}
        ) from error


def _require_own(tactic: Tactic) -> None:
    if tactic.agency_id is None:
        raise ValidationError("The global library cannot be edited by an agency.")


@transaction.atomic
def tactic_create(
    *,
    agency: Agency,
    stage: Stage,
    name: str,
    channel: str,
    description: str = "",
    commitment: str = "",
    audience: str = Audience.ANY,
) -> Tactic:
    """Add a tactic to the agency's library, at the end of the stage's list."""
    top = Tactic.objects.filter(agency=agency, stage=stage).aggregate(top=Max("position"))["top"]
    tactic = Tactic(
        agency=agency,
        stage=stage,
        name=name.strip(),
        description=description.strip(),
        channel=channel,
        commitment=commitment,
        audience=audience,
        position=(top or 0) + 1,
    )
    _save_checked(tactic)
    return tactic


@transaction.atomic
def tactic_update(
    *,
    tactic: Tactic,
    name: str,
    channel: str,
    description: str = "",
    commitment: str = "",
    audience: str = Audience.ANY,
) -> Tactic:
    _require_own(tactic)
    tactic.name = name.strip()
    tactic.description = description.strip()
    tactic.channel = channel
    tactic.commitment = commitment
    tactic.audience = audience
    _save_checked(tactic)
    return tactic


def tactic_archive(*, tactic: Tactic) -> None:
    """Retire a tactic from the editor's search; journeys that use it keep it."""
    _require_own(tactic)
    Tactic.objects.filter(pk=tactic.pk).update(is_active=False)
    tactic.is_active = False


def tactic_unarchive(*, tactic: Tactic) -> None:
    _require_own(tactic)
    Tactic.objects.filter(pk=tactic.pk).update(is_active=True)
    tactic.is_active = True


def _siblings_for_update(*, agency_id: int, stage_id: int) -> list[Tactic]:
    return list(
        Tactic.objects.select_for_update()
        .filter(agency_id=agency_id, stage_id=stage_id)
        .order_by("position", "name", "pk")
    )


@transaction.atomic
def library_tactic_move(*, tactic: Tactic, direction: Literal["up", "down"]) -> None:
    """Swap an own tactic with its neighbour (the keyboard alternative to dragging)."""
    _require_own(tactic)
    siblings = _siblings_for_update(agency_id=tactic.agency_id, stage_id=tactic.stage_id)
    # Renumber even when nothing moved: it repairs ties left by older data.
    apply_order(Tactic, siblings, moved([s.pk for s in siblings], tactic.pk, direction))


@transaction.atomic
def library_tactic_reorder(*, agency: Agency, stage: Stage, ordered_ids: list[int]) -> None:
    """Put the agency's tactics of a stage in the given order (all of them, each once)."""
    siblings = _siblings_for_update(agency_id=agency.pk, stage_id=stage.pk)
    check_same_rows(ordered_ids, siblings, "tactics")
    apply_order(Tactic, siblings, ordered_ids)


# --- The global library, per agency


def _require_global(tactic: Tactic) -> None:
    if tactic.agency_id is not None:
        raise ValidationError("Only global tactics are hidden; archive your own instead.")


def tactic_hide(*, agency: Agency, tactic: Tactic) -> None:
    """Stop offering a global tactic to this agency's strategists (idempotent)."""
    _require_global(tactic)
    TacticHidden.objects.get_or_create(agency=agency, tactic=tactic)


def tactic_unhide(*, agency: Agency, tactic: Tactic) -> None:
    _require_global(tactic)
    TacticHidden.objects.filter(agency=agency, tactic=tactic).delete()
