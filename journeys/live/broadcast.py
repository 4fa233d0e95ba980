"""Broadcast after commit: the one place that tells open pages what changed.

Services raise `journeys.changes.journey_changed(...)` inside their transaction; once it commits
the change arrives here and goes out to the journey's group, so nobody is told about a change
that rolled back. A dead or slow
channel layer never breaks a save, nor delays it (Redis: sent from a sender thread) or by more
than LIVE_SEND_TIMEOUT (in memory): the failure is logged and the pages catch up from the
version they last saw when they reconnect.
"""

from __future__ import annotations

import asyncio
import collections
import json
import logging
import os
import threading
import time
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import InMemoryChannelLayer, get_channel_layer
from django.conf import settings
from django.dispatch import receiver

from ..changes import journey_change

logger = logging.getLogger("cvj.live")


def group_name(journey_id: int) -> str:
    return f"journey.{journey_id}"


@receiver(journey_change)
def _journey_changed(*, journey_id: int, message: dict[str, Any], **_: Any) -> None:
    send_to_journey(journey_id, message, as_frame=True)


def send_to_journey(journey_id: int, message: dict[str, Any], *, as_frame: bool = False) -> bool:
    """Send now; False (and a log line) if the channel layer is unreachable.

    With Redis, the message is handed to this process's sender thread and the caller goes on at
    once (True = queued); the in-memory layer lives in the server's own event loop, so it is
    sent from there, as before. `as_frame`: the message is what every page receives as it is,
    so it is serialised once here (`frame`) rather than once per open page by each consumer."""
    layer = get_channel_layer()
    if layer is None:
        return False
    message = {**message, "sent_at": time.time()}
    if as_frame:
        message = {"type": message["type"], "frame": json.dumps(message)}
    if not isinstance(layer, InMemoryChannelLayer):
        return _sender.submit(layer, group_name(journey_id), message)
    try:
        async_to_sync(_send_with_timeout)(layer, group_name(journey_id), message)
    except Exception:  # noqa: BLE001 - a live update must never break the save that caused it
        logger.warning("live: could not broadcast to journey %s", journey_id, exc_info=True)
        return False
    return True


async def _send_with_timeout(layer: Any, group: str, message: dict[str, Any]) -> None:
    await asyncio.wait_for(layer.group_send(group, message), timeout=settings.LIVE_SEND_TIMEOUT)


class _Sender:
    """One event loop in a daemon thread per process, sending broadcasts in order.

    `async_to_sync` from a sync worker would start a fresh event loop for every save, and
    channels-redis keeps its connections per loop: a new Redis connection, and ~6 ms, a save.
    Here the loop and its connections live as long as the process; a save only enqueues.
    A fork (gunicorn, Celery prefork) starts its own thread on first use."""

    MAX_QUEUED = 1000  # Redis down for long: drop the oldest; pages catch up by version

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pid = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._queue: collections.deque[tuple[Any, str, dict[str, Any]]] = collections.deque()
        self._wake: asyncio.Event | None = None

    def submit(self, layer: Any, group: str, message: dict[str, Any]) -> bool:
        try:
            loop = self._running_loop()
            with self._lock:
                if len(self._queue) >= self.MAX_QUEUED:
                    self._queue.popleft()
                    logger.warning("live: sender queue full, dropped the oldest broadcast")
                self._queue.append((layer, group, message))
            loop.call_soon_threadsafe(self._wake.set)  # type: ignore[union-attr]
        except Exception:  # noqa: BLE001 - a live update must never break the save that caused it
            logger.warning("live: could not queue a broadcast for %s", group, exc_info=True)
            return False
        return True

    def _running_loop(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self._loop is None or self._pid != os.getpid():
                self._pid = os.getpid()
                self._queue.clear()  # a forked child does not send its parent's messages
                self._loop = asyncio.new_event_loop()
                self._wake = asyncio.Event()
                threading.Thread(
                    target=self._run, args=(self._loop,), name="cvj-live-sender", daemon=True
                ).start()
            return self._loop

    def _run(self, loop: asyncio.AbstractEventLoop) -> None:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(self._drain())

    async def _drain(self) -> None:
        wake = self._wake
        assert wake is not None
        while True:
            await wake.wait()
            wake.clear()
            while True:
                with self._lock:
                    if not self._queue:
                        break
                    layer, group, message = self._queue.popleft()
                try:
                    await _send_with_timeout(layer, group, message)
                except Exception:  # noqa: BLE001 - logged; the pages catch up on reconnect
                    logger.warning("live: could not broadcast to %s", group, exc_info=True)


_sender = _Sender()
