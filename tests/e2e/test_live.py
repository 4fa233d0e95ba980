"""Live together, in real browsers over real WebSockets: two strategists and a guest.

pytest-django's live server speaks WSGI only, so these tests start the production web process
(`cvj.serve`) on a free port against the test database, and the browsers talk to it for pages
and sockets alike (tests/e2e/asgi.py).
"""

from __future__ import annotations

import re
import shutil
import time
from collections.abc import Iterator

import pytest
from django.core.cache import cache
from playwright.sync_api import Page, expect

from journeys.deliverable.snapshot import journey_snapshot
from journeys.live.guests import live_link_create
from journeys.models import Journey, JourneyStage, Question
from tests.e2e.asgi import (
    IS_POSTGRES,
    REPO,
    LiveEditor,
    SocketSaves,
    signed_in_page,
    start_server,
    stop,
    wait_live,
)
from tests.e2e.asgi import free_port as _free_port
from tests.e2e.conftest import FIELD_SAVED
from tests.faults.test_faults import Redis

pytestmark = pytest.mark.skipif(not IS_POSTGRES, reason="the ASGI server shares the test database")


@pytest.fixture
def asgi_base() -> Iterator[str]:
    process, base, _log = start_server()
    yield base
    stop(process)


@pytest.fixture(autouse=True)
def _no_presence_left_over(journey) -> None:
    """Presence lives in the shared Redis; a fresh test database reuses journey ids."""
    cache.delete_many([f"cvj-live:roster:{journey.pk}", f"cvj-live:follow:{journey.pk}"])


def test_two_strategists_and_a_guest_work_live_together(
    new_context, asgi_base, strategist, second_strategist, journey
):
    a = LiveEditor(signed_in_page(new_context, asgi_base, strategist.user), asgi_base)
    b = LiveEditor(signed_in_page(new_context, asgi_base, second_strategist.user), asgi_base)
    b_saves = SocketSaves(b.page)
    a.open(journey, "aware")
    b.open(journey, "aware")
    wait_live(a.page)
    wait_live(b.page)

    # B sees A's goal within a second of A's save, without a reload.
    a.field("goal").fill("Be found by homeowners searching for cleaners")
    expect(a.field_state("goal")).to_have_text(FIELD_SAVED)
    started = time.monotonic()
    expect(b.field("goal")).to_have_value(
        "Be found by homeowners searching for cleaners", timeout=1_000
    )
    arrival = time.monotonic() - started
    assert arrival < 1.0, arrival

    # B's half-typed notes are not replaced by A's; the three-way rule decides on B's save.
    # (B's save travels on its live socket: held there, as a slow network would.)
    b_saves.holding = True
    b.field("notes").fill("B is still typing")
    expect(a.box("notes").locator(".live-draft")).to_contain_text("B is still typing")
    a.field("notes").fill("A's notes")
    expect(a.field_state("notes")).to_have_text(FIELD_SAVED)
    expect(b.box("notes").locator(".live-changed")).to_contain_text("Changed by")
    expect(b.field("notes")).to_have_value("B is still typing")
    deadline = time.monotonic() + 3
    while not b_saves.held and time.monotonic() < deadline:
        b.page.wait_for_timeout(50)
    assert b_saves.held, "B's save was not held back"
    b_saves.release()
    expect(b.box("notes").locator(".conflict")).to_contain_text("A's notes")
    expect(b.field("notes")).to_have_value("B is still typing")

    # Presence: B sees A on the stage A opened, with "typing…" while A types.
    a.go_to_stage("convert")
    a_initials = a.page.evaluate("() => document.querySelector('.who span').textContent")
    expect(b.page.locator('[data-live-person][data-stage="convert"]')).to_have_count(1)
    a.field("metric").press_sequentially("Dem")
    expect(b.page.locator(".live-typing")).to_have_count(0)  # B is on another stage: no field
    assert a_initials

    # A guest joins through a "Join live" link and follows A.
    _link, token = live_link_create(journey=journey, user=strategist.user)
    guest = new_context().new_page()
    guest.goto(f"{asgi_base}/l/{token}/")
    wait_live(guest)
    expect(guest.locator("[data-live-person]")).to_have_count(2)
    a.page.get_by_role("button", name="Everyone follow me").click()
    expect(guest.locator("#live-guest")).to_have_attribute("data-live-followed", "convert")
    expect(b.panel).to_have_attribute("data-stage", "convert")  # B follows too
    assert guest.url.endswith("#stage-convert")

    # "Sam is typing…" on the field A types in, on the page of B who is on the same stage.
    started = time.monotonic()
    a.field("target_conversion").press_sequentially("4")
    expect(b.box("target_conversion").locator(".live-typing")).to_have_text(
        re.compile(r"is typing…$"), timeout=1_500
    )
    typing_shown = time.monotonic() - started
    assert typing_shown < 1.5, typing_shown
    expect(b.field("target_conversion")).to_have_value("4")  # and the saved value follows

    # The guest asks a question; it appears in A's editor without a reload, escaped.
    guest.locator("#q-name").fill("Dana <b>Client</b>")
    guest.locator("#q-stage").select_option("convert")
    guest.locator("#q-text").fill("Is the free consult <script>x()</script> really free?")
    guest.get_by_role("button", name="Send").click()
    expect(guest.locator("#questions")).to_contain_text("your question is with the strategist")
    question = a.page.locator("#questions .question")
    expect(question).to_contain_text("Is the free consult <script>x()</script> really free?")
    expect(question).to_contain_text("Dana <b>Client</b>")
    assert Question.objects.get().journey_stage.stage.slug == "convert"
    # A answers; the guest sees the answer live.
    question.locator("input[name=answer]").fill("Yes — 30 minutes, no strings.")
    question.get_by_role("button", name="Answer").click()
    expect(guest.locator("#questions .question")).to_contain_text("30 minutes, no strings")

    # B loses the network; everything A changes meanwhile shows up once B is back.
    b.page.context.set_offline(True)
    expect(b.page.locator(".live-notice")).to_be_visible()
    a.page.locator("#custom-name").fill("Local radio spot")
    a.page.get_by_role("button", name="Add tactic").click()
    expect(a.tactics.filter(has_text="Local radio spot")).to_have_count(1)
    a.page.locator("#journey-title").fill("Acme — live session")
    a.page.locator("#journey-title").blur()
    expect(a.status).to_have_text(re.compile(r"^All changes saved"))
    b.page.context.set_offline(False)
    expect(b.page.locator(".live-notice")).to_be_hidden()
    expect(b.tactics.filter(has_text="Local radio spot")).to_have_count(1)
    expect(b.page.locator("#journey-title")).to_have_value("Acme — live session")
    expect(guest.locator("#stage-convert")).to_contain_text("Local radio spot")
    _screenshots({"editor-a": a.page, "editor-b": b.page, "guest": guest})


