"""Editing over the live socket (issue 23): autosaves acknowledged on the socket with the HTTP
path's answers and rights, and drafts shown to the others as they are typed, never stored.
Real ASGI application, session auth and channel layer (Redis when REDIS_URL is set)."""

from __future__ import annotations

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from django.core.cache import cache

from cvj.models import Membership
from journeys.live.guests import live_link_create
from journeys.models import Journey, JourneyStage
from journeys.services import field_save, tactic_add
from tests.journeys.test_live_consumers import _communicator, _connect, _cookie_for, _next

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _no_presence_left_over(journey) -> None:
    cache.delete_many([f"cvj-live:roster:{journey.pk}", f"cvj-live:follow:{journey.pk}"])


def _goal(journey: Journey, slug: str = "aware") -> str:
    return JourneyStage.objects.get(journey=journey, stage__slug=slug).goal


async def _until_changed(communicator, timeout: float = 15) -> list[dict]:
    """The messages up to the next `journey.changed` (which a save sends to all,
    after anything the group was sent before it: a sentinel, no waiting on silence)."""
    seen = []
    while (message := await communicator.receive_json_from(timeout=timeout))["type"] != (
        "journey.changed"
    ):
        seen.append(message)
    return seen


def _save(id_: int, value: str, base: str = "", **extra: object) -> dict:
    return {
        "type": "save",
        "id": id_,
        "target": "stage:aware",
        "field": "goal",
        "value": value,
        "base": base,
        "client": "pagea",
        **extra,
    }


def test_a_socket_save_is_acknowledged_saved_and_told_to_the_others(journey, strategist):
    cookie = _cookie_for(strategist.user)

    async def scenario() -> tuple[dict, dict, dict]:
        typist, viewer = (
            _communicator(journey.pk, cookie=cookie),
            _communicator(journey.pk, cookie=cookie),
        )
        assert (await _connect(typist))[0] and (await _connect(viewer))[0]
        await _next(typist, "live.hello")
        await _next(viewer, "live.hello")
        await typist.send_json_to(_save(7, "Be found by café owners 🙂"))
        ack = await _next(typist, "save.ack")
        changed = await _next(viewer, "journey.changed")
        again = _save(8, "Be found by café owners 🙂")  # a retry of the same text: harmless
        await typist.send_json_to(again)
        repeat = await _next(typist, "save.ack")
        await typist.disconnect()
        await viewer.disconnect()
        return ack, changed, repeat

    ack, changed, repeat = async_to_sync(scenario)()
    assert ack["id"] == 7 and ack["status"] == 200
    assert ack["body"]["status"] == "saved" and ack["body"]["value"] == "Be found by café owners 🙂"
    assert _goal(journey) == "Be found by café owners 🙂"
    assert changed["fields"] == [{"key": "stage:aware.goal", "value": "Be found by café owners 🙂"}]
    assert changed["by"]["client"] == "pagea"  # the typing page skips redrawing its own change
    assert repeat["status"] == 200 and repeat["body"]["status"] == "unchanged"


def test_socket_saves_answer_conflicts_and_bad_text_like_http(journey, strategist):
    cookie = _cookie_for(strategist.user)
    entry = JourneyStage.objects.get(journey=journey, stage__slug="aware")
    field_save(row=entry, field="goal", value="Theirs", base="", journey_id=journey.pk)

    async def scenario() -> list[dict]:
        socket = _communicator(journey.pk, cookie=cookie)
        assert (await _connect(socket))[0]
        await _next(socket, "live.hello")
        answers = []
        for number, message in enumerate(
            (
                _save(1, "Mine", base=""),  # edited from the empty goal: someone saved since
                _save(2, "a\x00b", base="Theirs"),
                _save(3, "x", base="Theirs", field="version"),  # not an autosaved field
                _save(4, "x", base="", target="tactic:999999999"),  # no such tactic
            ),
            start=1,
        ):
            await socket.send_json_to(message)
            answer = await _next(socket, "save.ack")
            assert answer["id"] == number
            answers.append(answer)
        await socket.disconnect()
        return answers

    conflict, nul, field, missing = async_to_sync(scenario)()
    assert conflict["status"] == 409 and conflict["body"]["theirs"] == "Theirs"
    assert nul["status"] == 422 and nul["body"]["error"]
    assert field["status"] == 422 and field["body"]["error"] == "This field cannot be edited here."
    assert missing["status"] == 404 and "no longer exists" in missing["body"]["error"]
    assert _goal(journey) == "Theirs"


def test_a_foreign_tactic_looks_missing_over_the_socket(journey, strategist, other_agency_journey):
    stage = JourneyStage.objects.get(journey=other_agency_journey, stage__slug="aware")
    foreign, _ = tactic_add(journey_stage=stage, custom_name="Rival's webinar")
    cookie = _cookie_for(strategist.user)

    async def scenario() -> dict:
        socket = _communicator(journey.pk, cookie=cookie)
        assert (await _connect(socket))[0]
        await _next(socket, "live.hello")
        await socket.send_json_to(
            _save(1, "Hijack", target=f"tactic:{foreign.pk}", field="notes", base=foreign.notes)
        )
        answer = await _next(socket, "save.ack")
        await socket.disconnect()
        return answer

    answer = async_to_sync(scenario)()
    assert answer["status"] == 404
    foreign.refresh_from_db()
    assert foreign.notes != "Hijack"


