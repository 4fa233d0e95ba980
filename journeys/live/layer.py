"""The channel layer for live sockets: channels-redis's pub/sub layer, reading each group
message once per web process, and holding an idle socket's inbox in a few bytes.

A group message arrives once per process and the layer queues the same bytes for each of the
group's sockets here, but each socket's receive deserialises them again: 200 copies of the same
change alive at once when a crowd follows a journey (most of a socket's memory in the bench, and
CPU). Here the deserialised message is remembered by the identity of its bytes, so every
socket gets the same dict; consumers only read events, never change them.

Each socket's channel is read by one consumer, which waits on it all the time; channels-redis
gives every channel an `asyncio.Queue` (three deques, ~3.2 KiB even when empty, most of what the
layer keeps for an idle socket). `_Inbox` does the same job with a deque only while messages
are waiting. And Channels waits for a socket's next frame and its channel's next message with a
task for each and an `asyncio.wait` (~3 KiB more per idle socket); `serve` waits for both with
one future.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from channels_redis.pubsub import RedisPubSubChannelLayer, RedisPubSubLoopLayer
from channels_redis.utils import _wrap_close

logger = logging.getLogger("cvj.live")


class _Inbox:
    """A channel's waiting messages and its readers: the part of `asyncio.Queue` the layer uses
    (`put_nowait`, `get`), first in first out, without a size limit (as the layer's queues)."""

    __slots__ = ("items", "readers")

    def __init__(self) -> None:
        self.items: collections.deque[Any] | None = None
        self.readers: list[asyncio.Future[None]] | None = None

    def put_nowait(self, item: Any) -> None:
        if self.items is None:
            self.items = collections.deque()
        self.items.append(item)
        self._wake()

    def _wake(self) -> None:
        while self.readers:
            reader = self.readers.pop(0)
            if not reader.done():
                reader.set_result(None)
                break
        if not self.readers:
            self.readers = None

    async def get(self) -> Any:
        while not self.items:
            reader = asyncio.get_running_loop().create_future()
            if self.readers is None:
                self.readers = []
            self.readers.append(reader)
            try:
                await reader
            except BaseException:
                reader.cancel()
                if self.readers is not None and reader in self.readers:
                    self.readers.remove(reader)
                    if not self.readers:
                        self.readers = None
                if self.items and not reader.cancelled():  # woken, then cancelled: pass it on
                    self._wake()
                raise
        item = self.items.popleft()
        if not self.items:
            self.items = None
        elif self.readers:  # more waiting, and another reader too
            self._wake()
        return item


async def _either(frame: asyncio.Future[Any], inbox: _Inbox) -> None:
    """Until the socket's frame is in or a message waits in the inbox."""
    woken = asyncio.get_running_loop().create_future()

    def wake(_: object) -> None:
        if not woken.done():
            woken.set_result(None)

    frame.add_done_callback(wake)
    if inbox.readers is None:
        inbox.readers = []
    inbox.readers.append(woken)
    try:
        await woken
    finally:
        frame.remove_done_callback(wake)
        if inbox.readers is not None and woken in inbox.readers:
            inbox.readers.remove(woken)
            if not inbox.readers:
                inbox.readers = None


class _LoopLayer(RedisPubSubLoopLayer):
    async def _subscribe_to_channel(self, channel: str) -> None:
        self.channels[channel] = _Inbox()
        await self._get_shard(channel).subscribe(channel)


class SharedPubSubChannelLayer(RedisPubSubChannelLayer):
    RECENT = 32  # messages remembered: sockets read their queues at slightly different paces

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # id(bytes) -> (the bytes, kept so the id is not reused meanwhile; the message)
        self._recent: collections.OrderedDict[int, tuple[bytes, dict[str, Any]]] = (
            collections.OrderedDict()
        )

    def _get_layer(self) -> RedisPubSubLoopLayer:
        """As channels-redis's own, with the light inboxes (one layer per event loop)."""
        loop = asyncio.get_running_loop()
        layer = self._layers.get(loop)
        if layer is None:
            layer = _LoopLayer(*self._args, **self._kwargs, channel_layer=self)
            self._layers[loop] = layer
            _wrap_close(self, loop)
        return layer

    async def serve(
        self,
        channel: str,
        receive: Callable[[], Awaitable[dict[str, Any]]],
        dispatch: Callable[[dict[str, Any]], Awaitable[None]],
    ) -> None:
        """Channels' `await_many_dispatch` for a socket (`receive`) and its channel: each message
        of either goes to `dispatch` in turn, the socket's first, until `dispatch` raises; then
        the channel is unsubscribed (as channels-redis does when its receive is cancelled)."""
        layer = self._get_layer()
        frame = asyncio.ensure_future(receive())
        try:
            while True:
                inbox = layer.channels.get(channel)
                if inbox is None:  # the layer was flushed
                    await layer._subscribe_to_channel(channel)
                    continue
                if not frame.done() and not inbox.items:
                    await _either(frame, inbox)
                if frame.done():
                    message = frame.result()
                    frame = asyncio.ensure_future(receive())
                    await dispatch(message)
                if inbox.items:
                    item = inbox.items.popleft()
                    if not inbox.items:
                        inbox.items = None
                    await dispatch(self.deserialize(item))
        finally:
            frame.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await frame
            if layer.channels.pop(channel, None) is not None:
                try:
                    await layer._get_shard(channel).unsubscribe(channel)
                except Exception:  # noqa: BLE001 - as channels-redis: the exit goes on
                    logger.exception("live: could not unsubscribe a socket's channel")

    def deserialize(self, message: bytes) -> dict[str, Any]:
        known = self._recent.get(id(message))
        if known is not None and known[0] is message:
            return known[1]
        value = super().deserialize(message)
        self._recent[id(message)] = (message, value)
        if len(self._recent) > self.RECENT:
            self._recent.popitem(last=False)
        return value
