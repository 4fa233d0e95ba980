"""Tactics in the editor: the library search and reordering by drag and by keyboard."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from journeys.services import tactic_add
from tests.factories import make_journey

NAMES = ["Alpha flyers", "Bravo podcast", "Charlie billboard"]


@pytest.fixture
def three_tactics(business, strategist):
    journey = make_journey(business=business, owner=strategist.user)
    aware = journey.stages.get(stage__slug="aware")
    for name in NAMES:
        tactic_add(journey_stage=aware, custom_name=name, channel="events")
    return journey


def db_order(journey) -> list[str]:
    return [t.name for t in journey.stages.get(stage__slug="aware").tactics.order_by("position")]


def test_tactics_reorder_by_dragging_the_handle_and_the_order_persists(
    signed_in: Page, editor, three_tactics
):
    ed = editor(signed_in).open(three_tactics)
    names = ed.tactics.locator(".tactic-name")
    expect(names).to_have_text(NAMES)

    handle = ed.tactics.nth(2).locator(".drag-handle")
    handle.drag_to(ed.tactics.nth(0), target_position={"x": 20, "y": 3})

    # The server's answer swaps the list back in, in the stored order.
    expect(names).to_have_text(["Charlie billboard", "Alpha flyers", "Bravo podcast"])
    expect(
        ed.tactics.first.get_by_role("button", name="Move Charlie billboard up")
    ).to_be_disabled()
    assert db_order(three_tactics) == ["Charlie billboard", "Alpha flyers", "Bravo podcast"]

    signed_in.reload()
    expect(names).to_have_text(["Charlie billboard", "Alpha flyers", "Bravo podcast"])


def test_tactics_reorder_with_the_keyboard_and_focus_stays_on_the_moved_tactic(
    signed_in: Page, editor, three_tactics
):
    ed = editor(signed_in).open(three_tactics)
    names = ed.tactics.locator(".tactic-name")

    up = signed_in.get_by_role("button", name="Move Charlie billboard up")
    up.focus()
    signed_in.keyboard.press("Enter")
    expect(names).to_have_text(["Alpha flyers", "Charlie billboard", "Bravo podcast"])
    # The list is swapped in; focus comes back to the same button so Space moves it again.
    expect(signed_in.get_by_role("button", name="Move Charlie billboard up")).to_be_focused()
    signed_in.keyboard.press("Space")
    expect(names).to_have_text(["Charlie billboard", "Alpha flyers", "Bravo podcast"])
    assert db_order(three_tactics) == ["Charlie billboard", "Alpha flyers", "Bravo podcast"]

    down = signed_in.get_by_role("button", name="Move Alpha flyers down")
    down.focus()
    signed_in.keyboard.press("Enter")
    expect(names).to_have_text(["Charlie billboard", "Bravo podcast", "Alpha flyers"])

    signed_in.reload()
    expect(names).to_have_text(["Charlie billboard", "Bravo podcast", "Alpha flyers"])
    assert db_order(three_tactics) == ["Charlie billboard", "Bravo podcast", "Alpha flyers"]


def test_typing_in_the_library_search_and_pressing_enter_adds_the_first_match(
    signed_in: Page, editor, business, strategist
):
    journey = make_journey(business=business, owner=strategist.user)
    ed = editor(signed_in).open(journey)
    search = signed_in.locator("#lib-q")
    search.click()
    with signed_in.expect_response(lambda r: "/library/?q=social" in r.url) as searched:
        search.fill("social")
    assert searched.value.status == 200
    results = signed_in.get_by_role("listbox", name="Library tactics").locator(
        "[data-library-result] strong"
    )
    expect(results.first).to_have_text("Organic social posts")
    assert results.count() > 1
    search.press("Enter")
    expect(ed.tactics.locator(".tactic-name")).to_have_text(["Organic social posts"])
    # The results refresh: what the stage already has is no longer offered.
    expect(results.first).to_have_text("Paid social ads")
    expect(results.filter(has_text="Organic social posts")).to_have_count(0)
    [added] = journey.stages.get(stage__slug="aware").tactics.all()
    assert added.tactic is not None and added.tactic.name == "Organic social posts"


def test_searching_the_library_keeps_one_results_container(
    signed_in: Page, editor, business, strategist
):
    journey = make_journey(business=business, owner=strategist.user)
    editor(signed_in).open(journey)
    signed_in.locator("#lib-q").fill("social")
    expect(signed_in.get_by_role("listbox", name="Library tactics")).to_be_visible()
    assert signed_in.locator("[id='library-results']").count() == 1
