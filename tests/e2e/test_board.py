"""The board, Present and the client's pages in a real browser, on the seeded demo journey.

Screenshots go to test-artifacts/board/ (git-ignored) for a person to look at.
"""

from __future__ import annotations

import re
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from journeys.deliverable.sharing import share_link_create
from journeys.models import Journey, JourneyStage

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "board"
DESKTOPS = [(1280, 720), (1440, 900)]
ALL_SIZES = [*DESKTOPS, (390, 844)]
DEMO_PASSWORD = "cvj-demo-2026"
FIELD_SAVED = re.compile(r"^Saved \d\d:\d\d:\d\d$")


def _ids(sizes):
    return [f"{w}x{h}" for w, h in sizes]


@pytest.fixture
def demo(login, page: Page) -> Journey:
    call_command("seed_demo", stdout=StringIO())
    return Journey.objects.get(title="Acme Cleaning: from neighbour to biweekly client")


def _shot(page: Page, name: str, full: bool = False) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.evaluate("document.fonts.ready")
    page.screenshot(path=ARTIFACTS / f"{name}.png", full_page=full)


def _no_sideways_scroll(page: Page) -> None:
    sizes = page.evaluate(
        """() => ({scroll: document.scrollingElement.scrollWidth, inner: innerWidth,
                  wide: [...document.querySelectorAll('body *')]
                    .filter(el => el.getBoundingClientRect().right > innerWidth + 1)
                    .slice(0, 4).map(el => el.tagName + '.' + el.className)})"""
    )
    assert sizes["scroll"] <= sizes["inner"], sizes


def _stages(journey: Journey) -> list[JourneyStage]:
    return list(
        journey.stages.select_related("stage")
        .order_by("stage__position")
        .prefetch_related("tactics__tactic")
    )


@pytest.mark.parametrize(("width", "height"), DESKTOPS, ids=_ids(DESKTOPS))
def test_the_board_shows_every_stage_goal_and_tactics(
    page: Page, login, demo: Journey, width: int, height: int
):
    page.set_viewport_size({"width": width, "height": height})
    login(page, "strategist", DEMO_PASSWORD)
    page.goto(f"/journeys/{demo.pk}/")  # the board is the default view
    columns = page.locator("#editor-view .board-col")
    expect(columns).to_have_count(8)
    for entry in _stages(demo):
        column = page.locator(f"#board-col-{entry.stage.slug}")
        expect(column.locator(".board-name")).to_have_text(entry.stage.name)
        expect(column.locator("[data-board-edit]")).to_have_text(entry.goal)
        expect(column.locator("[data-board-edit]")).to_be_visible()
        names = [t.name for t in entry.tactics.all()]
        assert names, entry.stage.slug
        expect(column.locator(".board-tactic-name")).to_have_text(names)
    assert page.locator("#stage-panel").count() == 0
    _no_sideways_scroll(page)
    _shot(page, f"editor-board-{width}x{height}")
    _shot(page, f"editor-board-{width}x{height}-full", full=True)


def test_the_editor_board_works_on_a_phone(page: Page, login, demo: Journey):
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, "strategist", DEMO_PASSWORD)
    page.goto(f"/journeys/{demo.pk}/")
    expect(page.locator("#editor-view .board-col")).to_have_count(8)
    _no_sideways_scroll(page)
    _shot(page, "editor-board-390x844")


@pytest.mark.parametrize(("width", "height"), DESKTOPS, ids=_ids(DESKTOPS))
def test_editing_a_goal_on_the_board_autosaves_and_survives_reload(
    page: Page, login, demo: Journey, width: int, height: int
):
    page.set_viewport_size({"width": width, "height": height})
    login(page, "strategist", DEMO_PASSWORD)
    page.goto(f"/journeys/{demo.pk}/?view=board")
    goal = page.locator("#board-col-subscribe [data-board-edit]")
    field = page.locator("#board-goal-subscribe")
    expect(page.locator("#board-col-subscribe .board-goal-form")).to_have_attribute(
        "data-autosave-bound", "1"
    )
    goal.focus()
    page.keyboard.press("Enter")  # Enter on a goal edits it in place
    expect(field).to_be_focused()
    field.fill("Turn curious visitors into subscribers with a free cleaning checklist.")
    expect(page.locator("#board-col-subscribe .field-state")).to_have_text(FIELD_SAVED)
    page.keyboard.press("Enter")  # finishes the edit
    expect(goal).to_be_focused()
    expect(goal).to_have_text(
        "Turn curious visitors into subscribers with a free cleaning checklist."
    )
    expect(page.locator("#save-status")).to_have_attribute("data-state", "saved")
    entry = demo.stages.get(stage__slug="subscribe")
    assert entry.goal == "Turn curious visitors into subscribers with a free cleaning checklist."

    page.reload()
    expect(page.locator("#board-col-subscribe [data-board-edit]")).to_have_text(entry.goal)
    # A click edits too, and the stage view sees the saved goal (no stale base, no conflict).
    page.locator("#board-col-aware [data-board-edit]").click()
    expect(page.locator("#board-goal-aware")).to_be_focused()
    page.locator("#board-col-subscribe .board-name a").click()
    expect(page).to_have_url(re.compile(r"\?stage=subscribe$"))
    expect(page.locator("#stage-panel")).to_have_attribute("data-stage", "subscribe")
    expect(page.locator("#f-goal")).to_have_value(entry.goal)
    page.locator("[data-view-link=board]").click()
    expect(page).to_have_url(re.compile(r"\?view=board$"))
    expect(page.locator("#editor-view .board-col")).to_have_count(8)


