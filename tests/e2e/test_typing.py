"""Typing at machine speed while the editor swaps parts of the page: not one character lost.

A strategist types while the stage panel, the rail, the insights or the tactic list are being
replaced. Every trial below types at full speed (Playwright's `keyboard.type` without delay,
or `insert_text`) at the moment a swap lands, then checks the text in the field, in the
database after a reload, and in the snapshot the PDF is rendered from.

Swaps are made to land mid-typing by holding the server's answer for a few milliseconds
(a different latency per trial), the way a real network does.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator

import pytest
from playwright.sync_api import Page, expect

from journeys.deliverable.snapshot import journey_snapshot
from journeys.models import StageTactic
from journeys.services import tactic_add
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
def test_every_character_typed_during_a_swap_survives(
    signed_in: Page, editor, journey, latency, trials
) -> None:
    page = signed_in
    ed = editor(page).open(journey)
    expected: dict[tuple[str, str], str] = {}
    notes: dict[int, str] = {}
    count = 0
    for key, text in trials(page, journey, latency):
        count += 1
        if isinstance(key, int):
            notes[key] = text
        else:
            expected[key] = text
    assert count == 8  # 24 trials in all
    ed.expect_all_saved()
    assert stored_everywhere(journey, expected, notes) == []

    ed.open(journey)  # a fresh page load, on the first stage
    for slug in SLUGS:
        if slug != "aware" and any(key[0] == slug for key in expected):
            ed.go_to_stage(slug)
        for (stage, field), text in expected.items():
            if stage == slug:
                expect(stage_field(page, field)).to_have_value(text)
    page.keyboard.press("Alt+Digit1")
    ed.wait_ready("aware")
    for pk, text in notes.items():
        expect(page.locator(f"#tn-{pk}")).to_have_value(text)
