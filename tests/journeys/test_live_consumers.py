"""The live socket with Channels' WebsocketCommunicator, through the real ASGI application
(origin check, session auth) and the real channel layer (Redis when REDIS_URL is set)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.core.cache import cache
from django.test import Client

from cvj.asgi import application
from journeys.live.guests import live_link_create, live_link_revoke
from journeys.models import JourneyStage
from journeys.services import field_save, tactic_add

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _no_presence_left_over(journey) -> None:
    """Presence lives in the shared Redis; a fresh test database reuses journey ids."""
    cache.delete_many([f"cvj-live:roster:{journey.pk}", f"cvj-live:follow:{journey.pk}"])


ORIGIN = (b"origin", b"http://localhost")


def _cookie_for(user) -> bytes:
    browser = Client()
    browser.force_login(user)
    return f"sessionid={browser.cookies[settings.SESSION_COOKIE_NAME].value}".encode()


def _communicator(journey_id: int, *, cookie: bytes = b"", query: str = "", origin=ORIGIN):
    headers = [(b"host", b"localhost"), origin]
    if cookie:
        headers.append((b"cookie", cookie))
    path = f"/ws/journeys/{journey_id}/live/" + (f"?{query}" if query else "")
    return WebsocketCommunicator(application, path, headers=headers)


async def _connect(communicator: WebsocketCommunicator) -> tuple[bool, Any]:
    connected, code = await communicator.connect(timeout=5)
    return connected, code


async def _next(communicator: WebsocketCommunicator, kind: str, timeout: float = 3) -> dict:
    """The next message of `kind`, skipping presence chatter."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        left = deadline - asyncio.get_running_loop().time()
        message = await communicator.receive_json_from(timeout=max(left, 0.01))
        if message["type"] == kind:
            return message


def _refused(journey_id: int, **kwargs: Any) -> bool:
    async def attempt() -> bool:
        communicator = _communicator(journey_id, **kwargs)
        connected, _code = await _connect(communicator)
        await communicator.disconnect()
        return not connected

    return async_to_sync(attempt)()


def test_anonymous_connection_is_refused(journey):
    assert _refused(journey.pk)


def test_another_agencys_journey_is_refused(journey, other_agency_journey, strategist):
    assert _refused(other_agency_journey.pk, cookie=_cookie_for(strategist.user))


def test_a_foreign_origin_is_refused(journey, strategist):
    assert _refused(
        journey.pk, cookie=_cookie_for(strategist.user), origin=(b"origin", b"http://evil.test")
    )


def test_a_client_is_refused_a_journey_they_may_not_view(journey, client_member):
    # A draft that was not shared: the client's views 404 it, and so does the socket.
    assert _refused(journey.pk, cookie=_cookie_for(client_member.user))


def test_revoked_and_foreign_live_links_are_refused(journey, other_agency_journey, strategist):
    link, token = live_link_create(journey=journey, user=strategist.user)
    _other, other_token = live_link_create(journey=other_agency_journey, user=None)
    assert _refused(journey.pk, query="token=" + other_token)  # a link to another journey
    assert _refused(journey.pk, query="token=" + token[:-3] + "abc")  # tampered
    live_link_revoke(link=link)
    assert _refused(journey.pk, query="token=" + token)


def test_a_strategist_receives_a_saved_change_after_commit(journey, strategist):
    cookie = _cookie_for(strategist.user)
    entry = JourneyStage.objects.select_related("stage").get(journey=journey, stage__slug="aware")

    async def scenario() -> dict:
        communicator = _communicator(journey.pk, cookie=cookie)
        connected, _ = await _connect(communicator)
        assert connected
        hello = await _next(communicator, "live.hello")
        assert hello["can_edit"] is True and hello["version"] == journey.version
        await sync_to_async(field_save)(
            row=entry, field="goal", value="Be found", base="", journey_id=journey.pk
        )
        changed = await _next(communicator, "journey.changed")
        await communicator.disconnect()
        return changed

    changed = async_to_sync(scenario)()
    assert changed["version"] == journey.version + 1
    assert changed["fields"] == [{"key": "stage:aware.goal", "value": "Be found"}]
    assert set(changed["parts"]) == {"insights", "rail"}


