"""Business rules for client work: keyword-only, typed, transactional."""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from django.db.models import F, Max
from django.utils import timezone

from cvj.parsing import validate_plain_text
from stages.models import Stage, Tactic
from stages.ordering import apply_order, check_same_rows, moved

from .changes import journey_changed, journey_edited
from .field_edits import (
    AUTOSAVE_MODELS,
    FieldEdit,
    FieldSave,
    compare_and_set,
    field_edit,
    field_text,
    parse_quietly,
    row_at_target,
    row_by_id,
)
from .models import (
    BillingPeriod,
    Business,
    Journey,
    JourneyStage,
    Offer,
    Persona,
    StageOffer,
    StageTactic,
    check_offer_fits_stage,
)
from .rules import completeness_changed


def journey_version_bump(
    journey_id: int, *, parts: tuple[str, ...] = (), fields: tuple[dict[str, str], ...] = ()
) -> int:
    """Count a saved change and tell every open page of the journey once it commits.

    One statement returns the new version, so the live message carries exactly this write's
    version (the row stays locked by this transaction until it commits)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Journey._meta.db_table} SET version = version + 1, updated_at = %s "
            "WHERE id = %s RETURNING version",
            [timezone.now(), journey_id],
        )
        row = cursor.fetchone()
    version = row[0] if row else 0
    journey_changed(journey_id=journey_id, version=version, parts=parts, fields=fields)
    return version


def _stage_parts(journey_stage_or_slug: JourneyStage | str) -> tuple[str, ...]:
    """What a structural change in one stage re-renders: its lists, the rail and insights."""
    slug = (
        journey_stage_or_slug
        if isinstance(journey_stage_or_slug, str)
        else journey_stage_or_slug.stage.slug
    )
    return ("rail", "insights", f"stage:{slug}")


def live_field_key(row: models.Model) -> str:
    """The autosave target of a row, as the live contract names it (`stage:aware`, …)."""
    if isinstance(row, JourneyStage):
        return f"stage:{row.stage.slug}"
    if isinstance(row, StageTactic):
        return f"tactic:{row.pk}"
    return "journey"


@transaction.atomic
def journey_create(
    *,
    business: Business,
    persona: Persona,
    core_offer: Offer,
    title: str,
    owner: AbstractBaseUser | None,
) -> Journey:
    """Create a journey with its eight stage entries, each preset with the stage's metric."""
    journey = Journey(
        business=business, persona=persona, core_offer=core_offer, title=title, owner=owner
    )
    journey.full_clean()
    journey.save()
    JourneyStage.objects.bulk_create(
        JourneyStage(journey=journey, stage=stage, metric=stage.default_metric)
        for stage in Stage.objects.order_by("position")
    )
    return journey


# --- Autosave: one field at a time, with a three-way check against the value it was edited from.


def field_save(
    *, row: models.Model, field: str, value: str, base: str, journey_id: int
) -> FieldSave:
    """Save one field of `row` if nobody changed it since the editor loaded `base`.

    stored == base → write; stored == value → nothing to do; otherwise a conflict that carries
    the other person's text. Different fields of one row never conflict with each other.
    """
    model = type(row)
    edit = field_edit(model, field, value, base, row)
    if isinstance(edit, FieldSave):
        return edit
    # The common case in one statement: write WHERE the stored value is still `base`. No match
    # (unchanged, a conflict, or text that only compares equal after normalising) is decided
    # under the lock below.
    if edit.comparable and (version := compare_and_set(model, edit, row_by_id(row.pk), journey_id)):
        field_saved(journey_id, version, live_field_key(row), model, field, edit)
        return FieldSave(status="saved", value=edit.text)
    return _field_save_locked(row=row, field=field, edit=edit, journey_id=journey_id)