def test_a_board_goal_is_named_by_its_text_before_and_after_an_edit(
    page: Page, login, demo: Journey
):
    """What a voice-control user sees is what they can say (WCAG 2.5.3 Label in Name)."""
    JourneyStage.objects.filter(journey=demo, stage__slug="engage").update(goal="")
    login(page, "strategist", DEMO_PASSWORD)
    page.goto(f"/journeys/{demo.pk}/")
    aware = demo.stages.get(stage__slug="aware").goal
    goal = page.get_by_role("button", name=aware)
    expect(goal).to_have_accessible_description("Goal for Aware — press Enter to edit")
    empty = page.locator("#board-col-engage [data-board-edit]")
    expect(empty).to_have_accessible_name("Click to set the goal")
    expect(page.locator("#board-col-engage .board-goal-form")).to_have_attribute(
        "data-autosave-bound", "1"
    )
    empty.focus()
    page.keyboard.press("Enter")
    page.locator("#board-goal-engage").fill("Get them talking about tidy homes.")
    page.keyboard.press("Enter")
    expect(empty).to_be_focused()
    expect(empty).to_have_accessible_name("Get them talking about tidy homes.")
    expect(empty).to_have_accessible_description("Goal for Engage — press Enter to edit")


def test_a_tactic_is_added_and_reordered_inside_its_column(page: Page, login, demo: Journey):
    page.set_viewport_size({"width": 1440, "height": 900})
    login(page, "strategist", DEMO_PASSWORD)
    page.goto(f"/journeys/{demo.pk}/")
    column = page.locator("#board-col-excite")
    before = [t.name for t in demo.stages.get(stage__slug="excite").tactics.all()]
    column.locator("input[name=custom_name]").fill("Thank-you postcard")
    page.keyboard.press("Enter")
    expect(column.locator(".board-tactic-name")).to_have_text([*before, "Thank-you postcard"])
    # The add field keeps the focus, for the next tactic.
    expect(page.locator("#board-add-excite")).to_be_focused()

    last = column.locator(".board-tactic").last
    last.hover()
    last.get_by_role("button", name="Move Thank-you postcard up").click()
    expect(column.locator(".board-tactic-name").nth(len(before) - 1)).to_have_text(
        "Thank-you postcard"
    )
    # The focus stays with the tactic moved, for the next press.
    expect(column.get_by_role("button", name="Move Thank-you postcard up")).to_be_focused()
    names = [t.name for t in demo.stages.get(stage__slug="excite").tactics.all()]
    assert names == [*before[:-1], "Thank-you postcard", before[-1]]


@pytest.mark.parametrize(("width", "height"), ALL_SIZES, ids=_ids(ALL_SIZES))
def test_present_has_no_form_fields_and_shows_all_eight_goals(
    page: Page, login, demo: Journey, width: int, height: int
):
    page.set_viewport_size({"width": width, "height": height})
    login(page, "strategist", DEMO_PASSWORD)
    page.goto(f"/journeys/{demo.pk}/present/")
    expect(page.locator(".slide-board .board-col")).to_have_count(8)
    # Display only: nothing to type in (the join card's buttons carry a hidden CSRF token)
    assert page.locator("input:not([type=hidden]), textarea, select").count() == 0
    page.evaluate("document.fonts.ready")
    page.wait_for_timeout(150)  # the text-fit pass after fonts load
    _shot(page, f"present-board-{width}x{height}")
    if width >= 1280:
        box = page.evaluate(
            """() => {
              const goals = [...document.querySelectorAll('.slide-board .board-goal-text')];
              const tactics = [...document.querySelectorAll('.slide-board .board-tactic')];
              const inside = el => { const r = el.getBoundingClientRect();
                return r.top >= 0 && r.left >= 0 && r.bottom <= innerHeight && r.right <= innerWidth
                  && r.width > 0; };
              const clipped = [...document.querySelectorAll('.slide-board .board-body')]
                .filter(b => b.scrollHeight > b.clientHeight + 1
                             || b.scrollWidth > b.clientWidth + 1)
                .map(b => b.closest('.board-col').dataset.stage);
              return {goals: goals.length, goalsInside: goals.filter(inside).length,
                      tactics: tactics.length, tacticsInside: tactics.filter(inside).length,
                      clipped, scrolls: document.scrollingElement.scrollHeight > innerHeight,
                      fontSize: getComputedStyle(
                        document.querySelector('.board-present')).fontSize};
            }"""
        )
        assert box["goals"] == 8 and box["goalsInside"] == 8, box
        assert box["tacticsInside"] == box["tactics"], box
        assert box["clipped"] == [] and not box["scrolls"], box
        assert float(box["fontSize"].removesuffix("px")) >= 11, box

    # Click a column to zoom in, arrows walk, Esc goes back, a number jumps.
    page.locator("#board-col-convert").click()
    slide = page.locator("[data-slide-id=convert]")
    expect(slide).to_be_visible()
    expect(page).to_have_url(re.compile(r"\?stage=convert$"))
    expect(slide.locator(".slide-goal")).to_have_text(demo.stages.get(stage__slug="convert").goal)
    _shot(page, f"present-slide-convert-{width}x{height}")
    page.keyboard.press("ArrowRight")
    expect(page.locator("[data-slide-id=excite]")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.locator(".slide-board")).to_be_visible()
    page.keyboard.press("3")
    expect(page.locator("[data-slide-id=subscribe]")).to_be_visible()
    page.keyboard.press("8")
    page.keyboard.press("ArrowRight")
    funnel = page.locator("[data-slide-id=funnel]")
    expect(funnel).to_be_visible()
    expect(funnel.locator("svg.funnel-chart")).to_be_visible()
    _shot(page, f"present-funnel-{width}x{height}")
    page.keyboard.press("ArrowRight")
    expect(page.locator("[data-slide-id=opportunities]")).to_be_visible()
    _shot(page, f"present-opportunities-{width}x{height}")
    fits = page.evaluate(
        """() => [...document.querySelectorAll('.slide')].filter(s => s.offsetParent)
             .map(s => [...s.querySelectorAll('.slide-body')]
                 .every(b => b.scrollHeight <= b.clientHeight + 1))"""
    )
    assert fits == [True], fits
    _no_sideways_scroll(page)


