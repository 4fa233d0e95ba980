"""The journey's live socket: changes after commit, presence, typing and "follow me".

Authorized on connect with the same helper as the views (`get_journey_for`): another agency's
journey, a client's journey they may not view, an anonymous visitor, or a revoked/expired live
link are refused before the handshake completes. Clients and guests are read-only: the socket
accepts no edit messages (typing, follow) from them.

Every frame is read by `messages.py` (size, depth, JSON, a typed model per message type) and
throttled by `throttle.py`; nothing a page sends can raise here. Whatever ends a connection —
the page leaving, a bad frame, a refusal, a bug — ends in `_leave()`, which takes the socket out
of its group and the roster exactly once; with the core Redis layer the group also forgets a
socket whose heartbeats stop (LIVE_GROUP_EXPIRY), and with pub/sub (the default) a membership is
held by the socket's own process and ends with it, so membership cannot outgrow the connections
that are alive.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import time
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from channels.exceptions import StopConsumer
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from channels.layers import get_channel_layer
from channels_redis.pubsub import RedisPubSubChannelLayer
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.http import Http404

from cvj.links import LinkError
from cvj.parsing import parse_int
from cvj.tenancy import membership_for

from ..access import get_journey_for
from ..changes import author_for, initials
from ..field_edits import AUTOSAVE_FIELDS, field_text
from ..models import Journey, JourneyStage, StageTactic
from .announce import group_send, tell
from .broadcast import group_name
from .editing import draft_event, save_from_socket
from .guests import live_link_resolve
from .layer import SharedPubSubChannelLayer
from .messages import (
    EDIT_TYPES,
    Draft,
    FrameError,
    Heartbeat,
    MessageError,
    PageMessage,
    Save,
    Since,
    StageChange,
    Typing,
    read_frame,
    read_message,
)
from .presence import (
    follow_resume,
    follow_state,
    link_sockets,
    presence_join,
    presence_touch,
    roster_frame,
    set_follow_state,
)
from .presence import presence_leave as roster_leave
from .throttle import DRAFT_BURST, DRAFT_RATE, TokenBucket, link_frame_allowed, link_socket_cap

logger = logging.getLogger("cvj.live")

REFUSED = 4403
RECONNECT = 4000  # the page reconnects at once (its rights changed)
TOO_MANY = 4429  # too many frames from this socket, or too many sockets on its link
LAYER_DOWN = 4503  # the page shows "paused" and retries with backoff
CRASHED = 1011  # a bug of ours (never a page's input): logged, and the socket still leaves
RECHECK_EVERY = 3  # heartbeats between checks that the viewer may still watch (~30 s)
ROSTER_EVERY = 3  # heartbeats between full rosters (heals a missed join or leave)


def _off_thread(func: Any) -> Any:
    """Cache-only work (presence, follow, the link throttle): the default thread pool, not the
    one thread all of a process's sockets share for database work — a crowd's heartbeats must
    not queue a join's authorization or a page's catch-up. A plain executor hop, lighter than
    asgiref's: the work needs nothing of the socket's context (the cache is the process's one
    client, cvj/caching.py)."""

    async def run(*args: Any, **kwargs: Any) -> Any:
        call = functools.partial(func, *args, **kwargs)
        return await asyncio.get_running_loop().run_in_executor(None, call)

    return run


@dataclass(slots=True)
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
        except LinkError:
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
    actor = author_for(user)
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
    journey_id: int = 0
    viewer: Viewer | None = None
    entry: dict[str, Any] | None = None
    ended = False  # closed by us or by the page: nothing more is sent

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        """Channels' own, but with our pub/sub layer the socket and its channel are awaited by
        the layer's `serve` (one future per idle socket instead of two tasks and an
        asyncio.wait); any other layer (core Redis, in-memory) takes Channels' path."""
        layer = get_channel_layer(self.channel_layer_alias)
        if not isinstance(layer, SharedPubSubChannelLayer):
            await super().__call__(scope, receive, send)
            return
        self.scope = scope
        self.channel_layer = layer
        self.channel_name = await layer.new_channel()
        self.base_send = send
        with contextlib.suppress(StopConsumer):
            await layer.serve(self.channel_name, receive, self.dispatch)

    async def send(self, text_data: str | None = None, bytes_data: bytes | None = None,
                   close: bool | int = False) -> None:  # fmt: skip
        """Nothing after the close: a group message already queued for this socket may still be
        dispatched once it ended, and ASGI servers other than daphne (uvicorn) raise on a send
        after the close instead of dropping it."""
        if self.ended:
            return
        try:
            await super().send(text_data=text_data, bytes_data=bytes_data, close=close)
        except OSError:  # the page went away without a close frame (uvicorn says so on send)
            self.ended = True
            await self._leave()

    async def close(self, code: int | None = None, reason: str | None = None) -> None:
        if self.ended:
            return
        self.ended = True
        await super().close(code=code, reason=reason)

    async def websocket_disconnect(self, message: dict[str, Any]) -> None:
        self.ended = True
        await super().websocket_disconnect(message)

    async def dispatch(self, message: dict[str, Any]) -> None:
        """The safety net: an exception of ours still leaves the group and the roster."""
        try:
            # Not Channels' `dispatch`, which hops to the database thread to close old
            # connections before every frame and group event: for a crowd, a hop per socket
            # per change, and one more a save. Our database work closes its own connections
            # (`database_sync_to_async`, the save threads), so the hop is only overhead.
            handler = getattr(self, get_handler_name(message), None)
            if handler is None:
                raise ValueError(f"No handler for message type {message['type']}")
            await handler(message)
        except (StopConsumer, asyncio.CancelledError):
            raise
        except Exception:
            logger.exception("live: unexpected error; closing the socket")
            await self._end(CRASHED)

    async def connect(self) -> None:
        self.journey_id = parse_int(str(self.scope["url_route"]["kwargs"]["pk"]), minimum=1) or 0
        viewer = await _authorize(self.scope, self.journey_id) if self.journey_id else None
        if viewer is None:
            await self.close(code=REFUSED)
            return
        if viewer.link_id is not None:
            open_sockets = await _off_thread(link_sockets)(self.journey_id, viewer.link_id)
            if open_sockets >= link_socket_cap():
                await self.accept()
                await self._error("This live link is open on too many screens already.")
                await self.close(code=TOO_MANY)
                return
        self.group = group_name(self.journey_id)
        if not await self._join_group():
            await self.close(code=LAYER_DOWN)
            return
        self.viewer = viewer
        await self.accept()
        self.entry = {
            "id": uuid.uuid4().hex[:12],
            "user_id": viewer.user_id,
            "name": viewer.name,
            "initials": initials(viewer.name),
            "role": viewer.role,
            "guest": viewer.guest,
            "stage": "",
            "since": time.time(),
        }
        self.beats = 0
        self.bucket = TokenBucket()
        # Drafts come ~10 a second while someone types: a bucket of their own, made at the
        # first draft (a fresh bucket is full, as one made at the connect would be by then).
        self.drafts: TokenBucket | None = None
        self._warned = False
        self._recheck: asyncio.Task[bool] | None = None
        version = await database_sync_to_async(
            lambda: (
                Journey.objects.filter(pk=self.journey_id).values_list("version", flat=True).first()
            )
        )()
        current = await _off_thread(presence_join)(self.journey_id, self.entry, link=viewer.link_id)
        # The leader is back (a reload, a reconnect): the lead goes on from this socket.
        follow = await _off_thread(follow_resume)(self.journey_id, viewer.user_id, self.entry["id"])
        await self.send_json(
            {
                "type": "live.hello",
                "version": version,
                "you": self.entry,
                "can_edit": viewer.can_edit,
                "presence": current,
                "follow": follow or await _off_thread(follow_state)(self.journey_id),
            }
        )
        if follow:
            await self._to_group({"type": "live.follow", "follow": follow})
        await self._announce()

    async def disconnect(self, code: int) -> None:
        await self._leave()

    async def _leave(self) -> None:
        """Out of the group and the roster, once, whatever ended the connection. A lead goes on
        (the leader's page may be reloading) until the leader ends it."""
        viewer, entry = self.viewer, self.entry
        if viewer is None:
            return
        self.viewer = None
        task = getattr(self, "_recheck", None)
        if task is not None and task is not asyncio.current_task():  # a re-check ends us
            task.cancel()
        await self._leave_group()
        if entry is None:
            return
        await _off_thread(roster_leave)(self.journey_id, entry["id"])
        await tell(self.channel_layer, self.group, left=entry["id"])

    async def _end(self, code: int) -> None:
        await self._leave()
        await self.close(code=code)

    async def _join_group(self) -> bool:
        """Join (or, on a heartbeat, renew) the journey's group; False if the layer is down."""
        try:
            await asyncio.wait_for(self.channel_layer.group_add(self.group, self.channel_name), 2)
        except Exception:  # noqa: BLE001
            logger.warning("live: channel layer unavailable", exc_info=True)
            return False
        return True

    async def _to_group(self, message: dict[str, Any]) -> None:
        await group_send(self.channel_layer, self.group, message)

    async def _renew(self) -> bool:
        """A heartbeat renews the group membership (the core layer forgets it after
        LIVE_GROUP_EXPIRY); with pub/sub the membership is this process's own and renewing it
        reaches no Redis, so a publish to this socket's own channel (ignored on arrival) tells
        that the layer is still there. False: the layer is down."""
        if not await self._join_group():
            return False
        if not isinstance(self.channel_layer, RedisPubSubChannelLayer):
            return True
        try:
            message = {"type": "live.alive"}
            await asyncio.wait_for(self.channel_layer.send(self.channel_name, message), 2)
        except Exception:  # noqa: BLE001
            logger.warning("live: channel layer unavailable", exc_info=True)
            return False
        return True

    async def _error(self, text: str) -> None:
        await self.send_json({"type": "live.error", "error": text})

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        viewer = self.viewer
        if viewer is None:  # ended, waiting for the close handshake
            return
        try:
            value = read_frame(text_data, bytes_data)
        except FrameError as problem:
            logger.info("live: closing a socket after a bad frame (%s)", problem.reason)
            await self._end(problem.code)
            return
        is_draft = isinstance(value, dict) and value.get("type") == "draft"
        if is_draft and self.drafts is None:
            self.drafts = TokenBucket(rate=DRAFT_RATE, burst=DRAFT_BURST)
        bucket = self.drafts if is_draft else self.bucket
        allowed = bucket.take()
        if allowed and viewer.link_id is not None:
            allowed = await _off_thread(link_frame_allowed)(viewer.link_id)
        if not allowed:
            if bucket.exhausted:
                await self._end(TOO_MANY)
            elif is_draft:
                return  # a dropped draft is harmless: the next one, or the save, follows
            elif not self._warned:
                self._warned = True
                await self._error("Too many messages: some were dropped.")
            return
        self._warned = False
        try:
            message = read_message(value)
        except MessageError as problem:
            await self._error(str(problem))
            return
        if message.type in EDIT_TYPES and not viewer.can_edit:
            await self._error("This view is read-only.")
            return
        await self._handle(message, viewer)

    async def _handle(self, message: PageMessage, viewer: Viewer) -> None:
        entry = self.entry
        assert entry is not None
        if isinstance(message, Save):
            user = self.scope.get("user")
            await self.send_json(await save_from_socket(user, self.journey_id, message))
            return
        if isinstance(message, Draft):
            await self._to_group(draft_event(entry, message.field, message.text))
            return
        if isinstance(message, Heartbeat | StageChange):
            entry["stage"] = message.stage
            name = " ".join(message.name.split())[:60]
            if viewer.guest and name:
                entry["name"], entry["initials"] = name, initials(name)
            await _off_thread(presence_touch)(self.journey_id, entry, link=viewer.link_id)
            if isinstance(message, StageChange):
                await self._announce()
            else:
                await self._beat()
        elif isinstance(message, Since):
            payload = await database_sync_to_async(journey_catchup)(
                self.journey_id, message.version
            )
            await self.send_json(payload)
        elif isinstance(message, Typing):
            await self._to_group(
                {"type": "presence.typing", "id": entry["id"], "field": message.field,
                 "name": entry["name"], "initials": entry["initials"]}
            )  # fmt: skip
        else:
            state = None
            if message.on:
                state = {
                    "id": entry["id"],
                    "user_id": entry["user_id"],  # who may resume it after a reload
                    "name": entry["name"],
                    "stage": message.stage,
                    "slide": message.slide,
                    "view": message.view,
                }
            await _off_thread(set_follow_state)(self.journey_id, state)
            await self._to_group({"type": "live.follow", "follow": state})

    async def _beat(self) -> None:
        self.beats += 1
        # Renewed on every beat: a socket whose beats stop falls out of the group by itself.
        if not await self._renew():  # the page shows "paused", reconnects and catches up
            await self._end(LAYER_DOWN)
            return
        if self.beats % RECHECK_EVERY == 0 and self._recheck is None:
            # In the background: this socket keeps delivering changes meanwhile.
            self._recheck = asyncio.create_task(self._still_allowed())
            self._recheck.add_done_callback(self._recheck_done)
        if self.beats % ROSTER_EVERY == 0:
            await self.send(text_data=await _off_thread(roster_frame)(self.journey_id))

    async def _announce(self) -> None:
        """Tell the others where this viewer is: with every other socket's news of this
        process, in one frame per announce.WINDOW (a crowd joining is not N² frames)."""
        if self.entry is not None:
            await tell(self.channel_layer, self.group, entry=self.entry)

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
            await self._end(REFUSED)
            return False
        if self.viewer is not None and now.can_edit != self.viewer.can_edit:
            await self._end(RECONNECT)
            return False
        return True

    async def _leave_group(self) -> None:
        try:
            await asyncio.wait_for(
                self.channel_layer.group_discard(self.group, self.channel_name), 2
            )
        except Exception:  # noqa: BLE001
            logger.info("live: could not leave the group (layer down)")

    async def live_revoked(self, event: dict[str, Any]) -> None:
        if self.viewer is not None and self.viewer.link_id == event.get("link"):
            await self._end(REFUSED)

    # Group events, passed through to the page as they are: serialised once for the whole
    # group by the sender (`frame`), so each socket forwards text rather than dumping it again.
    async def _pass_on(self, event: dict[str, Any]) -> None:
        if "frame" in event:
            await self.send(text_data=event["frame"])
        else:
            await self.send_json(event)

    journey_changed = journey_parts = presence_update = presence_leave = live_follow = _pass_on

    async def live_draft(self, event: dict[str, Any]) -> None:
        if self.entry is not None and event.get("id") != self.entry["id"]:
            await self._pass_on(event)

    presence_typing = live_draft

    async def live_alive(self, event: dict[str, Any]) -> None:
        """This socket's own proof that the layer is there (see `_renew`): nothing to do."""
