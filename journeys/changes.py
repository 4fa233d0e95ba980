"""A journey changed: the event every write path of the map raises, for the rooms above it.

Services call `journey_changed(...)` (and, for edits a PDF shows, `journey_edited(...)`) inside
their transaction. Once it commits, the signals go out: live collaboration sends the change to
every open page (`live/broadcast.py`), the deliverable schedules its quiet-time pre-render
(`deliverable/exports.py`). Nobody hears of a change that rolled back, and the map imports
neither room: they subscribe (wired in `JourneysConfig.ready`).

Who made the change is remembered per request by `ChangeAuthorMiddleware`, so a message can say
"changed by …" without every service being handed the user.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.db import transaction
from django.dispatch import Signal
from django.http import HttpRequest, HttpResponse

logger = logging.getLogger("cvj.live")

# journey_id, message: a committed change, as open pages are told of it.
journey_change = Signal()
# journey_id: a committed edit of what the deliverable shows.
journey_edit = Signal()

_author: ContextVar[dict[str, Any] | None] = ContextVar("cvj_change_author", default=None)


def initials(name: str) -> str:
    parts = [p for p in name.replace(".", " ").replace("_", " ").split() if p[:1].isalnum()]
    if not parts:
        return "?"
    if len(parts) == 1:
        return parts[0][:2].upper()
    return (parts[0][0] + parts[-1][0]).upper()


def author_for(user: Any) -> dict[str, Any] | None:
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    name = user.get_full_name() or user.get_username()
    return {"id": user.pk, "name": name, "initials": initials(name)}


class ChangeAuthorMiddleware:
    """Remembers the signed-in user for this request, so a change says who made it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        author = author_for(user) if user is not None and user.is_authenticated else None
        if author is not None:
            # Which page sent it: that page skips redrawing what it already shows.
            author["client"] = request.headers.get("X-CVJ-Live-Client", "")[:20]
        with change_author(author):
            return self.get_response(request)


@contextmanager
def change_author(author: dict[str, Any] | None) -> Iterator[None]:
    """Changes made inside say they were made by `author` (a request, or a socket's save)."""
    token = _author.set(author)
    try:
        yield
    finally:
        _author.reset(token)


def _send(signal: Signal, **kwargs: Any) -> None:
    for receiver, result in signal.send_robust(sender=None, **kwargs):
        if isinstance(result, Exception):  # a room's failure never breaks the saved write
            logger.warning("journey change: %s failed", receiver, exc_info=result)


def journey_changed(
    *,
    journey_id: int,
    version: int,
    fields: Iterable[dict[str, str]] = (),
    parts: Iterable[str] = (),
    by: dict[str, Any] | None = None,
) -> None:
    """Tell the rooms above the map, once the current transaction commits."""
    message = {
        "type": "journey.changed",
        "version": version,
        "by": by or _author.get() or {"id": None, "name": "Someone", "initials": "?"},
        "fields": list(fields),
        "parts": sorted(set(parts)),
        "sent_at": 0.0,
    }
    transaction.on_commit(lambda: _send(journey_change, journey_id=journey_id, message=message))


def journey_parts_changed(*, journey_id: int, parts: Iterable[str]) -> None:
    """Regions of the journey's pages to redraw for something that is not an edit of the map
    (its version stays): an export finished, say. Sent once the current transaction commits."""
    message = {"type": "journey.parts", "parts": sorted(set(parts)), "sent_at": 0.0}
    transaction.on_commit(lambda: _send(journey_change, journey_id=journey_id, message=message))


def journey_edited(*, journey_id: int) -> None:
    """What the deliverable shows was edited (after commit: no SQL on the save's path)."""
    transaction.on_commit(lambda: _send(journey_edit, journey_id=journey_id))
