"""The live layer's per-channel inbox behaves as the asyncio.Queue it replaces."""

from __future__ import annotations

import asyncio

from journeys.live.layer import _Inbox


def test_the_inbox_hands_out_messages_in_order_and_waits_for_the_next():
    async def run() -> list[str]:
        inbox = _Inbox()
        inbox.put_nowait("a")
        inbox.put_nowait("b")
        got = [await inbox.get(), await inbox.get()]
        later = asyncio.ensure_future(inbox.get())
        await asyncio.sleep(0)
        assert not later.done()
        inbox.put_nowait("c")
        got.append(await later)
        assert inbox.items is None and inbox.readers is None  # idle: nothing kept
        return got

    assert asyncio.run(run()) == ["a", "b", "c"]


def test_a_cancelled_reader_loses_no_message():
    async def run() -> list[str]:
        inbox = _Inbox()
        first = asyncio.ensure_future(inbox.get())
        second = asyncio.ensure_future(inbox.get())
        await asyncio.sleep(0)
        inbox.put_nowait("x")  # wakes the first reader, which is cancelled before it reads
        first.cancel()
        await asyncio.sleep(0)
        assert first.cancelled()
        got = [await second]
        inbox.put_nowait("y")
        got.append(await inbox.get())
        assert inbox.readers is None
        return got

    assert asyncio.run(run()) == ["x", "y"]


def test_two_readers_get_one_message_each():
    async def run() -> set[str]:
        inbox = _Inbox()
        readers = [asyncio.ensure_future(inbox.get()) for _ in range(2)]
        await asyncio.sleep(0)
        inbox.put_nowait("p")
        inbox.put_nowait("q")
        return set(await asyncio.gather(*readers))

    assert asyncio.run(run()) == {"p", "q"}
