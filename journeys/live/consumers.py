"""The journey's live socket: changes after commit, presence, typing and "follow me".

Authorized on connect with the same helper as the views (`get_journey_for`): another agency's
journey, a client's journey they may not view, an anonymous visitor, or a revoked/expired live
link are refused before the handshake completes. Clients and guests are read-only: the socket
accepts no edit messages (typing, follow) from them.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.http import Http404

from cvj.tenancy import membership_for

from ..access import get_journey_for
from ..models import Journey, JourneyStage, StageTactic
from ..services import AUTOSAVE_FIELDS, field_text
from .broadcast import actor_for, group_name, initials
from .guests import LiveLinkError, live_link_resolve
from .presence import follow_state, presence_join, presence_touch, roster_recent, set_follow_state
from .presence import presence_leave as roster_leave

logger = logging.getLogger("cvj.live")

FIELD_KEY = re.compile(r"^(journey|stage:[a-z]+|tactic:\d+)\.[a-z_]{1,40}$")
STAGE_SLUG = re.compile(r"^[a-z]{1,20}$")
EDIT_MESSAGES = {"typing", "follow"}
REFUSED = 4403
RECONNECT = 4000  # the page reconnects at once (its rights changed)
RECHECK_EVERY = 3  # heartbeats between checks that the viewer may still watch (~30 s)
ROSTER_EVERY = 3  # heartbeats between full rosters (heals a missed join or leave)


def _off_thread(func: Any) -> Any:
    """Cache-only work (presence, follow): the default thread pool, not the one thread all of a
    process's sockets share for database work — a crowd's heartbeats must not queue a join's
    authorization or a page's catch-up."""
    return sync_to_async(func, thread_sensitive=False)


@dataclass
class Viewer:
    user_id: int | None
    name: str
    role: str
    can_edit: bool
    guest: bool
    link_id: int | None = None


@database_sync_to_async
def _authorize(scope: dict[str, Any], journey_id: int, *, fresh: bool = False) -> Viewer | None:
    """Who may watch this journey, from the link or the signed-in user; None = refused.
    (`fresh`: checked again on an open socket, so nothing is taken from the connect.)"""
    token = parse_qs(scope.get("query_string", b"").decode()).get("token", [""])[0]
    if token:
        try:
            link = live_link_resolve(token)
        except LiveLinkError:
            return None
        if link.journey_id != journey_id:
            return None
        return Viewer(
            user_id=None, name="Guest", role="Guest", can_edit=False, guest=True, link_id=link.pk
        )
    user = scope.get("user")
    if user is None or not user.is_authenticated:
        return None
    if fresh:  # the user as of now: deactivated, or signed out everywhere, since connecting
        session = scope.get("session")
        key = getattr(session, "session_key", None)
        if not key or not session.exists(key):
            return None
        user = get_user_model()._default_manager.filter(pk=user.pk, is_active=True).first()
        if user is None:
            return None
    try:
        get_journey_for(user, journey_id, lean=True)
    except (Http404, PermissionDenied):
        return None
    member = membership_for(user)
    actor = actor_for(user)
    return Viewer(
        user_id=user.pk,
        name=actor["name"],
        role=member.get_role_display(),
        can_edit=member.can_edit,
        guest=False,
    )


def journey_catchup(journey_id: int, since: int) -> dict[str, Any]:
    """What a page that last saw `since` must redraw: nothing but questions if it is current,
    else every field's value and every part (cheaper than a change log, and never misses)."""
    version = Journey.objects.filter(pk=journey_id).values_list("version", flat=True).first()
    if version is None:
        return {"type": "journey.catchup", "version": since, "fields": [], "parts": []}
    if version == since:
        return {"type": "journey.catchup", "version": version, "fields": [], "parts": ["questions"]}
    journey = Journey.objects.get(pk=journey_id)
    fields = [
        {"key": f"journey.{name}", "value": field_text(getattr(journey, name))}
        for name in AUTOSAVE_FIELDS[Journey]
    ]
    slugs = []
    for entry in JourneyStage.objects.filter(journey_id=journey_id).select_related("stage"):
        slugs.append(entry.stage.slug)
        fields += [
            {"key": f"stage:{entry.stage.slug}.{name}", "value": field_text(getattr(entry, name))}
            for name in AUTOSAVE_FIELDS[JourneyStage]
        ]
    for tactic in StageTactic.objects.filter(journey_stage__journey_id=journey_id):
        fields.append({"key": f"tactic:{tactic.pk}.notes", "value": field_text(tactic.notes)})
    parts = ["rail", "insights", "journey", "questions", *(f"stage:{s}" for s in slugs)]
    return {"type": "journey.catchup", "version": version, "fields": fields, "parts": parts}


