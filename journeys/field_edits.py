"""One field edit: checked and parsed once, then written in ONE statement where it can be.

An autosave names a field, its new text and the text it was edited from (`base`). `field_edit`
checks and parses the new text the way the model field does; `compare_and_set` then writes it
only WHERE the stored value still equals `base`, bumping the row's and the journey's version in
the same statement — and, for a save that has not loaded its row first (the socket and HTTP
autosave's common case), only where the user holds an editing membership of the journey's agency,
the rule `access.get_autosave_row_for` applies with the ORM. No match leaves the decision
(missing, foreign, unchanged, conflict) to the locked path in `services.field_save`.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from typing import Literal

from django.core.exceptions import ValidationError
from django.db import connection, models
from django.utils import timezone

from cvj.models import EDITING_ROLES, Membership
from cvj.parsing import is_plain_text, validate_plain_text
from stages.models import Stage

from .models import Business, Journey, JourneyStage, StageTactic

# The fields the editor autosaves, per model. Anything else is refused.
AUTOSAVE_FIELDS: dict[type[models.Model], tuple[str, ...]] = {
    Journey: ("title", "monthly_reach", "monthly_spend", "gross_margin"),
    JourneyStage: ("goal", "metric", "target_conversion", "notes"),
    StageTactic: ("notes", "channel"),  # channel: set after adding a custom tactic by name
}
# The rows an autosave target names, by kind (`journey`, `stage:<slug>`, `tactic:<id>`).
AUTOSAVE_MODELS: dict[str, type[models.Model]] = {
    "journey": Journey,
    "stage": JourneyStage,
    "tactic": StageTactic,
}


@dataclass(frozen=True)
class FieldSave:
    status: Literal["saved", "unchanged", "conflict", "invalid"]
    value: str = ""
    theirs: str = ""
    error: str = ""


def field_text(value: object) -> str:
    """The canonical text form of a stored value, as the editor shows it."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return str(value).replace("\r\n", "\n")


@dataclass(frozen=True)
class FieldEdit:
    """A valid new value for one field, and the value the editor based it on."""

    model_field: models.Field
    parsed: object
    text: str  # the new value's canonical text
    base: str
    expected: object  # `base` parsed as the field's type (as it came when it does not parse)

    @property
    def comparable(self) -> bool:
        """Whether the one-statement write can decide this edit: a match is always a rightful
        save (equal in SQL implies equal as text). A `base` that does not parse as the field's
        type, that PostgreSQL refuses, or that equals the new value goes the locked way."""
        is_text = isinstance(self.model_field, models.CharField | models.TextField)
        return (
            connection.vendor == "postgresql"
            and field_text(self.expected) != self.text
            and is_plain_text(self.base)  # no stored text equals it; PostgreSQL refuses it in SQL
            and (self.expected is None or isinstance(self.expected, str) == is_text)
        )


def field_edit(
    model: type[models.Model], field: str, value: str, base: str, row: models.Model | None = None
) -> FieldEdit | FieldSave:
    """The checked edit, or the "invalid" answer that says why not."""
    if field not in AUTOSAVE_FIELDS.get(model, ()):
        return FieldSave(status="invalid", error="This field cannot be edited here.")
    model_field = model._meta.get_field(field)
    value = value.replace("\r\n", "\n")
    base = base.replace("\r\n", "\n")
    try:
        parsed = model_field.clean(value if value != "" or not model_field.null else None, row)
        validate_plain_text(parsed)
    except ValidationError as error:
        return FieldSave(status="invalid", error=" ".join(error.messages))
    return FieldEdit(
        model_field, parsed, field_text(parsed), base, parse_quietly(model_field, base)
    )


def parse_quietly(model_field: models.Field, raw: str) -> object:
    """Parse a `base` value for comparison; unparsable text compares as itself."""
    try:
        return model_field.to_python(raw if raw != "" or not model_field.null else None)
    except ValidationError:
        return raw


# --- Where the row is: a WHERE clause over its own table, and its parameters.


def row_by_id(pk: int) -> tuple[str, list[object]]:
    return "id = %s", [pk]


def row_at_target(kind: str, key: str, journey_id: int) -> tuple[str, list[object]]:
    """The row an autosave target names inside the journey (kind and key already parsed):
    `journey`, `stage:<slug>` or `tactic:<id>` (a live one)."""
    quote = connection.ops.quote_name
    if kind == "journey":
        return "id = %s", [journey_id]
    if kind == "stage":
        return (
            f"journey_id = %s AND stage_id = "
            f"(SELECT id FROM {quote(Stage._meta.db_table)} WHERE slug = %s)",
            [journey_id, key],
        )
    return (
        f"id = %s AND removed_at IS NULL AND journey_stage_id IN "
        f"(SELECT id FROM {quote(JourneyStage._meta.db_table)} WHERE journey_id = %s)",
        [int(key), journey_id],
    )


@cache
def _editor_sql() -> str:
    """The journey's agency has an editing membership of the user (%s journey, user, roles)."""
    quote = connection.ops.quote_name
    roles = ", ".join(["%s"] * len(EDITING_ROLES))
    return (
        f"EXISTS (SELECT 1 FROM {quote(Journey._meta.db_table)} j "
        f"JOIN {quote(Business._meta.db_table)} b ON b.id = j.business_id "
        f"JOIN {quote(Membership._meta.db_table)} m ON m.agency_id = b.agency_id "
        f"WHERE j.id = %s AND m.user_id = %s AND m.role IN ({roles}))"
    )


def compare_and_set(
    model: type[models.Model],
    edit: FieldEdit,
    at: tuple[str, list[object]],
    journey_id: int,
    *,
    editor_id: int | None = None,
) -> int | None:
    """UPDATE the field of the row `at` only WHERE it still holds the edit's expected value (and,
    given `editor_id`, only if that user may edit the journey), bumping the row's version and the
    journey's in the same statement (a data-modifying CTE: atomic without a transaction block).
    The journey's new version, or None when nothing matched."""
    quote = connection.ops.quote_name
    now = timezone.now()
    column = quote(edit.model_field.column)
    sets = [f"{column} = %s", "version = version + 1"]
    params: list[object] = [edit.model_field.get_db_prep_save(edit.parsed, connection)]
    if model is not StageTactic:  # stage entries and journeys keep an updated_at
        sets.append("updated_at = %s")
        params.append(now)
    where, at_params = at
    where = f"{where} AND {column} IS NOT DISTINCT FROM %s"
    params += [*at_params, edit.model_field.get_db_prep_save(edit.expected, connection)]
    if editor_id is not None:
        where += f" AND {_editor_sql()}"
        params += [journey_id, editor_id, *EDITING_ROLES]
    table = quote(model._meta.db_table)
    if model is Journey:
        sql = f"UPDATE {table} SET {', '.join(sets)} WHERE {where} RETURNING version"
    else:
        sql = (
            f"WITH changed AS (UPDATE {table} SET {', '.join(sets)} WHERE {where} RETURNING id) "
            f"UPDATE {quote(Journey._meta.db_table)} SET version = version + 1, updated_at = %s "
            "WHERE id = %s AND EXISTS (SELECT 1 FROM changed) RETURNING version"
        )
        params += [now, journey_id]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        found = cursor.fetchone()
    return None if found is None else found[0]
