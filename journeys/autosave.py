"""One autosave, whichever way it arrives: the editor's HTTP post or a frame on its live socket.

Both paths parse nothing themselves: they hand the four strings to `autosave_field`. Its common
case is ONE statement (`services.field_save_as`): the row the target names, the user's right to
edit the journey and the compare-and-set, together. When that statement cannot decide, it finds
the row with the right to edit it (one query, `access.get_autosave_row_for`) and saves it
through `services.field_save`, which tells unchanged, conflict and invalid apart — and says what
to answer: the HTTP status and the JSON body the page's autosave reads. So the validation, the
conflict answer and the version rules are the same on both.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import Http404
from django.utils import timezone

from .access import get_autosave_row_for, parse_autosave_target
from .field_edits import AUTOSAVE_MODELS
from .services import FieldSave, field_changes_rail, field_save, field_save_as

HTTP_STATUS = {"saved": 200, "unchanged": 200, "conflict": 409, "invalid": 422}


@dataclass(frozen=True)
class AutosaveAnswer:
    status: int  # as HTTP would answer: 200, 409 or 422
    body: dict[str, Any]
    result: FieldSave
    target: tuple[str, str]  # kind and key, as `access.parse_autosave_target` reads them


def autosave_field(
    user: Any, journey_id: int, *, target: str, field: str, value: str, base: str
) -> AutosaveAnswer:
    """Save one field for `user` (Http404 when the row is missing, foreign or not theirs to
    edit — raised before anything is written)."""
    if not user.is_authenticated or not user.is_active:
        raise Http404("No agency membership.")
    kind, key = parse_autosave_target(target)
    result = field_save_as(
        editor_id=user.pk, journey_id=journey_id, kind=kind, key=key, field=field, value=value,
        base=base,
    )  # fmt: skip
    if result is None:  # not decided in one statement: load the row, proving the right first
        row = get_autosave_row_for(user, journey_id, target)
        result = field_save(row=row, field=field, value=value, base=base, journey_id=journey_id)
    body = {
        "status": result.status,
        "value": result.value,
        # The rail's meters change only when a field counting towards completeness turns
        # filled or empty; the editor refreshes the rail only then.
        "shape_changed": result.status == "saved"
        and field_changes_rail(AUTOSAVE_MODELS[kind], field, base, result.value),
        "theirs": result.theirs,
        "error": result.error,
        "saved_at": timezone.localtime().strftime("%H:%M:%S"),
    }
    return AutosaveAnswer(HTTP_STATUS[result.status], body, result, (kind, key))