class JourneyLiveConsumer(AsyncJsonWebsocketConsumer):
    journey_id: int
    viewer: Viewer | None = None

    async def connect(self) -> None:
        self.journey_id = int(self.scope["url_route"]["kwargs"]["pk"])
        self.viewer = await _authorize(self.scope, self.journey_id)
        if self.viewer is None:
            await self.close(code=REFUSED)
            return
        self.group = group_name(self.journey_id)
        try:
            await asyncio.wait_for(self.channel_layer.group_add(self.group, self.channel_name), 2)
        except Exception:  # noqa: BLE001 - the page shows "paused" and retries with backoff
            logger.warning("live: channel layer unavailable on connect", exc_info=True)
            self.viewer = None
            await self.close(code=4503)
            return
        await self.accept()
        self.entry = {
            "id": uuid.uuid4().hex[:12],
            "user_id": self.viewer.user_id,
            "name": self.viewer.name,
            "initials": initials(self.viewer.name),
            "role": self.viewer.role,
            "guest": self.viewer.guest,
            "stage": "",
            "since": time.time(),
        }
        self.beats = 0
        self._recheck: asyncio.Task[bool] | None = None
        version = await database_sync_to_async(
            lambda: (
                Journey.objects.filter(pk=self.journey_id).values_list("version", flat=True).first()
            )
        )()
        current = await _off_thread(presence_join)(self.journey_id, self.entry)
        await self.send_json(
            {
                "type": "live.hello",
                "version": version,
                "you": self.entry,
                "can_edit": self.viewer.can_edit,
                "presence": current,
                "follow": await _off_thread(follow_state)(self.journey_id),
            }
        )
        await self._to_group({"type": "presence.update", "entry": self.entry})

    async def disconnect(self, code: int) -> None:
        if self.viewer is None:
            return
        if getattr(self, "_recheck", None) is not None:
            self._recheck.cancel()
        await _off_thread(roster_leave)(self.journey_id, self.entry["id"])
        await self._to_group({"type": "presence.leave", "id": self.entry["id"]})
        leading = await _off_thread(follow_state)(self.journey_id)
        if leading and leading.get("id") == self.entry["id"]:  # the presenter left
            await _off_thread(set_follow_state)(self.journey_id, None)
            await self._to_group({"type": "live.follow", "follow": None})
        await self._leave_group()

    async def _to_group(self, message: dict[str, Any]) -> None:
        try:
            await asyncio.wait_for(self.channel_layer.group_send(self.group, message), 1)
        except Exception:  # noqa: BLE001
            logger.warning("live: could not reach the channel layer", exc_info=True)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        if not isinstance(content, dict) or self.viewer is None:
            return
        kind = content.get("type")
        if kind in EDIT_MESSAGES and not self.viewer.can_edit:
            await self.send_json({"type": "live.error", "error": "This view is read-only."})
            return
        if kind == "heartbeat" or kind == "stage":
            stage = str(content.get("stage", ""))
            if STAGE_SLUG.match(stage) or stage == "":
                self.entry["stage"] = stage
            if self.viewer.guest and isinstance(content.get("name"), str):
                name = " ".join(content["name"].split())[:60]
                if name:
                    self.entry["name"], self.entry["initials"] = name, initials(name)
            await _off_thread(presence_touch)(self.journey_id, self.entry)
            if kind == "stage":
                await self._to_group({"type": "presence.update", "entry": self.entry})
            else:
                self.beats += 1
                if self.beats % RECHECK_EVERY == 0 and self._recheck is None:
                    # In the background: this socket keeps delivering changes meanwhile.
                    self._recheck = asyncio.create_task(self._still_allowed())
                    self._recheck.add_done_callback(self._recheck_done)
                if self.beats % ROSTER_EVERY == 0:
                    current = await _off_thread(roster_recent)(self.journey_id)
                    await self.send_json({"type": "presence.roster", "presence": current})
        elif kind == "since":
            since = content.get("version")
            if isinstance(since, int):
                payload = await database_sync_to_async(journey_catchup)(self.journey_id, since)
                await self.send_json(payload)
        elif kind == "typing":
            field = str(content.get("field", ""))
            if FIELD_KEY.match(field):
                await self._to_group(
                    {"type": "presence.typing", "id": self.entry["id"], "field": field,
                     "name": self.entry["name"], "initials": self.entry["initials"]}
                )  # fmt: skip
        elif kind == "follow":
            state = None
            if content.get("on"):
                stage = str(content.get("stage", ""))
                state = {
                    "id": self.entry["id"],
                    "name": self.entry["name"],
                    "stage": stage if STAGE_SLUG.match(stage) else "",
                    "slide": content.get("slide")
                    if isinstance(content.get("slide"), int)
                    else None,
                    "view": str(content.get("view", ""))[:20],
                }
            await _off_thread(set_follow_state)(self.journey_id, state)
            await self._to_group({"type": "live.follow", "follow": state})

    def _recheck_done(self, task: asyncio.Task[bool]) -> None:
        self._recheck = None
        if not task.cancelled() and task.exception() is not None:
            logger.warning("live: re-check failed", exc_info=task.exception())

    async def _still_allowed(self) -> bool:
        """The right to watch is checked again on an open socket: a member removed, a journey
        no longer shared, a user deactivated or signed out everywhere is disconnected; a
        changed editing right reconnects with the new one."""
        now = await _authorize(self.scope, self.journey_id, fresh=True)
        if now is None:
            await self._refuse()
            return False
        if self.viewer is not None and now.can_edit != self.viewer.can_edit:
            await self.close(code=RECONNECT)
            return False
        return True

    async def _refuse(self) -> None:
        await self.close(code=REFUSED)
        # No more group messages for this socket, even before the disconnect arrives.
        await self._leave_group()

    async def _leave_group(self) -> None:
        try:
            await asyncio.wait_for(
                self.channel_layer.group_discard(self.group, self.channel_name), 2
            )
        except Exception:  # noqa: BLE001
            logger.info("live: could not leave the group (layer down)")

    async def live_revoked(self, event: dict[str, Any]) -> None:
        if self.viewer is not None and self.viewer.link_id == event.get("link"):
            await self._refuse()

    # Group events, passed through to the page as they are.
    async def journey_changed(self, event: dict[str, Any]) -> None:
        await self.send_json(event)

    async def presence_update(self, event: dict[str, Any]) -> None:
        await self.send_json(event)

    async def presence_leave(self, event: dict[str, Any]) -> None:
        await self.send_json(event)

    async def presence_typing(self, event: dict[str, Any]) -> None:
        if event.get("id") != self.entry["id"]:
            await self.send_json(event)

    async def live_follow(self, event: dict[str, Any]) -> None:
        await self.send_json(event)