def field_save_as(
    *, editor_id: int, journey_id: int, kind: str, key: str, field: str, value: str, base: str
) -> FieldSave | None:
    """The autosave's common case without loading the row: ONE statement that finds the row the
    target names (`kind`, `key` as `access.parse_autosave_target` gives them), proves the user
    may edit the journey and writes where the value is still `base`. None when that statement
    cannot decide — an invalid value, a missing or foreign row, no right to edit, unchanged, a
    conflict — and the caller loads the row with its rights check and calls `field_save`."""
    model = AUTOSAVE_MODELS[kind]
    edit = field_edit(model, field, value, base)
    if isinstance(edit, FieldSave) or not edit.comparable:
        return None  # an invalid answer is given only to someone shown to have the right
    version = compare_and_set(
        model, edit, row_at_target(kind, key, journey_id), journey_id, editor_id=editor_id
    )
    if not version:
        return None
    target = "journey" if kind == "journey" else f"{kind}:{key}"
    field_saved(journey_id, version, target, model, field, edit)
    return FieldSave(status="saved", value=edit.text)


def field_saved(
    journey_id: int, version: int, target: str, model: type[models.Model], field: str,
    edit: FieldEdit,
) -> None:  # fmt: skip
    """Tell the rooms above of a field written by a compare-and-set."""
    journey_changed(
        journey_id=journey_id,
        version=version,
        parts=field_parts(model, field, field_text(edit.expected), edit.text),
        fields=({"key": f"{target}.{field}", "value": edit.text},),  # for the live view
    )
    _after_save(journey_id)


def _field_save_locked(
    *, row: models.Model, field: str, edit: FieldEdit, journey_id: int
) -> FieldSave:
    """Decide under the row's lock: unchanged, a conflict, or a rightful save."""
    model = type(row)
    new_text = edit.text
    change = ({"key": f"{live_field_key(row)}.{field}", "value": new_text},)  # for the live view
    with transaction.atomic():
        locked = model._base_manager.select_for_update().get(pk=row.pk)
        stored = field_text(getattr(locked, field))
        if stored == new_text:
            return FieldSave(status="unchanged", value=stored)
        if stored != field_text(parse_quietly(edit.model_field, edit.base)):
            return FieldSave(status="conflict", value=new_text, theirs=stored)
        setattr(locked, field, edit.parsed)
        update_fields = [field]
        if hasattr(locked, "version") and model is not Journey:
            locked.version = F("version") + 1
            update_fields.append("version")
        if hasattr(locked, "updated_at"):
            update_fields.append("updated_at")
        parts = field_parts(model, field, stored, new_text)
        if model is Journey:  # the journey row is its own version
            locked.version += 1  # exact: the row is locked
            locked.save(update_fields=[*update_fields, "version"])
            journey_changed(
                journey_id=journey_id, version=locked.version, parts=parts, fields=change
            )
        else:
            locked.save(update_fields=update_fields)
            journey_version_bump(journey_id, parts=parts, fields=change)
        _after_save(journey_id)
    return FieldSave(status="saved", value=new_text)


@transaction.atomic
def journey_stage_save(
    *, journey_stage: JourneyStage, edits: dict[str, tuple[str, str]]
) -> tuple[dict[str, dict[str, str]], dict[str, str]]:
    """The whole stage at once (field → (value, base)), each field through the autosave check:
    a conflict or an invalid value in one is reported while the others are kept."""
    conflicts, errors = {}, {}
    for field, (value, base) in edits.items():
        result = field_save(
            row=journey_stage,
            field=field,
            value=value,
            base=base,
            journey_id=journey_stage.journey_id,
        )
        if result.status == "conflict":
            conflicts[field] = {"theirs": result.theirs, "yours": result.value}
        elif result.status == "invalid":
            errors[field] = result.error
    return conflicts, errors


def field_changes_rail(
    model: type[models.Model], field: str, before: object, after: object
) -> bool:
    """Whether a field save moves a stage's completeness meter, so the rail re-renders: for the
    editor that saved it and for everyone watching live alike."""
    return model is JourneyStage and completeness_changed(field, before, after)


