"""Presence news of a journey, told to its group in one frame per short window.

A crowd arriving (a workshop's phones, a webinar's two hundred followers) would otherwise tell
each join to everyone already there: N² frames, seconds of a core for 200 sockets. The joins,
moves and leaves that this process's sockets report within WINDOW go out together as one
`presence.update` (entries) and one `presence.leave` (ids). The first news after a quiet spell
goes at once, so a lone join or move is not delayed; a burst waits at most WINDOW. Each frame is
serialised once here, for every socket of the group (`frame`).
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from typing import Any

logger = logging.getLogger("cvj.live")

WINDOW = 1.0  # seconds: also the fastest one connection's moves reach the others


async def group_send(layer: Any, group: str, message: dict[str, Any]) -> None:
    """To the whole group, serialised once for all its sockets; a dead layer is logged. The
    layer carries the page's frame and only what a socket reads itself (`id`: not back to the
    sender), not the message twice."""
    wire = {"type": message["type"], "frame": json.dumps(message)}
    if "id" in message:
        wire["id"] = message["id"]
    try:
        await asyncio.wait_for(layer.group_send(group, wire), 1)
    except Exception:  # noqa: BLE001 - pages catch up with the full roster on their heartbeat
        logger.warning("live: could not reach the channel layer", exc_info=True)


class _News:
    def __init__(self, layer: Any, group: str, loop: asyncio.AbstractEventLoop) -> None:
        self.layer, self.group, self.loop = layer, group, loop
        self.entries: dict[str, dict[str, Any]] = {}
        self.left: list[str] = []
        self.sent_at = -WINDOW
        self.later: asyncio.Task[None] | None = None

    async def flush(self) -> None:
        entries, left = list(self.entries.values()), self.left
        self.entries, self.left = {}, []
        self.sent_at = time.monotonic()
        if entries:
            await group_send(
                self.layer, self.group, {"type": "presence.update", "entries": entries}
            )
        if left:
            await group_send(self.layer, self.group, {"type": "presence.leave", "ids": left})

    async def flush_after(self, wait: float) -> None:
        await asyncio.sleep(wait)
        self.later = None
        await self.flush()


_news: dict[str, _News] = {}


async def tell(
    layer: Any, group: str, *, entry: dict[str, Any] | None = None, left: str | None = None
) -> None:
    """Report a connection's entry (joined, moved, renamed) or its leaving to the group."""
    loop = asyncio.get_running_loop()
    news = _news.get(group)
    if news is None or news.loop is not loop:  # (tests run each in a loop of its own)
        if len(_news) > 1000:  # journeys long quiet
            _forget_quiet()
        news = _news[group] = _News(layer, group, loop)
    if entry is not None:
        news.entries[entry["id"]] = dict(entry)
    if left is not None:
        news.entries.pop(left, None)
        news.left.append(left)
    if news.later is not None:
        return
    wait = news.sent_at + WINDOW - time.monotonic()
    if wait > 0:
        news.later = asyncio.create_task(news.flush_after(wait))
        return
    await news.flush()


def _forget_quiet() -> None:
    now = time.monotonic()
    for group, news in list(_news.items()):
        if news.later is None and not news.entries and now - news.sent_at > WINDOW:
            del _news[group]
