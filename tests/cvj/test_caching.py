"""The live rooms share one cache client per process, not one per socket."""

from __future__ import annotations

import asyncio
import contextvars

from asgiref.sync import sync_to_async
from django.core.cache import caches

from cvj import caching
from cvj.caching import shared_cache


def _clients_seen_by_sockets(client_of) -> set[int]:  # noqa: ANN001
    """The cache client each of five sockets' tasks uses, as a consumer's thread hop sees it."""

    async def socket() -> int:
        return await sync_to_async(lambda: id(client_of()), thread_sensitive=False)()

    async def crowd() -> list[int]:
        return await asyncio.gather(*(socket() for _ in range(5)))

    # A context of their own, as a server's are: not this test process's, where earlier tests
    # have already used the cache (a task inherits its creator's context, client included).
    return set(contextvars.Context().run(asyncio.run, crowd()))


def test_djangos_cache_is_one_client_per_socket_and_the_shared_one_is_one_per_process():
    assert len(_clients_seen_by_sockets(lambda: caches["default"])) == 5  # the premise
    assert len(_clients_seen_by_sockets(caching._client)) == 1


def test_the_rooms_serving_sockets_use_the_shared_client():
    from journeys.deliverable import exports
    from journeys.live import guests, presence, throttle

    for room in (presence, guests, throttle, exports):
        assert room.cache is shared_cache, room
    shared_cache.set("cvj-test-shared", 7, 5)
    assert caches["default"].get("cvj-test-shared") == 7  # the same backend and settings