def field_parts(model: type[models.Model], field: str, before: str, after: str) -> tuple[str, ...]:
    """What a field save re-renders elsewhere: insights always, the rail when a meter moves."""
    return (
        ("insights", "rail") if field_changes_rail(model, field, before, after) else ("insights",)
    )


def _after_save(journey_id: int) -> None:
    """After commit, no SQL: the deliverable schedules its debounced pre-render.
    (The live broadcast is sent by the save itself.)"""
    journey_edited(journey_id=journey_id)


# --- Tactics in a stage.


def _next_position(queryset: models.QuerySet) -> int:
    return (queryset.aggregate(top=Max("position"))["top"] or 0) + 1


@transaction.atomic
def tactic_add(
    *,
    journey_stage: JourneyStage,
    tactic: Tactic | None = None,
    custom_name: str = "",
    channel: str = "",
    notes: str = "",
) -> tuple[StageTactic, bool]:
    """Add a library or custom tactic; adding the same one twice returns the first (no dupes)."""
    journey = journey_stage.journey
    custom_name = custom_name.strip()
    try:  # before the duplicate lookup below: PostgreSQL cannot even compare such text
        validate_plain_text(custom_name)
    except ValidationError as error:
        raise ValidationError({"custom_name": error.messages}) from error
    if tactic is None and not custom_name:
        raise ValidationError({"custom_name": "Name the tactic or pick one from the library."})
    if tactic is not None:
        if tactic.stage_id != journey_stage.stage_id:
            raise ValidationError(
                {
                    "tactic": f"“{tactic.name}” belongs to another stage, "
                    f"not {journey_stage.stage.name}."
                }
            )
        visible = Tactic.objects.visible_to(journey.business.agency_id).filter(pk=tactic.pk)
        if not visible.exists():  # another agency's, archived, or hidden by this agency
            raise ValidationError({"tactic": "That tactic is not in your agency's library."})
        custom_name = ""
    if len(custom_name) > StageTactic._meta.get_field("custom_name").max_length:
        raise ValidationError({"custom_name": "Keep the tactic name under 120 characters."})
    live = StageTactic.objects.select_for_update().filter(journey_stage=journey_stage)
    existing = (
        live.filter(tactic=tactic).first()
        if tactic is not None
        else live.filter(tactic__isnull=True, custom_name__iexact=custom_name).first()
    )
    if existing is not None:
        return existing, False
    stage_tactic = StageTactic(
        journey_stage=journey_stage,
        tactic=tactic,
        custom_name=custom_name,
        channel=channel,
        notes=notes,
        position=_next_position(StageTactic.all_objects.filter(journey_stage=journey_stage)),
    )
    stage_tactic.full_clean()
    stage_tactic.save()
    journey_version_bump(journey.pk, parts=_stage_parts(journey_stage))
    return stage_tactic, True


def _move_in_stage(row: StageTactic | StageOffer, direction: Literal["up", "down"]) -> None:
    """Swap a stage's tactic or offer with its neighbour (the keyboard alternative to drag)."""
    model = type(row)
    siblings = list(model.objects.select_for_update().filter(journey_stage_id=row.journey_stage_id))
    ids = [s.pk for s in siblings]
    if (order := moved(ids, row.pk, direction)) != ids:
        apply_order(model, siblings, order)
        journey_version_bump(row.journey_stage.journey_id, parts=_stage_parts(row.journey_stage))


def _reorder_in_stage(
    model: type[StageTactic] | type[StageOffer],
    journey_stage: JourneyStage,
    ordered_ids: list[int],
    noun: str,
) -> None:
    siblings = list(model.objects.select_for_update().filter(journey_stage=journey_stage))
    check_same_rows(ordered_ids, siblings, noun)
    apply_order(model, siblings, ordered_ids)
    journey_version_bump(journey_stage.journey_id, parts=_stage_parts(journey_stage))


