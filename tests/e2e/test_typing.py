"""Typing at machine speed while the editor swaps parts of the page: not one character lost.

A strategist types while the stage panel, the rail, the insights or the tactic list are being
replaced. Every trial below types at full speed (Playwright's `keyboard.type` without delay,
or `insert_text`) at the moment a swap lands, then checks the text in the field, in the
database after a reload, and in the snapshot the PDF is rendered from.

Swaps are made to land mid-typing by holding the server's answer for a few milliseconds
(a different latency per trial), the way a real network does.

Each trial runs over both of autosave's paths: HTTP (pytest-django's WSGI live server, which
has no socket) and the live socket (a real ASGI server, where every save must travel over the
socket and none over HTTP; the socket's saves are held for the trial's latency too). Two more
tests type the trials' text over the socket while it drops mid-word and while the server
restarts between two saves.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import re
import time
from collections.abc import Callable, Iterator
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Error, Page, Request, Route, expect

from journeys.deliverable.snapshot import journey_snapshot
from journeys.models import StageTactic
from journeys.services import tactic_add
from tests.e2e.asgi import (
    IS_POSTGRES,
    LiveEditor,
    SocketSaves,
    free_port,
    signed_in_page,
    start_server,
    stop,
    wait_live,
)
from tests.e2e.conftest import FIELD_SAVED, SAVED, Editor
from tests.factories import make_journey

LATENCIES = (0.0, 0.015, 0.03, 0.05, 0.08, 0.12)
SLUGS = ("aware", "engage", "subscribe", "convert", "excite", "ascend", "advocate", "promote")


class _Latency:
    """Holds answers to matching paths for a while: the network between browser and server."""

    def __init__(self, app: Callable) -> None:
        self.app = app
        self.rules: list[tuple[re.Pattern[str], float]] = []

    def __call__(self, environ: dict, start_response: Callable) -> object:
        path = environ.get("PATH_INFO", "")
        for pattern, seconds in self.rules:
            if pattern.search(path):
                time.sleep(seconds)
                break
        return self.app(environ, start_response)

    def set(self, pattern: str, seconds: float) -> None:
        self.rules = [(p, s) for p, s in self.rules if p.pattern != pattern]
        self.rules.append((re.compile(pattern), seconds))

    def __getattr__(self, name: str) -> object:  # wait_idle() and friends of the wrapped app
        return getattr(self.app, name)


@pytest.fixture
def latency(live_server) -> Iterator[_Latency]:
    httpd = live_server.thread.httpd
    original = httpd.get_app()
    wrapper = _Latency(original)
    httpd.set_app(wrapper)
    yield wrapper
    httpd.set_app(original)


class _BrowserLatency:
    """The same holds for a page served by the ASGI server, made in the browser: answers to
    matching paths wait there, and so does each save on the live socket (`saves`)."""

    def __init__(self, page: Page, saves: SocketSaves) -> None:
        self.page = page
        self.saves = saves
        self.rules: list[tuple[re.Pattern[str], float]] = []
        page.route(lambda url: self._seconds(url) is not None, self._hold)

    def _seconds(self, url: str) -> float | None:
        path = urlsplit(url).path
        return next((s for p, s in self.rules if p.search(path)), None)

    def _hold(self, route: Route) -> None:
        # Playwright runs each handler in a greenlet of its own: only this answer waits.
        with contextlib.suppress(Error):  # the page closed meanwhile
            self.page.wait_for_timeout((self._seconds(route.request.url) or 0) * 1000)
            route.continue_()

    def set(self, pattern: str, seconds: float) -> None:
        self.rules = [(p, s) for p, s in self.rules if p.pattern != pattern]
        self.rules.append((re.compile(pattern), seconds))
        self.saves.delay_ms = seconds * 1000


@dataclasses.dataclass
class Typist:
    """A strategist's page in the editor, over one of autosave's two paths."""

    page: Page
    editor: Editor
    latency: _Latency | _BrowserLatency
    saves: SocketSaves | None = None  # over the socket: what the page saved there
    http_saves: list[str] = dataclasses.field(default_factory=list)  # autosave POSTs, either way

    def open(self, journey) -> Editor:
        self.editor.open(journey)
        if self.saves is not None:
            wait_live(self.page)  # the first keystroke's save goes over the socket
        return self.editor

    def problems_with_the_path(self, texts: list[str]) -> list[str]:
        """Over the socket, every save went there and none over HTTP."""
        if self.saves is None:
            return []
        over_socket = {m["value"] for m in self.saves.sent}
        missing = [f"not saved over the socket: {t!r}" for t in texts if t not in over_socket]
        return missing + [f"saved over HTTP: {url}" for url in self.http_saves]


def _record_http_saves(page: Page, into: list[str]) -> None:
    def on_request(request: Request) -> None:
        if request.method == "POST" and "/autosave/" in request.url:
            into.append(request.url)

    page.on("request", on_request)


@pytest.fixture(params=["http", "socket"])
def typist(request, journey, strategist) -> Iterator[Typist]:
    if request.param == "http":
        page = request.getfixturevalue("signed_in")
        typist = Typist(page, Editor(page), request.getfixturevalue("latency"))
        _record_http_saves(page, typist.http_saves)
        yield typist
        return
    if not IS_POSTGRES:
        pytest.skip("the ASGI server shares the test database")
    process, base, _log = start_server()
    try:
        page = signed_in_page(request.getfixturevalue("new_context"), base, strategist.user)
        saves = SocketSaves(page)
        typist = Typist(page, LiveEditor(page, base), _BrowserLatency(page, saves), saves)
        _record_http_saves(page, typist.http_saves)
        yield typist
        page.context.close()  # first: no reconnects or held saves while the server stops
    finally:
        stop(process)


@pytest.fixture
def journey(business, strategist):
    journey = make_journey(business=business, owner=strategist.user)
    aware = journey.stages.get(stage__slug="aware")
    for name in ("Door hangers", "Nextdoor posts", "Pet expo stand"):
        tactic_add(journey_stage=aware, custom_name=name, channel="events")
    return journey


def type_fast(page: Page, text: str, how: str) -> None:
    """Type at full machine speed: key by key, or in word-sized bursts of inserted text."""
    if how == "type":
        page.keyboard.type(text)
    else:
        for chunk in re.findall(r"\S+\s*", text):
            page.keyboard.insert_text(chunk)


def stage_field(page: Page, field: str):
    return page.locator(
        f"#stage-panel [data-autosave][data-target^='stage:'][data-field='{field}'] "
        "[data-autosave-input]"
    )


def replace_text_in(page: Page, locator, text: str, how: str) -> None:
    locator.click()
    page.keyboard.press("ControlOrMeta+a")
    type_fast(page, text, how)


def click_tab(page: Page, slug: str) -> None:
    """Click a stage's tab; again if the rail was replaced under the pointer (conftest's
    Editor.go_to_stage explains), without waiting for more than the panel."""
    rail = page.locator("#stage-rail")
    for attempt in (1, 2):
        rail.evaluate("nav => { nav.dataset.clickedFrom = 'this rail'; }")
        page.locator(f"#stage-rail .stage-tab.s-{slug}").click()
        try:
            expect(page.locator("#stage-panel")).to_have_attribute("data-stage", slug, timeout=3000)
            return
        except AssertionError:
            if attempt == 2 or not rail.evaluate("nav => nav.dataset.clickedFrom !== 'this rail'"):
                raise


def expect_stage(page: Page, slug: str) -> None:
    expect(page.locator("#stage-panel")).to_have_attribute("data-stage", slug)


def stored_everywhere(journey, expected: dict[tuple[str, str], str], notes: dict[int, str]):
    """What the database and the PDF's snapshot hold for every field the trials typed."""
    entries = {e.stage.slug: e for e in journey.stages.select_related("stage")}
    snapshot = {stage.slug: stage for stage in journey_snapshot(journey).stages}
    snap_notes = {t.name: t.notes for t in snapshot["aware"].tactics}
    problems = []
    for (slug, field), text in expected.items():
        if getattr(entries[slug], field) != text:
            problems.append(f"db {slug}.{field}: {getattr(entries[slug], field)!r} != {text!r}")
        if getattr(snapshot[slug], field) != text:
            problems.append(f"pdf {slug}.{field}: {getattr(snapshot[slug], field)!r}")
    for pk, text in notes.items():
        tactic = StageTactic.objects.get(pk=pk)
        if tactic.notes != text:
            problems.append(f"db tactic {tactic.name}: {tactic.notes!r} != {text!r}")
        if snap_notes[tactic.name] != text:
            problems.append(f"pdf tactic {tactic.name}: {snap_notes[tactic.name]!r}")
    return problems