@pytest.mark.skipif(not shutil.which("redis-server"), reason="needs redis-server")
def test_redis_dying_under_a_live_session_pauses_live_updates_not_editing(
    new_context, strategist, second_strategist, journey
):
    redis = Redis(_free_port())
    redis.start()
    url = f"redis://127.0.0.1:{redis.port}/0"
    process, base, log = start_server({"REDIS_URL": url})
    try:
        a = LiveEditor(signed_in_page(new_context, base, strategist.user), base).open(journey)
        b = LiveEditor(signed_in_page(new_context, base, second_strategist.user), base).open(
            journey
        )
        wait_live(a.page)
        wait_live(b.page)
        a.fill_and_save("goal", "Before the outage")
        expect(b.field("goal")).to_have_value("Before the outage")

        redis.stop()
        expect(b.page.locator(".live-notice")).to_be_visible(timeout=15_000)
        # Editing and autosave go on, and fast: the broadcast gives up quickly and is logged.
        started = time.monotonic()
        a.fill_and_save("goal", "Typed while Redis was down")
        assert time.monotonic() - started < 5
        expect(b.field("goal")).to_have_value("Before the outage")

        redis.start()  # back on the same port: the pages reconnect and catch up
        expect(b.page.locator(".live-notice")).to_be_hidden(timeout=30_000)
        expect(b.field("goal")).to_have_value("Typed while Redis was down")
        a.fill_and_save("notes", "Live again")
        expect(b.field("notes")).to_have_value("Live again", timeout=2_000)
        assert "could not broadcast" in log.read_text()
    finally:
        stop(process)
        redis.stop()


def _screenshots(pages: dict[str, Page]) -> None:
    """What a person sees, at the three sizes we check (kept in test-artifacts/live/)."""
    folder = REPO / "test-artifacts" / "live"
    folder.mkdir(parents=True, exist_ok=True)
    for name, page in pages.items():
        for width, height in ((1280, 720), (1440, 900), (390, 844)):
            page.set_viewport_size({"width": width, "height": height})
            page.screenshot(path=folder / f"{name}-{width}x{height}.png")


def _editor_and_clients_page(
    new_context, asgi_base: str, strategist, client_member, journey
) -> tuple[LiveEditor, Page]:
    """A strategist in the editor at Aware and the client on their journey page, both live; the
    client's page is marked, so a test can tell it was never reloaded. The editor's socket is
    tapped (`editor.saves`): what it saves over the socket is recorded."""
    Journey.objects.filter(pk=journey.pk).update(shared_with_client=True)
    editor = LiveEditor(signed_in_page(new_context, asgi_base, strategist.user), asgi_base)
    editor.saves = SocketSaves(editor.page)
    editor.open(journey, "aware")
    client = signed_in_page(new_context, asgi_base, client_member.user)
    client.goto(f"{asgi_base}/journeys/{journey.pk}/view/")
    wait_live(editor.page)
    wait_live(client)
    client.evaluate("() => { document.body.dataset.notReloaded = '1'; }")
    return editor, client