@transaction.atomic
def tactic_move(*, stage_tactic: StageTactic, direction: Literal["up", "down"]) -> None:
    _move_in_stage(stage_tactic, direction)


@transaction.atomic
def tactic_reorder(*, journey_stage: JourneyStage, ordered_ids: list[int]) -> None:
    _reorder_in_stage(StageTactic, journey_stage, ordered_ids, "tactics")


@transaction.atomic
def tactic_remove(*, stage_tactic: StageTactic) -> None:
    StageTactic.all_objects.filter(pk=stage_tactic.pk).update(removed_at=timezone.now())
    journey_version_bump(
        stage_tactic.journey_stage.journey_id, parts=_stage_parts(stage_tactic.journey_stage)
    )


@transaction.atomic
def tactic_restore(*, stage_tactic: StageTactic) -> None:
    """Undo a removal — unless the same tactic was added again meanwhile (no duplicates)."""
    live = StageTactic.objects.filter(journey_stage_id=stage_tactic.journey_stage_id)
    if stage_tactic.tactic_id:
        duplicate = live.filter(tactic_id=stage_tactic.tactic_id)
    else:
        duplicate = live.filter(tactic__isnull=True, custom_name__iexact=stage_tactic.custom_name)
    if duplicate.exists():
        return
    StageTactic.all_objects.filter(pk=stage_tactic.pk).update(removed_at=None)
    journey_version_bump(
        stage_tactic.journey_stage.journey_id, parts=_stage_parts(stage_tactic.journey_stage)
    )


# --- Offers in a stage.


@transaction.atomic
def offer_attach(*, journey_stage: JourneyStage, offer: Offer) -> tuple[StageOffer, bool]:
    """Attach an offer where its kind belongs (lead magnet at Subscribe, …); idempotent."""
    check_offer_fits_stage(journey_stage, offer)
    existing = StageOffer.objects.filter(journey_stage=journey_stage, offer=offer).first()
    if existing is not None:
        return existing, False
    stage_offer = StageOffer.objects.create(
        journey_stage=journey_stage,
        offer=offer,
        position=_next_position(StageOffer.objects.filter(journey_stage=journey_stage)),
    )
    journey_version_bump(journey_stage.journey_id, parts=_stage_parts(journey_stage))
    return stage_offer, True


@transaction.atomic
def offer_create_at_stage(
    *,
    journey_stage: JourneyStage,
    name: str,
    kind: str,
    price: Decimal,
    currency: str = "USD",
    billing_period: str = BillingPeriod.ONE_TIME,
    format: str = "",  # noqa: A002 - the offer's field name
    promise: str = "",
) -> Offer:
    """A new offer of the journey's business, attached at this stage — both or neither.

    The stage must take the offer's kind (the same rule as attaching an existing offer)."""
    offer = Offer(
        business_id=journey_stage.journey.business_id,
        name=name,
        kind=kind,
        price=price,
        currency=currency,
        billing_period=billing_period,
        format=format,
        promise=promise,
    )
    check_offer_fits_stage(journey_stage, offer)
    offer.full_clean()
    offer.save()
    offer_attach(journey_stage=journey_stage, offer=offer)
    return offer


@transaction.atomic
def offer_detach(*, stage_offer: StageOffer) -> None:
    stage_offer.delete()
    journey_version_bump(
        stage_offer.journey_stage.journey_id, parts=_stage_parts(stage_offer.journey_stage)
    )


@transaction.atomic
def offer_move(*, stage_offer: StageOffer, direction: Literal["up", "down"]) -> None:
    _move_in_stage(stage_offer, direction)


@transaction.atomic
def offer_reorder(*, journey_stage: JourneyStage, ordered_ids: list[int]) -> None:
    _reorder_in_stage(StageOffer, journey_stage, ordered_ids, "offers")