def test_a_guest_sees_changes_but_cannot_send_edit_messages(journey, strategist):
    _link, token = live_link_create(journey=journey, user=strategist.user)
    cookie = _cookie_for(strategist.user)
    entry = JourneyStage.objects.select_related("stage").get(journey=journey, stage__slug="engage")

    async def scenario() -> tuple[dict, dict, list[str]]:
        guest = _communicator(journey.pk, query="token=" + token)
        editor = _communicator(journey.pk, cookie=cookie)
        assert (await _connect(guest))[0] and (await _connect(editor))[0]
        await _next(guest, "live.hello")
        await _next(editor, "live.hello")
        await guest.send_json_to({"type": "typing", "field": "stage:engage.goal"})
        refusal = await _next(guest, "live.error")
        await guest.send_json_to({"type": "follow", "on": True, "stage": "promote"})
        await _next(guest, "live.error")
        # The editor never hears the guest's typing or follow; it does hear a real change.
        await sync_to_async(tactic_add)(journey_stage=entry, custom_name="Quiz")
        seen = []
        while True:
            message = await editor.receive_json_from(timeout=3)
            seen.append(message["type"])
            if message["type"] == "journey.changed":
                break
        changed = await _next(guest, "journey.changed")
        await guest.disconnect()
        await editor.disconnect()
        return refusal, changed, seen

    refusal, changed, seen = async_to_sync(scenario)()
    assert refusal["error"] == "This view is read-only."
    assert "presence.typing" not in seen and "live.follow" not in seen
    assert "stage:engage" in changed["parts"]


def test_a_client_cannot_send_edit_messages(journey, client_member, strategist):
    journey.shared_with_client = True
    journey.save()
    cookie = _cookie_for(client_member.user)

    async def scenario() -> dict:
        communicator = _communicator(journey.pk, cookie=cookie)
        connected, _ = await _connect(communicator)
        assert connected
        hello = await _next(communicator, "live.hello")
        assert hello["can_edit"] is False
        await communicator.send_json_to({"type": "typing", "field": "journey.title"})
        error = await _next(communicator, "live.error")
        await communicator.disconnect()
        return error

    assert async_to_sync(scenario)()["error"] == "This view is read-only."


def test_catch_up_after_missed_changes_returns_every_field_and_part(journey, strategist):
    cookie = _cookie_for(strategist.user)
    entry = JourneyStage.objects.select_related("stage").get(journey=journey, stage__slug="convert")
    seen = journey.version
    field_save(
        row=entry, field="metric", value="Demos booked", base=entry.metric, journey_id=journey.pk
    )

    async def scenario() -> tuple[dict, dict]:
        communicator = _communicator(journey.pk, cookie=cookie)
        assert (await _connect(communicator))[0]
        await _next(communicator, "live.hello")
        await communicator.send_json_to({"type": "since", "version": seen})
        behind = await _next(communicator, "journey.catchup")
        await communicator.send_json_to({"type": "since", "version": behind["version"]})
        current = await _next(communicator, "journey.catchup")
        await communicator.disconnect()
        return behind, current

    behind, current = async_to_sync(scenario)()
    assert {"key": "stage:convert.metric", "value": "Demos booked"} in behind["fields"]
    assert "stage:convert" in behind["parts"] and "rail" in behind["parts"]
    assert current["fields"] == [] and current["parts"] == ["questions"]


def test_presence_lists_who_is_here_and_drops_them_when_they_leave(journey, strategist):
    cookie = _cookie_for(strategist.user)

    async def scenario() -> tuple[dict, dict]:
        first = _communicator(journey.pk, cookie=cookie)
        second = _communicator(journey.pk, cookie=cookie)
        assert (await _connect(first))[0]
        await _next(first, "live.hello")
        assert (await _connect(second))[0]
        await _next(second, "live.hello")
        await second.send_json_to({"type": "stage", "stage": "convert"})
        moved = None
        while moved is None:
            update = await _next(first, "presence.update")
            moved = next((e for e in update["entries"] if e["stage"] == "convert"), None)
        await second.disconnect()
        leave = await _next(first, "presence.leave")
        await first.disconnect()
        return moved, leave

    moved, leave = async_to_sync(scenario)()
    assert moved["initials"] and moved["role"] == "Strategist"
    assert leave["ids"] == [moved["id"]]


def test_the_snapshot_lists_open_and_resolved_questions(journey, strategist):
    from journeys.deliverable.snapshot import JourneySnapshot, journey_snapshot
    from journeys.live.guests import question_ask, question_update

    link, _token = live_link_create(journey=journey, user=strategist.user)
    stage = JourneyStage.objects.select_related("stage").get(journey=journey, stage__slug="convert")
    first = question_ask(
        link=link, journey_stage=stage, stage_tactic=None, author_name="Dana", text="Price?"
    )
    question_ask(link=link, journey_stage=stage, stage_tactic=None, author_name="Lee", text="When?")
    question_update(question=first, status="resolved", answer="$19")
    snapshot = journey_snapshot(journey)
    assert [(q.author_name, q.status, q.answer) for q in snapshot.questions] == [
        ("Dana", "resolved", "$19"),
        ("Lee", "open", ""),
    ]
    assert JourneySnapshot.from_json(snapshot.to_json()).questions == snapshot.questions


