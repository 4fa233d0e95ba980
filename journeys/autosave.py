"""One autosave, whichever way it arrives: the editor's HTTP post or a frame on its live socket.

Both paths parse nothing themselves: they hand the four strings to `autosave_field`, which finds
the row with the right to edit it (one query, the rule of `access.get_autosave_row_for`), saves it
through `services.field_save` (one compare-and-set in the common case) and says what to answer —
the HTTP status and the JSON body the page's autosave reads. So the validation, the conflict
answer and the version rules are the same on both.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import models
from django.utils import timezone

from .access import get_autosave_row_for
from .services import FieldSave, field_changes_rail, field_save

HTTP_STATUS = {"saved": 200, "unchanged": 200, "conflict": 409, "invalid": 422}


@dataclass(frozen=True)
class AutosaveAnswer:
    status: int  # as HTTP would answer: 200, 409 or 422
    body: dict[str, Any]
    row: models.Model
    result: FieldSave


def autosave_field(
    user: Any, journey_id: int, *, target: str, field: str, value: str, base: str
) -> AutosaveAnswer:
    """Save one field for `user` (Http404 when the row is missing, foreign or not theirs to
    edit — raised before anything is written)."""
    row = get_autosave_row_for(user, journey_id, target)
    result = field_save(row=row, field=field, value=value, base=base, journey_id=journey_id)
    body = {
        "status": result.status,
        "value": result.value,
        # The rail's meters change only when a field counting towards completeness turns
        # filled or empty; the editor refreshes the rail only then.
        "shape_changed": result.status == "saved"
        and field_changes_rail(row=row, field=field, before=base, after=result.value),
        "theirs": result.theirs,
        "error": result.error,
        "saved_at": timezone.localtime().strftime("%H:%M:%S"),
    }
    return AutosaveAnswer(HTTP_STATUS[result.status], body, row, result)
