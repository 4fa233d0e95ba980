"""The session agenda: each stage's slot in the three-hour mapping session, and the pace.

Pure functions over the journey's session length and the clock; the editor shows them.
"""

from __future__ import annotations

from .models import Journey
from .rules import INTRO_MINUTES, SESSION_MINUTES


def session_agenda(journey: Journey, views: list, elapsed: int) -> list[dict[str, object]]:
    """Suggested minutes per stage scaled to the session length, with where the clock stands.

    The stages' suggested minutes fill a 3-hour session after a 15-minute intro; a longer or
    shorter session scales every slot (the intro too: see intro_minutes).
    """
    scale = journey.session_minutes / SESSION_MINUTES
    start = INTRO_MINUTES * 60 * scale
    rows = []
    for view in views:
        end = start + view.entry.stage.suggested_minutes * 60 * scale
        state = "past" if elapsed >= end else "now" if elapsed >= start else "later"
        rows.append(
            {
                "stage": view.entry.stage,
                "minutes": round((end - start) / 60),
                "state": state,
                "start": start,
                "end": end,
            }
        )
        start = end
    return rows


def intro_minutes(journey: Journey) -> int:
    return round(INTRO_MINUTES * journey.session_minutes / SESSION_MINUTES)


def agenda_pace(agenda: list[dict[str, object]], position: int, elapsed: int) -> tuple[str, int]:
    """Where the open stage stands against its agenda slot: ('behind'|'ahead'|'on', minutes)."""
    slot = agenda[position - 1]
    if elapsed > slot["end"]:
        return "behind", round((elapsed - slot["end"]) / 60)
    if elapsed < slot["start"]:
        return "ahead", round((slot["start"] - elapsed) / 60)
    return "on", 0
