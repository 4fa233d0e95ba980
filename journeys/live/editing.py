"""Editing over the live socket: drafts shown as they are typed, and autosaves.

A save frame goes through the very function the HTTP autosave calls (`autosave_field`), with the
socket's user — whose right to edit that row is read again on every save, as over HTTP — and the
page's live client id as the change's author, so the page skips redrawing what it already shows.
The answer is the HTTP answer, status and body, in a `save.ack` the page matches by `id`.

`save_from_socket` runs it on a database thread of its own, without Channels' per-call
connection check (`close_old_connections`, which with health checks on costs every save a
`SELECT 1` round trip): a connection that failed is closed after the save that found out, which
answers 503 — the page retries it a second later on a fresh connection.
"""

from __future__ import annotations

import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from asgiref.sync import sync_to_async
from django.db import DatabaseError, close_old_connections, connection, connections
from django.http import Http404

from ..autosave import autosave_field
from ..changes import author_for, change_author
from .messages import Save

logger = logging.getLogger("cvj.live")

GONE = (
    "Not saved: this item no longer exists (it may have been removed), or you can no longer "
    "edit this journey. Your text is kept on this device."
)


def socket_save(user: Any, journey_id: int, message: Save) -> dict[str, Any]:
    """Save one field for the socket's user; the acknowledgement to send back."""
    author = author_for(user)
    if author is not None:
        author["client"] = message.client
    with change_author(author):
        try:
            answer = autosave_field(
                user,
                journey_id,
                target=message.target,
                field=message.field,
                value=message.value,
                base=message.base,
            )
        except Http404:
            return _ack(message, 404, {"error": GONE})
    return _ack(message, answer.status, answer.body)


def _ack(message: Save, status: int, body: dict[str, Any]) -> dict[str, Any]:
    """The answer to a save frame: the status and body HTTP would have given, by its id."""
    return {"type": "save.ack", "id": message.id, "status": status, "body": body}


UNAVAILABLE = "Not saved yet: the database did not answer. Retrying…"


def _save_on_db_thread(user: Any, journey_id: int, message: Save) -> dict[str, Any]:
    try:
        return socket_save(user, journey_id, message)
    except DatabaseError:
        logger.warning("live: a socket save of journey %s failed", journey_id, exc_info=True)
        return _ack(message, 503, {"error": UNAVAILABLE})
    finally:
        close_at = connection.close_at
        if connection.errors_occurred or (close_at is not None and time.monotonic() >= close_at):
            close_old_connections()  # as a request's end would: drop a broken or aged connection


# Saves run on threads of their own, each with its own database connection, rather than on
# the one thread a process's sockets share for the rest of their database work: a save waits
# ~1 ms for its commit to reach the disk, and commits waiting together are flushed together.
# A page waits for a field's acknowledgement before saving that field again, so a field's
# saves never overtake each other.
SAVE_THREADS = 4
_save_threads = ThreadPoolExecutor(SAVE_THREADS, thread_name_prefix="cvj-socket-save")
save_from_socket = sync_to_async(_save_on_db_thread, thread_sensitive=False, executor=_save_threads)


def close_save_connections() -> None:
    """Close every save thread's database connection (before a test database is dropped). Each
    thread closes its own: the calls wait for each other, so no thread takes two."""
    if not _save_threads._threads:  # noqa: SLF001 - no save has run in this process
        return
    together = threading.Barrier(SAVE_THREADS)

    def close() -> None:
        connections.close_all()
        together.wait(timeout=10)

    for done in [_save_threads.submit(close) for _ in range(SAVE_THREADS)]:
        done.result()


def draft_event(entry: dict[str, Any], field: str, text: str) -> dict[str, Any]:
    """The group message for a draft: who is typing which field, and the text so far."""
    return {
        "type": "live.draft",
        "id": entry["id"],
        "name": entry["name"],
        "initials": entry["initials"],
        "field": field,
        "text": text,
    }