def test_a_removed_member_cannot_save_on_a_socket_opened_before(journey, strategist):
    cookie = _cookie_for(strategist.user)

    async def scenario() -> dict:
        socket = _communicator(journey.pk, cookie=cookie)
        assert (await _connect(socket))[0]
        await _next(socket, "live.hello")
        await sync_to_async(Membership.objects.filter(pk=strategist.pk).delete)()
        await socket.send_json_to(_save(1, "After removal"))
        answer = await _next(socket, "save.ack")
        await socket.disconnect()
        return answer

    answer = async_to_sync(scenario)()
    assert answer["status"] == 404
    assert _goal(journey) == ""


def test_guests_and_clients_cannot_save_or_send_drafts(journey, strategist, client_member):
    _link, token = live_link_create(journey=journey, user=strategist.user)
    journey.shared_with_client = True
    journey.save()
    client_cookie = _cookie_for(client_member.user)

    async def scenario() -> list[str]:
        errors = []
        for socket in (
            _communicator(journey.pk, query="token=" + token),
            _communicator(journey.pk, cookie=client_cookie),
        ):
            assert (await _connect(socket))[0]
            await _next(socket, "live.hello")
            for message in (
                _save(1, "Guest text"),
                {"type": "draft", "field": "stage:aware.goal", "text": "x"},
            ):
                await socket.send_json_to(message)
                errors.append((await _next(socket, "live.error"))["error"])
            await socket.disconnect()
        return errors

    errors = async_to_sync(scenario)()
    assert errors == ["This view is read-only."] * 4
    assert _goal(journey) == ""


def test_a_draft_reaches_the_others_not_the_typist_and_is_never_stored(journey, strategist):
    cookie = _cookie_for(strategist.user)
    metric = JourneyStage.objects.get(journey=journey, stage__slug="aware").metric

    async def scenario() -> tuple[list[dict], list[dict]]:
        typist = _communicator(journey.pk, cookie=cookie)
        viewer = _communicator(journey.pk, cookie=cookie)
        assert (await _connect(typist))[0] and (await _connect(viewer))[0]
        await _next(typist, "live.hello")
        await _next(viewer, "live.hello")
        for text in ("B", "Be", "Be f"):
            await typist.send_json_to({"type": "draft", "field": "stage:aware.goal", "text": text})
        # Then a save of another field: its journey.changed follows the drafts to everyone.
        await typist.send_json_to(_save(1, f"{metric} (weekly)", base=metric, field="metric"))
        viewer_saw = await _until_changed(viewer)
        typist_saw = await _until_changed(typist)
        await typist.disconnect()
        await viewer.disconnect()
        return viewer_saw, typist_saw

    viewer_saw, typist_saw = async_to_sync(scenario)()
    drafts = [m for m in viewer_saw if m["type"] == "live.draft"]
    assert [m["text"] for m in drafts] == ["B", "Be", "Be f"]
    assert {m["field"] for m in drafts} == {"stage:aware.goal"}
    assert drafts[0]["name"] == (strategist.user.get_full_name() or strategist.user.get_username())
    assert "live.draft" not in [m["type"] for m in typist_saw]
    assert _goal(journey) == ""  # the drafts were shown, never stored


def test_drafts_have_a_budget_of_their_own(journey, strategist):
    """Typing at 10+ frames a second never costs the page its saves; a draft flood is dropped
    quietly, and a page that keeps flooding is closed like any other."""
    cookie = _cookie_for(strategist.user)

    async def scenario() -> tuple[int, dict]:
        typist = _communicator(journey.pk, cookie=cookie)
        viewer = _communicator(journey.pk, cookie=cookie)
        assert (await _connect(typist))[0] and (await _connect(viewer))[0]
        await _next(typist, "live.hello")
        await _next(viewer, "live.hello")
        for n in range(60):  # at once: twice the draft burst
            await typist.send_json_to(
                {"type": "draft", "field": "stage:aware.goal", "text": "x" * n}
            )
        await typist.send_json_to(_save(1, "Saved anyway"))  # the save's own budget is intact
        ack = await _next(typist, "save.ack", timeout=15)
        heard = [m["type"] for m in await _until_changed(viewer)].count("live.draft")
        await typist.disconnect()
        await viewer.disconnect()
        return heard, ack

    heard, ack = async_to_sync(scenario)()
    assert 30 <= heard < 60
    assert ack["status"] == 200 and _goal(journey) == "Saved anyway"


def test_the_editors_session_clock_is_told_to_every_page(journey, strategist):
    """Start, pause or reset from the editor's own clock card: every open page (the room's
    phones included) redraws its clock."""
    from journeys.session_clock import session_reset, session_toggle

    _link, token = live_link_create(journey=journey, user=strategist.user)

    async def scenario() -> list[dict]:
        guest = _communicator(journey.pk, query="token=" + token)
        assert (await _connect(guest))[0]
        await _next(guest, "live.hello")
        told = []
        for change in (session_toggle, session_toggle, session_reset):
            await sync_to_async(change)(journey=journey)
            told.append(await _next(guest, "journey.changed", timeout=10))
        await guest.disconnect()
        return told

    told = async_to_sync(scenario)()
    assert all("clock" in message["parts"] for message in told)
