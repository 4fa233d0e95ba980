"""The session clock: time banked while paused, plus a start mark while running.

Every open page redraws its clock when it starts, pauses or resets (the `clock` part), so the
room's screens follow whichever button a strategist pressed.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from .changes import journey_changed
from .models import Journey


def session_elapsed(journey: Journey, *, now: object | None = None) -> int:
    """Seconds the session has run, counting the current stretch if it is running."""
    elapsed = journey.session_elapsed_seconds
    if journey.session_running_since is not None:
        current = now or timezone.now()
        elapsed += max(0, int((current - journey.session_running_since).total_seconds()))
    return elapsed


@transaction.atomic
def session_toggle(*, journey: Journey) -> Journey:
    """Start the clock, or pause it and bank the time run so far."""
    locked = Journey.objects.select_for_update().get(pk=journey.pk)
    now = timezone.now()
    if locked.session_running_since is None:
        locked.session_running_since = now
        if locked.status == "draft":
            locked.status = "in_session"
    else:
        locked.session_elapsed_seconds = session_elapsed(locked, now=now)
        locked.session_running_since = None
    locked.save(
        update_fields=["session_running_since", "session_elapsed_seconds", "status", "updated_at"]
    )
    _clock_changed(locked.pk, locked.version)
    return locked


@transaction.atomic
def session_reset(*, journey: Journey) -> None:
    Journey.objects.filter(pk=journey.pk).update(
        session_elapsed_seconds=0, session_running_since=None
    )
    _clock_changed(journey.pk, journey.version)


def _clock_changed(journey_id: int, version: int) -> None:
    """Every open page redraws its clock (the room's screens follow the editor's button)."""
    journey_changed(journey_id=journey_id, version=version, parts=("clock",))
