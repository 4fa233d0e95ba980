"""The channel layer for live sockets: channels-redis's pub/sub layer, reading each group
message once per web process.

A group message arrives once per process and the layer queues the same bytes for each of the
group's sockets here, but each socket's receive deserialises them again: 200 copies of the same
change alive at once when a crowd follows a journey (most of a socket's memory in the bench, and
CPU). Here the deserialised message is remembered by the identity of its bytes, so every
socket gets the same dict; consumers only read events, never change them.
"""

from __future__ import annotations

import collections
from typing import Any

from channels_redis.pubsub import RedisPubSubChannelLayer


class SharedPubSubChannelLayer(RedisPubSubChannelLayer):
    RECENT = 32  # messages remembered: sockets read their queues at slightly different paces

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # id(bytes) -> (the bytes, kept so the id is not reused meanwhile; the message)
        self._recent: collections.OrderedDict[int, tuple[bytes, dict[str, Any]]] = (
            collections.OrderedDict()
        )

    def deserialize(self, message: bytes) -> dict[str, Any]:
        known = self._recent.get(id(message))
        if known is not None and known[0] is message:
            return known[1]
        value = super().deserialize(message)
        self._recent[id(message)] = (message, value)
        if len(self._recent) > self.RECENT:
            self._recent.popitem(last=False)
        return value