def test_a_live_goal_change_reaches_every_copy_on_the_clients_page(
    new_context, asgi_base, strategist, client_member, journey
):
    a, client = _editor_and_clients_page(new_context, asgi_base, strategist, client_member, journey)
    # The goal is on the board and again in the stage's section below it.
    copies = client.locator('[data-live-field="stage:aware.goal"]')
    expect(copies).to_have_count(2)

    for n in (1, 2, 3):
        a.fill_and_save("goal", f"Be found by homeowners — take {n}")
    for index in range(2):
        expect(copies.nth(index)).to_have_text("Be found by homeowners — take 3")
        expect(copies.nth(index)).to_be_visible()
    expect(client.locator("body")).to_have_attribute("data-not-reloaded", "1")


def test_a_tactic_added_live_shows_in_the_stage_section_of_the_clients_page(
    new_context, asgi_base, strategist, client_member, journey
):
    a, client = _editor_and_clients_page(new_context, asgi_base, strategist, client_member, journey)

    a.page.keyboard.press("Alt+KeyT")
    a.page.keyboard.type("Street-fair booth with a raffle")
    a.page.keyboard.press("Enter")
    expect(a.tactics.locator(".tactic-name")).to_contain_text(["Street-fair booth with a raffle"])
    # Both places on the client's page that list Aware's tactics: the board column and the
    # stage's section below it.
    expect(client.locator("#stage-aware .tactic-name")).to_contain_text(
        ["Street-fair booth with a raffle"]
    )
    expect(client.locator("#board-col-aware")).to_contain_text("Street-fair booth with a raffle")
    expect(client.locator("body")).to_have_attribute("data-not-reloaded", "1")


DRAFT_SHOWN = """([selector, text]) => {
    const copies = [...document.querySelectorAll(selector)];
    return copies.length > 0
        && copies.every(el => el.textContent === text && el.classList.contains("is-draft"));
}"""


def test_viewers_see_a_goal_as_it_is_typed_and_the_save_over_the_socket_wins(
    new_context, asgi_base, strategist, client_member, journey
):
    a, client = _editor_and_clients_page(new_context, asgi_base, strategist, client_member, journey)
    http_saves = []
    a.page.on("request", lambda r: http_saves.append(r.url) if "/autosave/" in r.url else None)
    selector = '[data-live-field="stage:aware.goal"]'  # the board and the stage's section
    text = "Be found first"
    a.field("goal").click()
    waits = []
    for n in range(1, len(text) + 1):
        started = time.monotonic()
        a.page.keyboard.type(text[n - 1])
        # Every copy on the client's page shows the text so far, marked as a draft: the typist
        # has not paused, so nothing is saved yet (a saved value is never marked).
        client.wait_for_function(
            DRAFT_SHOWN, arg=[selector, text[:n]], polling="raf", timeout=3_000
        )
        waits.append(time.monotonic() - started)
    expect(a.field_state("goal")).to_have_text(FIELD_SAVED)
    copies = client.locator(selector)
    for index in range(2):
        expect(copies.nth(index)).to_have_text(text)
        expect(copies.nth(index)).not_to_have_class(re.compile(r"is-draft"))
    assert JourneyStage.objects.get(journey=journey, stage__slug="aware").goal == text
    # The save went over the socket (acknowledged there), never over HTTP.
    assert [m["value"] for m in a.saves.sent][-1] == text and http_saves == []
    waits.sort()
    print(
        f"keystroke -> draft on the client's page: median {waits[len(waits) // 2] * 1000:.0f} ms,"
        f" max {waits[-1] * 1000:.0f} ms over {len(waits)} keys"
    )
    expect(client.locator("body")).to_have_attribute("data-not-reloaded", "1")


def test_typing_over_the_socket_survives_a_dropped_socket_and_a_server_restart(
    new_context, strategist, journey
):
    port = _free_port()
    process, base, _log = start_server(port=port)
    try:
        a = LiveEditor(signed_in_page(new_context, base, strategist.user), base)
        saves = SocketSaves(a.page)
        a.open(journey, "aware")
        wait_live(a.page)
        a.field("goal").click()
        a.page.keyboard.type("Be found by home")  # machine speed
        saves.server.close()  # the socket drops mid-word
        a.page.keyboard.type("owners who search")
        expect(a.field_state("goal")).to_have_text(FIELD_SAVED)
        wait_live(a.page)  # back on a new socket
        a.page.keyboard.type(" for")
        expect(a.field_state("goal")).to_have_text(FIELD_SAVED)
        stop(process)  # the server restarts between two saves
        a.page.keyboard.type(" cleaners")
        process, base, _log = start_server(port=port)
        expect(a.field_state("goal")).to_have_text(FIELD_SAVED, timeout=30_000)
        wanted = "Be found by homeowners who search for cleaners"
        expect(a.field("goal")).to_have_value(wanted)
        a.page.reload()
        a.wait_ready("aware")
        expect(a.field("goal")).to_have_value(wanted)
        goal = JourneyStage.objects.get(journey=journey, stage__slug="aware").goal
        assert goal == wanted
        snapshot = journey_snapshot(journey)
        assert next(s for s in snapshot.stages if s.slug == "aware").goal == wanted
        # Saves went over the socket while it was up (the ones in between over HTTP).
        assert any(m["value"].startswith("Be found by home") for m in saves.sent)
    finally:
        stop(process)