def test_rapid_saves_arrive_all_and_in_order(journey, strategist):
    # A fast typist's saves are broadcast from the sender thread: none lost, none reordered.
    cookie = _cookie_for(strategist.user)
    entry = JourneyStage.objects.select_related("stage").get(journey=journey, stage__slug="excite")

    def type_fast() -> None:
        base = ""
        for n in range(1, 21):
            value = "Wow" + "!" * n
            field_save(row=entry, field="goal", value=value, base=base, journey_id=journey.pk)
            base = value

    async def scenario() -> list[dict]:
        communicator = _communicator(journey.pk, cookie=cookie)
        assert (await _connect(communicator))[0]
        await _next(communicator, "live.hello")
        await sync_to_async(type_fast)()
        changes = [await _next(communicator, "journey.changed") for _ in range(20)]
        await communicator.disconnect()
        return changes

    changes = async_to_sync(scenario)()
    assert [c["version"] for c in changes] == list(range(journey.version + 1, journey.version + 21))
    assert changes[-1]["fields"] == [{"key": "stage:excite.goal", "value": "Wow" + "!" * 20}]


async def _closed_with(communicator: WebsocketCommunicator, timeout: float = 5) -> int | None:
    """The close code the server sent, skipping other messages; None if it stayed open (the
    test communicator then cancels the app: use only where a close is expected)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while (left := deadline - asyncio.get_running_loop().time()) > 0:
        try:
            output = await communicator.receive_output(timeout=left)
        except TimeoutError:
            return None
        if output["type"] == "websocket.close":
            return output.get("code")
    return None


def test_revoking_a_live_link_disconnects_its_guests_at_once(journey, strategist):
    link, token = live_link_create(journey=journey, user=strategist.user)
    _other_link, other_token = live_link_create(journey=journey, user=strategist.user)

    async def scenario() -> tuple[int | None, int | None]:
        revoked = _communicator(journey.pk, query="token=" + token)
        kept = _communicator(journey.pk, query="token=" + other_token)
        assert (await _connect(revoked))[0] and (await _connect(kept))[0]
        await _next(revoked, "live.hello")
        await _next(kept, "live.hello")
        await sync_to_async(live_link_revoke)(link=link)
        code = await _closed_with(revoked)
        await revoked.disconnect()  # as the browser answers the close: the app ends in this loop
        # The other link's guests stay: their socket still answers.
        await kept.send_json_to({"type": "since", "version": journey.version})
        answer = await _next(kept, "journey.catchup")
        await kept.disconnect()
        return code, answer

    code, answer = async_to_sync(scenario)()
    assert code == 4403  # live.js shows "the link may have been switched off" and stops
    assert answer["version"] == journey.version


def test_an_open_socket_is_dropped_once_the_viewer_may_no_longer_watch(
    journey, client_member, strategist
):
    journey.shared_with_client = True
    journey.save()
    client_cookie = _cookie_for(client_member.user)
    editor_client = Client()
    editor_client.force_login(strategist.user)
    editor_cookie = f"sessionid={editor_client.cookies[settings.SESSION_COOKIE_NAME].value}"

    async def heartbeats_until_closed(communicator: WebsocketCommunicator) -> int | None:
        for _ in range(3):
            await communicator.send_json_to({"type": "heartbeat", "stage": ""})
        code = await _closed_with(communicator)
        await communicator.disconnect()  # the app ends in this event loop, not at its shutdown
        return code

    async def scenario() -> tuple[int | None, int | None]:
        client = _communicator(journey.pk, cookie=client_cookie)
        editor = _communicator(journey.pk, cookie=editor_cookie.encode())
        assert (await _connect(client))[0] and (await _connect(editor))[0]
        await _next(client, "live.hello")
        await _next(editor, "live.hello")
        # The journey is taken back to draft; the strategist signs out everywhere.
        journey.shared_with_client = False
        await sync_to_async(journey.save)()
        await sync_to_async(editor_client.post)("/logout/everywhere/")
        return await heartbeats_until_closed(client), await heartbeats_until_closed(editor)

    client_code, editor_code = async_to_sync(scenario)()
    assert client_code == 4403
    assert editor_code == 4403