@pytest.mark.parametrize(("width", "height"), ALL_SIZES, ids=_ids(ALL_SIZES))
def test_the_client_page_shows_the_board_and_the_funnel(
    page: Page, login, demo: Journey, width: int, height: int
):
    page.set_viewport_size({"width": width, "height": height})
    login(page, "client", DEMO_PASSWORD)
    page.goto(f"/journeys/{demo.pk}/view/")
    expect(page.locator(".board .board-col")).to_have_count(8)
    for entry in _stages(demo):
        expect(page.locator(f"#board-col-{entry.stage.slug} .board-goal-text")).to_have_text(
            entry.goal
        )
    expect(page.locator(".client-econ svg.funnel-chart")).to_be_visible()
    assert page.locator(".board input, .board textarea, .board select").count() == 0
    expect(page.locator(".client-brand")).to_contain_text("Northstar")
    _no_sideways_scroll(page)
    _shot(page, f"client-page-{width}x{height}")
    _shot(page, f"client-page-{width}x{height}-full", full=True)
    # The bar with the PDF stays on screen while the client scrolls.
    page.evaluate("window.scrollTo(0, 3000)")
    assert page.evaluate("scrollY") > 1000
    page.wait_for_function(
        "() => { const t = document.querySelector('.client-bar').getBoundingClientRect().top;"
        " return t >= 0 && t < 5; }"
    )


@pytest.mark.parametrize(("width", "height"), ALL_SIZES, ids=_ids(ALL_SIZES))
def test_the_share_page_leads_with_the_board(page: Page, demo: Journey, width: int, height: int):
    _link, token = share_link_create(journey=demo, user=demo.owner, days=7)
    page.set_viewport_size({"width": width, "height": height})
    page.goto(f"/s/{token}/")
    expect(page.locator(".board .board-col")).to_have_count(8)
    expect(page.locator(".client-econ svg.funnel-chart")).to_be_visible()
    assert page.locator(".board input, .board textarea, .board select").count() == 0
    _no_sideways_scroll(page)
    _shot(page, f"share-page-{width}x{height}")
    _shot(page, f"share-page-{width}x{height}-full", full=True)


@pytest.mark.parametrize(("width", "height"), ALL_SIZES, ids=_ids(ALL_SIZES))
def test_a_new_journey_greets_with_a_checklist_not_a_wall_of_red(
    page: Page, signed_in: Page, journey: Journey, width: int, height: int
):
    page.set_viewport_size({"width": width, "height": height})
    page.goto(f"/journeys/{journey.pk}/")
    summary = page.locator("[data-health-summary]")
    expect(summary).to_have_text("0 of 8 stages have tactics · next: a first Aware tactic")
    expect(page.locator(".gap-critical").first).to_be_hidden()  # folded for the strategist
    finalize = page.get_by_role("button", name="Finalize as v1")
    expect(finalize).to_be_disabled()
    expect(page.locator("#finalize-reason")).to_contain_text("8 stages have none yet")
    _no_sideways_scroll(page)
    _shot(page, f"editor-new-journey-{width}x{height}-full", full=True)
    page.goto(f"/journeys/{journey.pk}/present/")
    expect(page.locator(".slide-board .board-none")).to_have_count(8)
    _shot(page, f"present-new-journey-{width}x{height}")
    page.goto(f"/journeys/{journey.pk}/present/?slide=opportunities")
    expect(page.locator(".slide-opps li").first).to_have_text(re.compile("Next: add"))
    _shot(page, f"present-new-journey-next-steps-{width}x{height}")