def reclick_trials(page: Page, journey, latency) -> Iterator[tuple[tuple[str, str], str]]:
    """Re-clicking the stage that is already open, then typing at once (8 trials)."""
    for i in range(8):
        field = ("goal", "notes")[i % 2]
        how = ("type", "insert")[(i // 2) % 2]
        latency.set(r"/stages/[\w-]+/$", LATENCIES[i % len(LATENCIES)])
        text = f"Local pet owners who hate dog hair on sofas, round {i} — café & co."
        page.locator("#stage-rail .stage-tab.s-aware").click()
        replace_text_in(page, stage_field(page, field), text, how)
        expect(stage_field(page, field)).to_have_value(text)
        yield ("aware", field), text


def switch_trials(page: Page, journey, latency) -> Iterator[tuple[tuple[str, str], str]]:
    """Switching stages and typing at once (8 trials): Alt+N and straight on into the goal,
    or a click on the tab and the first keystrokes the moment the new panel shows."""
    for i in range(8):
        slug = SLUGS[1 + i % 7]
        how = ("type", "insert")[(i // 2) % 2]
        latency.set(r"/stages/[\w-]+/$", LATENCIES[(i + 2) % len(LATENCIES)])
        text = f"Stage {slug}: one clear next step for busy parents, try {i}"
        if i % 2 == 0:  # engage, convert, ascend, promote: empty goals, typed into at once
            page.keyboard.press(f"Alt+Digit{SLUGS.index(slug) + 1}")
            type_fast(page, text, how)
        else:
            click_tab(page, slug)
            replace_text_in(page, stage_field(page, "goal"), text, how)
        expect_stage(page, slug)
        expect(stage_field(page, "goal")).to_have_value(text)
        yield (slug, "goal"), text


def refresh_trials(page: Page, journey, latency) -> Iterator[tuple[tuple[str, str] | int, str]]:
    """Typing while the rail and the insights refresh over and over (4 trials), and in a
    tactic's notes while the tactic list itself is swapped (4 trials)."""
    rail_url = f"/journeys/{journey.pk}/rail/?stage=aware"
    insights_url = f"/journeys/{journey.pk}/insights/"
    for i in range(4):
        latency.set(r"/(rail|insights)/$", LATENCIES[i + 1])
        field = ("metric", "goal")[i % 2]
        how = ("type", "insert")[i % 2]
        text = f"Refresh round {i}: 120 bookings a month from the vet clinic partners"
        page.evaluate(
            """([rail, insights]) => {
              window.__refresher = setInterval(() => {
                htmx.ajax("GET", rail, {target: "#stage-rail", swap: "outerHTML"});
                htmx.ajax("GET", insights, {target: "#insights-body", swap: "outerHTML"});
              }, 25);
            }""",
            [rail_url, insights_url],
        )
        replace_text_in(page, stage_field(page, field), text, how)
        page.wait_for_timeout(150)  # a few more refreshes land after the last key
        page.evaluate("() => clearInterval(window.__refresher)")
        expect(stage_field(page, field)).to_have_value(text)
        yield ("aware", field), text

    tactics = list(journey.stages.get(stage__slug="aware").tactics.order_by("position"))
    for i in range(4):
        latency.set(r"/tactics/\d+/move/$", LATENCIES[i + 1])
        typed, moved = tactics[i % 2], tactics[2]
        how = ("type", "insert")[i % 2]
        text = f"Notes {i}: hand out 500 in the dog park on Saturdays"
        box = page.locator(f"#tn-{typed.pk}")
        box.evaluate("el => { el.dataset.trial = 'typed here'; }")
        # Another action swaps the whole list (the way Undo, a move or a live update does).
        page.evaluate(
            """([url, direction]) => {
              setTimeout(() => htmx.ajax("POST", url, {target: "#tactics", swap: "outerHTML",
                values: {direction}}), 10);
            }""",
            [f"/journeys/{journey.pk}/tactics/{moved.pk}/move/", ("up", "down")[i % 2]],
        )
        replace_text_in(page, box, text, how)
        page.wait_for_timeout(150)
        expect(page.locator(f"#tn-{typed.pk}")).to_have_value(text)
        expect(page.locator(f"#tn-{typed.pk}")).to_be_focused()
        yield typed.pk, text


@pytest.mark.parametrize("trials", [reclick_trials, switch_trials, refresh_trials])
def test_every_character_typed_during_a_swap_survives(typist: Typist, journey, trials) -> None:
    page = typist.page
    ed = typist.open(journey)
    expected: dict[tuple[str, str], str] = {}
    notes: dict[int, str] = {}
    count = 0
    for key, text in trials(page, journey, typist.latency):
        count += 1
        if isinstance(key, int):
            notes[key] = text
        else:
            expected[key] = text
    assert count == 8  # 24 trials in all
    ed.expect_all_saved()
    assert typist.problems_with_the_path([*expected.values(), *notes.values()]) == []
    assert stored_everywhere(journey, expected, notes) == []
    expect_after_reload(ed, journey, expected, notes)


def expect_after_reload(ed: Editor, journey, expected: dict, notes: dict[int, str]) -> None:
    """A fresh page load shows every text typed, stage by stage."""
    page = ed.page
    ed.open(journey)  # on the first stage
    for slug in SLUGS:
        if slug != "aware" and any(key[0] == slug for key in expected):
            ed.go_to_stage(slug)
        for (stage, field_name), text in expected.items():
            if stage == slug:
                expect(stage_field(page, field_name)).to_have_value(text)
    page.keyboard.press("Alt+Digit1")
    ed.wait_ready("aware")
    for pk, text in notes.items():
        expect(page.locator(f"#tn-{pk}")).to_have_value(text)


# --- The socket path's faults, over the trials' text


class _Server:
    """The ASGI server on a port of its own, restarted on the same port when a test says so."""

    def __init__(self) -> None:
        self.port = free_port()
        self.process, self.base, _log = start_server(port=self.port)

    def stop(self) -> None:
        stop(self.process)

    def start(self) -> None:
        self.process, _base, _log = start_server(port=self.port)


@pytest.fixture
def server(browser: Browser) -> Iterator[_Server]:
    if not IS_POSTGRES:
        pytest.skip("the ASGI server shares the test database")
    server = _Server()
    yield server
    for context in browser.contexts:  # first: no reconnects or held saves while it stops
        context.close()
    server.stop()


def cut_mid_word(text: str) -> tuple[str, str]:
    """The text in two, cut inside a word near its middle."""
    cut = len(text) // 2
    while not (text[cut - 1].isalpha() and text[cut].isalpha()):
        cut += 1
    return text[:cut], text[cut:]


def fault_fields(page: Page, journey) -> list[tuple[tuple[str, str] | int, object, str]]:
    """Where the fault tests type, with the trials' text: two of Aware's fields and the notes
    of two of its tactics."""
    tactics = journey.stages.get(stage__slug="aware").tactics.order_by("position")
    return [
        (("aware", "goal"), stage_field(page, "goal"),
         "Local pet owners who hate dog hair on sofas, round 0 — café & co."),
        (tactics[0].pk, page.locator(f"#tn-{tactics[0].pk}"),
         "Notes 0: hand out 500 in the dog park on Saturdays"),
        (("aware", "notes"), stage_field(page, "notes"),
         "Refresh round 1: 120 bookings a month from the vet clinic partners"),
        (tactics[1].pk, page.locator(f"#tn-{tactics[1].pk}"),
         "Notes 1: hand out 500 in the dog park on Saturdays"),
    ]  # fmt: skip


def wait_until(page: Page, ready: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + 10
    while not ready():
        assert time.monotonic() < deadline, what
        page.wait_for_timeout(20)


def expect_stored(ed: Editor, journey, typed: dict) -> None:
    """Every text typed: in the database, in the PDF's snapshot, and after a reload."""
    expected = {key: text for key, text in typed.items() if not isinstance(key, int)}
    notes = {key: text for key, text in typed.items() if isinstance(key, int)}
    ed.expect_all_saved()
    assert stored_everywhere(journey, expected, notes) == []
    expect_after_reload(ed, journey, expected, notes)


def test_every_character_survives_the_socket_dropping_mid_word(
    new_context, strategist, journey, server
) -> None:
    page = signed_in_page(new_context, server.base, strategist.user)
    saves = SocketSaves(page, tap_acks=True)
    ed = LiveEditor(page, server.base).open(journey)
    typed = {}
    for n, (key, box, text) in enumerate(fault_fields(page, journey)):
        wait_live(page)  # the first half's save goes over the socket
        head, tail = cut_mid_word(text)
        # The save of the first half is out and unanswered when the socket drops: lost on
        # the way to the server (odd fields), or saved there with its answer lost (even).
        lost_ack = n % 2 == 1
        saves.holding, saves.holding_acks = not lost_ack, lost_ack
        replace_text_in(page, box, head, "type")
        wait_until(page, lambda head=head: head in held_values(saves), f"no save of {head!r} held")
        saves.server.close()  # the socket drops mid-word
        saves.holding = saves.holding_acks = False
        saves.held.clear()
        saves.held_acks.clear()
        type_fast(page, tail, "type")
        expect(box).to_have_value(text)
        typed[key] = text
    expect_stored(ed, journey, typed)


def held_values(saves: SocketSaves) -> list[str]:
    """The texts of the saves held on their way to the server, or in the server's answers
    held on their way back."""
    saves_held = [json.loads(frame)["value"] for frame in saves.held]
    answers_held = [json.loads(frame)["body"].get("value") for frame in saves.held_acks]
    return saves_held + answers_held


def test_every_character_survives_a_server_restart_between_two_saves(
    new_context, strategist, journey, server
) -> None:
    page = signed_in_page(new_context, server.base, strategist.user)
    saves = SocketSaves(page)
    ed = LiveEditor(page, server.base).open(journey)
    wait_live(page)
    fields = fault_fields(page, journey)[:2]  # the goal and a tactic's notes
    for _key, box, text in fields:
        replace_text_in(page, box, cut_mid_word(text)[0], "type")
    ed.expect_all_saved()  # the first save of each, over the socket
    assert {cut_mid_word(text)[0] for *_, text in fields} <= {m["value"] for m in saves.sent}

    server.stop()  # the server goes down between two saves, and the typing goes on
    for _key, box, text in fields:
        box.click()
        page.keyboard.press("ControlOrMeta+End")
        type_fast(page, cut_mid_word(text)[1], "type")
        expect(box).to_have_value(text)
    page.locator("#stage-rail").click()  # the notes' blur: its save, too, meets no server
    server.start()
    expect(ed.status).to_have_text(SAVED, timeout=30_000)
    typed = {key: text for key, _box, text in fields}

    # Back on a socket: the next save travels over it again.
    wait_live(page)
    key, box, text = fields[0]
    box.click()
    page.keyboard.press("ControlOrMeta+End")
    type_fast(page, " Welcome back.", "type")
    typed[key] = text + " Welcome back."
    expect(ed.field_state("goal")).to_have_text(FIELD_SAVED)
    assert saves.sent[-1]["value"] == typed[key]
    expect_stored(ed, journey, typed)
