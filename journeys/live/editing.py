"""Editing over the live socket: drafts shown as they are typed, and autosaves.

A save frame goes through the very function the HTTP autosave calls (`autosave_field`), with the
socket's user — whose right to edit that row is read again on every save, as over HTTP — and the
page's live client id as the change's author, so the page skips redrawing what it already shows.
The answer is the HTTP answer, status and body, in a `save.ack` the page matches by `id`.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404

from ..autosave import autosave_field
from ..changes import author_for, change_author
from .messages import Save

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
            return {"type": "save.ack", "id": message.id, "status": 404, "body": {"error": GONE}}
    return {"type": "save.ack", "id": message.id, "status": answer.status, "body": answer.body}


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
