"""One clock for the room: the session clock and the agenda's timeboxes as every participant
sees them, and the facilitator's start, pause and "+5 min". The agenda's slots are the map's
(journeys/agenda.py); a stage's extension here shifts it and every slot after it."""

from __future__ import annotations

from dataclasses import dataclass
from types import SimpleNamespace

from django.db import transaction

from journeys.agenda import intro_minutes, session_agenda
from journeys.models import Journey, JourneyStage
from journeys.session_clock import session_elapsed, session_toggle

from .models import Room
from .services import room_for, tell_room

EXTEND_SECONDS = 5 * 60


@dataclass(frozen=True)
class Slot:
    name: str
    slug: str  # "" for the intro and the wrap-up
    end: int  # seconds into the session


def room_slots(journey: Journey, room: Room) -> list[Slot]:
    """The intro, each stage's timebox (with its extensions) and the open-ended wrap-up."""
    entries = JourneyStage.objects.filter(journey=journey).select_related("stage")
    views = [SimpleNamespace(entry=e) for e in sorted(entries, key=lambda e: e.stage.position)]
    rows = session_agenda(journey, views, 0)
    intro_end = round(rows[0]["start"]) if rows else intro_minutes(journey) * 60
    slots = [Slot(name="Intro & goals", slug="", end=intro_end)]
    shift = 0
    for row in rows:
        slug = row["stage"].slug
        shift += int(room.extensions.get(slug, 0))
        slots.append(Slot(name=f"{row['stage'].position}. {row['stage'].name}", slug=slug,
                          end=round(row["end"]) + shift))  # fmt: skip
    return slots


def current_slot(slots: list[Slot], elapsed: int) -> Slot | None:
    return next((slot for slot in slots if elapsed < slot.end), None)


def clock_context(journey: Journey, room: Room) -> dict[str, object]:
    elapsed = session_elapsed(journey)
    slots = room_slots(journey, room)
    return {
        "clock_elapsed": elapsed,
        "clock_running": journey.session_running_since is not None,
        "clock_slots": [{"name": s.name, "end": s.end} for s in slots],
        "clock_slot": current_slot(slots, elapsed),
    }


@transaction.atomic
def clock_toggle(*, journey: Journey) -> None:
    """Start or pause the session clock, on every participant's screen (the map's
    session_toggle tells every page, whichever button started it)."""
    session_toggle(journey=journey)


@transaction.atomic
def clock_extend(*, journey: Journey) -> Slot | None:
    """Five more minutes for the timebox running now (the later ones move with it)."""
    room_for(journey)
    room = Room.objects.select_for_update().get(journey=journey)
    fresh = Journey.objects.get(pk=journey.pk)
    slot = current_slot(room_slots(fresh, room), session_elapsed(fresh))
    if slot is None or not slot.slug:
        return None  # the intro and the wrap-up have no timebox to extend
    room.extensions = {
        **room.extensions,
        slot.slug: room.extensions.get(slot.slug, 0) + EXTEND_SECONDS,
    }
    room.save(update_fields=["extensions"])
    tell_room(journey.pk, ("clock",))
    return slot
