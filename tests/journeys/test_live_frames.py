"""What a page sends over the live socket cannot break it: every message type and field with
hostile values, malformed and binary frames, floods, and the group a dead socket leaves behind.
Through the real ASGI application and the real channel layer (Redis when REDIS_URL is set)."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import pytest
import redis
from asgiref.sync import async_to_sync, sync_to_async
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator
from channels_redis.pubsub import RedisPubSubChannelLayer
from django.conf import settings
from django.core.cache import cache

from cvj.asgi import application
from cvj.websocket import origin_allowed
from journeys.live.announce import WINDOW
from journeys.live.broadcast import group_name
from journeys.live.consumers import CRASHED, TOO_MANY
from journeys.live.guests import live_link_create
from journeys.live.messages import CLOSE_INVALID, CLOSE_TOO_BIG, CLOSE_UNSUPPORTED, MAX_FRAME_BYTES
from journeys.live.presence import follow_state, roster
from journeys.models import Journey
from tests.journeys.test_live_consumers import _closed_with, _communicator, _cookie_for, _next

pytestmark = pytest.mark.django_db(transaction=True)

FRAME_CLOSES = {CLOSE_UNSUPPORTED, CLOSE_INVALID, CLOSE_TOO_BIG}

# A valid message of each type the page sends; each field is then replaced by each value below.
MESSAGES: dict[str, dict[str, Any]] = {
    "heartbeat": {"type": "heartbeat", "stage": "aware", "name": "Ann"},
    "stage": {"type": "stage", "stage": "engage", "name": "Ann"},
    "since": {"type": "since", "version": 0},
    "typing": {"type": "typing", "field": "stage:aware.goal"},
    "follow": {"type": "follow", "on": False, "stage": "aware", "slide": 1, "view": "editor"},
}
HOSTILE: dict[str, Any] = {
    "superscript-two": "²",
    "arabic-three": "٣",
    "minus-one": "-1",
    "minus-one-number": -1,
    "40-digits": 10**40,
    "nul": "a\x00b",
    "lone-surrogate": "\ud800",  # json.dumps sends it as the escape \ud800
    "100k-chars": "x" * 100_000,
    "object": {"a": 1},
    "list": [1, 2],
    "null": None,
    "float": 1.5,
}
MALFORMED: dict[str, str | bytes] = {
    "open-brace": "{",
    "blank": " ",
    "5000-digit-version": '{"type": "since", "version": ' + "9" * 5000 + "}",
    "100k-brackets": "[" * 100_000,
    "deep-nesting": '{"type": "since", "version": ' + "[" * 50 + "]" * 50 + "}",
    "unhashable-type": '{"type": {"a": 1}}',
    "list-frame": "[1, 2, 3]",
    "null-frame": "null",
    "string-frame": '"since"',
    "infinite-version": '{"type": "since", "version": 1e999}',
    "nan-version": '{"type": "since", "version": NaN}',
    "unknown-type": '{"type": "journey.changed", "fields": []}',
    "binary": b"\x00\xff binary",
}


@pytest.fixture(autouse=True)
def _fresh_live_state(journey) -> None:
    """Presence, follow and groups live in the shared Redis; a fresh test database reuses ids,
    so what earlier tests' sockets left under this journey's id is cleared first."""
    cache.delete_many([f"cvj-live:roster:{journey.pk}", f"cvj-live:follow:{journey.pk}"])
    group = group_name(journey.pk)
    layer = get_channel_layer()
    if isinstance(layer, RedisPubSubChannelLayer):
        return  # members are kept by each event loop, and each test has a loop of its own
    if hasattr(layer, "_group_key"):  # channels-redis
        with _redis() as client:
            client.delete(layer._group_key(group))
    else:
        layer.groups.pop(group, None)


def _redis() -> redis.Redis:
    """A plain client of the layer's Redis: the layer's own pools belong to the event loops of
    the sockets under test, and one opened here would be left behind when its loop ends."""
    return redis.Redis.from_url(settings.LIVE_REDIS_URL)


@pytest.fixture
def unthrottled(monkeypatch) -> None:
    """The fuzz sends hundreds of frames on one socket: the flood limits have tests of their own."""
    monkeypatch.setattr("journeys.live.throttle.BURST", 100_000)


async def _drain(communicator: WebsocketCommunicator, seconds: float) -> list[dict[str, Any]]:
    """Every output within `seconds` (a receive that times out would cancel the app instead)."""
    outputs = []
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while (left := deadline - loop.time()) > 0:
        if not await communicator.receive_nothing(timeout=min(0.05, left)):
            outputs.append(await communicator.receive_output())
    return outputs


def _messages(outputs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [json.loads(o["text"]) for o in outputs if o["type"] == "websocket.send"]


def _frames() -> list[tuple[str, str | bytes]]:
    frames: list[tuple[str, str | bytes]] = []
    for kind, valid in MESSAGES.items():
        for field in valid:
            for label, value in HOSTILE.items():
                frames.append((f"{kind}.{field}={label}", json.dumps({**valid, field: value})))
    frames += [(f"frame={label}", frame) for label, frame in MALFORMED.items()]
    return frames


async def _send(communicator: WebsocketCommunicator, frame: str | bytes) -> None:
    if isinstance(frame, bytes):
        await communicator.send_to(bytes_data=frame)
    else:
        await communicator.send_to(text_data=frame)


async def _answer(communicator: WebsocketCommunicator, version: int) -> tuple[str, Any]:
    """What the socket did with the last frame: ("closed", code), or ("error", text) / ("ok", None)
    once the probe that follows it (a catch-up request) has been answered — so it is alive."""
    await communicator.send_json_to({"type": "since", "version": version})
    error = None
    while True:
        output = await communicator.receive_output(timeout=5)  # re-raises a consumer's crash
        if output["type"] == "websocket.close":
            return "closed", output.get("code")
        message = json.loads(output["text"])
        if message["type"] == "live.error":
            error = message["error"]
        elif message["type"] == "journey.catchup":
            return ("error", error) if error else ("ok", None)


def _fuzz(journey: Journey, connect_kwargs: dict[str, Any]) -> dict[str, tuple[str, Any]]:
    async def scenario() -> dict[str, tuple[str, Any]]:
        outcomes: dict[str, tuple[str, Any]] = {}
        communicator = None
        for label, frame in _frames():
            if communicator is None:
                communicator = _communicator(journey.pk, **connect_kwargs)
                assert (await communicator.connect(timeout=5))[0]
                await _next(communicator, "live.hello")
            await _send(communicator, frame)
            outcomes[label] = await _answer(communicator, journey.version)
            if outcomes[label][0] == "closed":
                await communicator.disconnect()
                communicator = None
        if communicator is not None:
            await communicator.disconnect()
        return outcomes

    return async_to_sync(scenario)()


def _check(outcomes: dict[str, tuple[str, Any]], journey: Journey) -> None:
    crashed = {label: o for label, o in outcomes.items() if o == ("closed", CRASHED)}
    assert crashed == {}
    closes = {o[1] for o in outcomes.values() if o[0] == "closed"}
    assert closes <= FRAME_CLOSES
    for label in ("binary", "open-brace", "5000-digit-version", "100k-brackets"):
        assert outcomes[f"frame={label}"][0] == "closed"
    assert outcomes["frame=binary"] == ("closed", CLOSE_UNSUPPORTED)
    assert outcomes["typing.field=100k-chars"] == ("closed", CLOSE_TOO_BIG)
    assert outcomes["frame=unhashable-type"] == ("error", "Unknown message.")
    for label in ("since.version=40-digits", "since.version=minus-one", "heartbeat.stage=nul"):
        assert outcomes[label][0] == "error", label
    # Nothing a refused frame carried was kept: no lead to follow, the journey untouched.
    assert follow_state(journey.pk) is None
    assert Journey.objects.get(pk=journey.pk).version == journey.version


def test_hostile_frames_from_an_editor_are_answered_never_crash(journey, strategist, unthrottled):
    started = time.perf_counter()
    outcomes = _fuzz(journey, {"cookie": _cookie_for(strategist.user)})
    print(f"\n{len(outcomes)} frames in {time.perf_counter() - started:.1f} s")
    _check(outcomes, journey)
    assert outcomes["typing.field=superscript-two"][0] == "error"
    assert outcomes["heartbeat.stage=superscript-two"][0] == "error"


def test_hostile_frames_from_a_guest_are_answered_never_crash(journey, strategist, unthrottled):
    _link, token = live_link_create(journey=journey, user=strategist.user)
    outcomes = _fuzz(journey, {"query": "token=" + token})
    _check(outcomes, journey)
    # A guest's edit messages are refused whatever they hold.
    assert outcomes["follow.stage=arabic-three"][0] == "error"
    assert outcomes["typing.field=nul"][0] == "error"


def test_a_frame_just_under_the_size_cap_is_read(journey, strategist):
    cookie = _cookie_for(strategist.user)  # outside the event loop: its connection is closed

    async def scenario() -> tuple[str, Any]:
        communicator = _communicator(journey.pk, cookie=cookie)
        assert (await communicator.connect(timeout=5))[0]
        await _next(communicator, "live.hello")
        padding = " " * (MAX_FRAME_BYTES - 100)
        await communicator.send_to(text_data='{"type": "heartbeat",' + padding + '"stage": ""}')
        answer = await _answer(communicator, journey.version)
        await communicator.disconnect()
        return answer

    assert async_to_sync(scenario)() == ("ok", None)


async def _group_size(group: str) -> int:
    """Members of the group as the layer counts them when it sends (expired ones dropped)."""
    layer = get_channel_layer()
    if isinstance(layer, RedisPubSubChannelLayer):  # this event loop's own members
        own = layer._get_layer()
        return len(own.groups.get(own._get_group_channel_name(group), ()))
    return await sync_to_async(_stored_group_size)(group)


def _stored_group_size(group: str) -> int:
    layer = get_channel_layer()
    if hasattr(layer, "_group_key"):  # channels-redis core: a sorted set per group
        key = layer._group_key(group)
        with _redis() as client:
            client.zremrangebyscore(key, min=0, max=int(time.time()) - layer.group_expiry)
            return client.zcard(key)
    return len(layer.groups.get(group, {}))


def test_sockets_closed_for_bad_frames_leave_the_group_and_the_roster(journey, strategist):
    """Checked before the test client delivers its disconnect: a socket must leave on its own
    close, as a real server may never deliver one after the app has given up on it."""
    _link, token = live_link_create(journey=journey, user=strategist.user)
    cookie = _cookie_for(strategist.user)
    closing = (
        "open-brace",
        "blank",
        "5000-digit-version",
        "100k-brackets",
        "deep-nesting",
        "binary",
    )
    malformed = [MALFORMED[label] for label in closing]

    async def scenario() -> tuple[int, list[int | None], int]:
        group = group_name(journey.pk)
        watcher = _communicator(journey.pk, cookie=cookie)
        assert (await watcher.connect(timeout=5))[0]
        codes, closed = [], []
        for index in range(100):
            kwargs = {"query": "token=" + token} if index % 2 else {"cookie": cookie}
            communicator = _communicator(journey.pk, **kwargs)
            assert (await communicator.connect(timeout=5))[0]
            await _next(communicator, "live.hello")
            await _send(communicator, malformed[index % len(malformed)])
            codes.append(await _closed_with(communicator))
            closed.append(communicator)
        members = await _group_size(group)
        here = len(roster(journey.pk))
        for communicator in closed:
            await communicator.disconnect()
        await watcher.disconnect()
        return members, codes, here

    members, codes, here = async_to_sync(scenario)()
    assert set(codes) <= FRAME_CLOSES and None not in codes
    assert members == 1  # the watcher alone
    assert here == 1


def test_a_guest_flooding_frames_is_throttled_and_the_others_see_few_updates(journey, strategist):
    _link, token = live_link_create(journey=journey, user=strategist.user)
    cookie = _cookie_for(strategist.user)
    stages = ["aware", "engage", "subscribe", "convert"]

    async def scenario() -> tuple[int | None, list[str], int]:
        watcher = _communicator(journey.pk, cookie=cookie)
        assert (await watcher.connect(timeout=5))[0]
        await _next(watcher, "live.hello")
        await asyncio.sleep(WINDOW)  # the watcher's own news gone: the guest's join goes at once
        guest = _communicator(journey.pk, query="token=" + token)
        assert (await guest.connect(timeout=5))[0]
        guest_id = (await _next(guest, "live.hello"))["you"]["id"]
        for index in range(500):
            await guest.send_json_to({"type": "stage", "stage": stages[index % 4], "name": "Bo"})
        told, code = [], None
        while code is None:
            output = await guest.receive_output(timeout=5)
            if output["type"] == "websocket.close":
                code = output["code"]
            elif (message := json.loads(output["text"]))["type"] == "live.error":
                told.append(message["error"])
        updates = sum(
            m["type"] == "presence.update" and guest_id in {e["id"] for e in m["entries"]}
            for m in _messages(await _drain(watcher, 3))
        )
        await guest.disconnect()
        await watcher.disconnect()
        return code, told, updates

    code, told, updates = async_to_sync(scenario)()
    assert code == TOO_MANY
    assert told == ["Too many messages: some were dropped."]
    # The join, then at most one coalesced update a window over the flood's few seconds.
    assert 1 <= updates <= 4


def test_the_sockets_of_one_link_share_a_frame_limit(journey, strategist, monkeypatch):
    monkeypatch.setattr("journeys.live.throttle.LINK_FRAMES_PER_WINDOW", 6)
    monkeypatch.setattr("journeys.live.throttle.LINK_WINDOW", 3600)  # no new window mid-test
    link, token = live_link_create(journey=journey, user=strategist.user)
    # The counter is in the shared Redis, and a fresh test database reuses link ids.
    cache.delete(f"cvj-live:link-frames:{link.pk}:{int(time.time()) // 3600}")

    async def scenario() -> tuple[int, int]:
        guests = [_communicator(journey.pk, query="token=" + token) for _ in range(2)]
        for guest in guests:
            assert (await guest.connect(timeout=5))[0]
            await _next(guest, "live.hello")
        for _ in range(4):
            for guest in guests:
                await guest.send_json_to({"type": "since", "version": journey.version})
        answered = dropped = 0
        for guest in guests:
            for message in _messages(await _drain(guest, 1)):
                answered += message["type"] == "journey.catchup"
                dropped += message["type"] == "live.error"
            await guest.disconnect()
        return answered, dropped

    answered, dropped = async_to_sync(scenario)()
    # Eight frames, six allowed between the two sockets; each socket is told once it lost some.
    assert answered == 6
    assert dropped >= 1


def test_a_link_holds_a_bounded_number_of_sockets(journey, strategist, settings):
    settings.LIVE_LINK_MAX_SOCKETS = 3
    _link, token = live_link_create(journey=journey, user=strategist.user)

    async def scenario() -> tuple[list[str], int | None, list[str]]:
        guests = []
        for _ in range(3):
            guest = _communicator(journey.pk, query="token=" + token)
            assert (await guest.connect(timeout=5))[0]
            guests.append(guest)
            await _next(guest, "live.hello")
        extra = _communicator(journey.pk, query="token=" + token)
        await extra.connect(timeout=5)
        refusal = await extra.receive_json_from(timeout=5)
        code = await _closed_with(extra)
        await extra.disconnect()
        await guests[0].disconnect()  # one leaves: its place is free again
        again = _communicator(journey.pk, query="token=" + token)
        assert (await again.connect(timeout=5))[0]
        hello = await _next(again, "live.hello")
        for guest in [*guests[1:], again]:
            await guest.disconnect()
        return refusal, code, hello

    refusal, code, hello = async_to_sync(scenario)()
    assert refusal["type"] == "live.error" and "too many screens" in refusal["error"]
    assert code == TOO_MANY
    assert hello["type"] == "live.hello"


def _scope(origin: str, host: str, scheme: str = "ws") -> dict[str, Any]:
    return {
        "type": "websocket",
        "scheme": scheme,
        "headers": [(b"host", host.encode()), (b"origin", origin.encode())],
    }


@pytest.mark.parametrize(
    ("origin", "host", "scheme", "allowed"),
    [
        ("http://localhost:8000", "localhost:8000", "ws", True),
        ("http://localhost", "localhost", "ws", True),
        ("http://localhost:80", "localhost", "ws", True),  # the default port, written out
        ("http://localhost:9999", "localhost:8000", "ws", False),  # another port
        ("http://localhost:8000", "localhost", "ws", False),
        ("https://localhost:8000", "localhost:8000", "ws", False),  # another scheme
        ("https://localhost", "localhost", "wss", True),
        ("http://localhost", "localhost", "wss", False),
        ("http://evil.test", "localhost", "ws", False),
        ("http://evil.test", "evil.test", "ws", False),  # a host not allowed
        ("null", "localhost", "ws", False),
        ("", "localhost", "ws", False),
        ("http://localhost:99999", "localhost:99999", "ws", False),  # no such port
        ("http://local\x00host", "localhost", "ws", False),
    ],
)
def test_the_origin_must_match_scheme_host_and_port(origin, host, scheme, allowed, settings):
    settings.ALLOWED_HOSTS = ["localhost"]
    assert origin_allowed(_scope(origin, host, scheme)) is allowed


def test_a_trusted_origin_may_open_a_socket(settings):
    settings.ALLOWED_HOSTS = ["app.internal"]
    settings.CSRF_TRUSTED_ORIGINS = ["https://cvj.example.com"]
    assert origin_allowed(_scope("https://cvj.example.com", "app.internal:8000"))
    assert not origin_allowed(_scope("https://cvj.example.com:8443", "app.internal:8000"))


def test_a_socket_from_another_port_is_refused(journey, strategist):
    cookie = _cookie_for(strategist.user)

    async def attempt(origin: bytes) -> bool:
        communicator = WebsocketCommunicator(
            application,
            f"/ws/journeys/{journey.pk}/live/",
            headers=[
                (b"host", b"localhost:8000"),
                (b"origin", origin),
                (b"cookie", cookie),
            ],
        )
        connected, _ = await communicator.connect(timeout=5)
        await communicator.disconnect()
        return connected

    assert async_to_sync(attempt)(b"http://localhost:8000")
    assert not async_to_sync(attempt)(b"http://localhost:9999")
