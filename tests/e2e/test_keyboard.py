"""The keyboard flow for live typing: a stage's goal, its tactics and an offer without the mouse."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from journeys.models import StageOffer, StageTactic
from journeys.services import offer_attach, tactic_add
from tests.factories import OfferFactory, make_journey


@pytest.fixture
def journey(business, strategist):
    journey = make_journey(business=business, owner=strategist.user)
    OfferFactory(business=business, kind="lead_magnet", name="Pet-hair checklist", price=0)
    OfferFactory(business=business, kind="lead_magnet", name="Sofa care guide", price=0)
    return journey


@pytest.mark.parametrize("viewport", [(1280, 720), (1440, 900)])
def test_alt_3_puts_the_focus_on_subscribes_goal(
    signed_in: Page, editor, journey, viewport
) -> None:
    page = signed_in
    page.set_viewport_size({"width": viewport[0], "height": viewport[1]})
    ed = editor(page).open(journey)
    page.keyboard.press("Alt+Digit3")
    expect(ed.panel).to_have_attribute("data-stage", "subscribe")
    expect(ed.field("goal")).to_be_focused()
    page.keyboard.type("Trade an email for the pet-hair checklist")  # no pause, no click
    expect(ed.field("goal")).to_have_value("Trade an email for the pet-hair checklist")
    ed.expect_all_saved()
    assert journey.stages.get(stage__slug="subscribe").goal == (
        "Trade an email for the pet-hair checklist"
    )
    page.keyboard.press("Alt+Digit3")  # the open stage: straight back to its goal
    expect(ed.field("goal")).to_be_focused()


def test_enter_in_the_library_search_with_no_match_adds_a_custom_tactic(
    signed_in: Page, editor, journey
) -> None:
    page = signed_in
    ed = editor(page).open(journey)
    page.keyboard.press("Alt+Digit1")
    page.keyboard.press("Alt+KeyT")
    search = page.locator("#lib-q")
    expect(search).to_be_focused()
    expect(search).to_have_attribute("role", "combobox")
    expect(search).to_have_attribute("aria-expanded", "false")  # empty: the list is closed
    page.keyboard.type("Local radio spot")
    page.keyboard.press("Enter")  # at once, before the search results may have come back
    expect(ed.tactics.locator(".tactic-name")).to_have_text(["Local radio spot"])
    expect(search).to_be_focused()
    expect(search).to_have_value("")  # ready for the next tactic
    expect(search).to_have_attribute("aria-expanded", "false")
    [tactic] = StageTactic.objects.filter(journey_stage__journey=journey)
    assert tactic.custom_name == "Local radio spot" and tactic.tactic_id is None

    # A library match: the first option is marked, arrows move the mark, Enter adds it.
    page.keyboard.type("social")
    expect(page.locator("#library-results")).to_have_attribute("data-query", "social")
    listbox = page.get_by_role("listbox", name="Library tactics")
    expect(listbox).to_be_visible()
    expect(search).to_have_attribute("aria-expanded", "true")
    first = listbox.get_by_role("option").first
    expect(first).to_have_attribute("aria-selected", "true")
    expect(search).to_have_attribute("aria-activedescendant", first.get_attribute("id"))
    expect(page.locator("#lib-status")).to_contain_text("Enter adds")
    page.keyboard.press("ArrowDown")
    second = listbox.get_by_role("option").nth(1)
    expect(second).to_have_attribute("aria-selected", "true")
    name = second.locator("strong").inner_text()
    page.keyboard.press("Enter")
    expect(ed.tactics.locator(".tactic-name")).to_have_text(["Local radio spot", name])
    expect(search).to_be_focused()
    page.keyboard.press("Escape")
    expect(listbox).to_be_hidden()
    expect(search).to_have_attribute("aria-expanded", "false")


def test_attach_keeps_the_focus_and_remove_and_undo_land_somewhere_sensible(
    signed_in: Page, editor, journey
) -> None:
    page = signed_in
    ed = editor(page).open(journey, "subscribe")
    page.keyboard.press("Alt+KeyO")
    expect(page.locator("#attach-offer")).to_be_focused()
    page.keyboard.press("Enter")  # attaches the offer shown
    expect(ed.offers).to_have_count(1)
    expect(page.locator("#attach-offer")).to_be_focused()  # one offer left to attach
    page.locator("#attach-offer-btn").click()
    expect(ed.offers).to_have_count(2)
    # Nothing left to attach: the focus moves to creating a new offer, not to the page.
    expect(page.locator("#offers details > summary")).to_be_focused()
    assert StageOffer.objects.filter(journey_stage__journey=journey).count() == 2

    page.keyboard.press("Alt+KeyT")
    page.keyboard.type("Quiz: which sofa fabric sheds least")
    page.keyboard.press("Enter")
    expect(ed.tactics).to_have_count(1)
    remove = page.get_by_role("button", name="Remove Quiz: which sofa fabric sheds least")
    remove.focus()
    page.keyboard.press("Enter")
    undo = page.get_by_role("button", name="Undo")
    expect(undo).to_be_focused()
    page.keyboard.press("Enter")
    expect(ed.tactics).to_have_count(1)
    expect(remove).to_be_focused()  # back where the user was before removing


def test_the_ascend_ladder_starts_with_the_core_offer(signed_in: Page, editor, journey) -> None:
    page = signed_in
    ed = editor(page).open(journey, "ascend")
    rung = page.locator("#offers .offer-core-rung")
    expect(rung).to_contain_text(journey.core_offer.name)
    # Named by its visible words first, so "click Pin to the ladder" works by voice too.
    rung.get_by_role("button", name=f"Pin to the ladder: {journey.core_offer.name}").click()
    expect(ed.offers.first).to_contain_text(journey.core_offer.name)
    expect(page.locator("#offers .offer-core-rung")).to_have_count(0)


# What a strategist presses for one stage besides the text itself (README, "Shortcuts").
STAGE_BY_KEYBOARD = [
    ("key", "Alt+Digit3"),  # Subscribe, focus on its goal
    ("text", "Trade an email for the pet-hair checklist"),
    ("key", "Alt+KeyT"),  # the library search
    ("text", "Checklist or worksheet"),
    ("key", "Enter"),  # the marked library match
    ("text", "Vet waiting-room flyer with a QR code"),
    ("key", "Enter"),  # no match: a custom tactic
    ("key", "Alt+KeyO"),  # the offer picker
    ("key", "Enter"),  # attach the offer shown
]


def test_a_stage_takes_six_keystrokes_besides_the_text(signed_in: Page, editor, journey) -> None:
    page = signed_in
    ed = editor(page).open(journey)
    for kind, value in STAGE_BY_KEYBOARD:
        if kind == "key":
            page.keyboard.press(value)
        else:
            page.keyboard.type(value)
        if value == "Enter":  # the next step starts once the list shows what was added
            page.wait_for_function(
                "() => ['lib-q', 'attach-offer'].includes(document.activeElement.id)"
            )
    expect(ed.tactics.locator(".tactic-name")).to_have_text(
        ["Checklist or worksheet", "Vet waiting-room flyer with a QR code"]
    )
    expect(ed.offers).to_have_count(1)
    ed.expect_all_saved()
    stage = journey.stages.get(stage__slug="subscribe")
    assert stage.goal == "Trade an email for the pet-hair checklist"
    assert [t.name for t in stage.tactics.order_by("position")] == [
        "Checklist or worksheet",
        "Vet waiting-room flyer with a QR code",
    ]
    assert stage.offers.count() == 1
    keystrokes = sum(1 for kind, _ in STAGE_BY_KEYBOARD if kind == "key")
    assert keystrokes == 6 <= 8


def test_a_control_pressed_the_moment_it_is_swapped_in_is_handled_in_place(
    signed_in: Page, editor, journey
) -> None:
    # A fast keyboard user presses Enter on "Undo" the instant it appears. htmx wires swapped
    # content only when it settles; a press before that would submit the form natively and
    # reload the whole page, dropping the focus (seen as a flaky "focus lost after Undo").
    page = signed_in
    ed = editor(page).open(journey, "subscribe")
    page.keyboard.press("Alt+KeyT")
    page.keyboard.type("Quiz: which sofa fabric sheds least")
    page.keyboard.press("Enter")
    expect(ed.tactics).to_have_count(1)
    page.evaluate(
        """() => {
          window.e2eSamePage = true;
          document.body.addEventListener("htmx:afterSwap", function once() {
            const undo = document.querySelector(".undo-bar button");
            if (!undo) return;
            document.body.removeEventListener("htmx:afterSwap", once);
            // Still within the task that swapped the Undo bar in.
            queueMicrotask(() => { window.e2eUndoPressed = true; undo.click(); });
          });
        }"""
    )
    page.get_by_role("button", name="Remove Quiz: which sofa fabric sheds least").click()
    page.wait_for_function("() => window.e2eUndoPressed === true || window.e2eSamePage !== true")
    expect(page.locator(".undo-bar")).to_have_count(0)
    expect(ed.tactics).to_have_count(1)
    remove = page.get_by_role("button", name="Remove Quiz: which sofa fabric sheds least")
    expect(remove).to_be_focused()  # restored by the Undo, focus back on its Remove
    assert page.evaluate("window.e2eSamePage") is True  # no page load happened
    assert StageTactic.objects.filter(journey_stage__journey=journey).count() == 1


def test_moving_by_keyboard_keeps_the_focus_on_the_item_moved(
    signed_in: Page, editor, journey
) -> None:
    subscribe = journey.stages.get(stage__slug="subscribe")
    for offer in journey.business.offers.filter(kind="lead_magnet").order_by("name"):
        offer_attach(journey_stage=subscribe, offer=offer)
    for name in ("Quiz", "Webinar"):
        tactic_add(journey_stage=subscribe, custom_name=name)
    page = signed_in
    ed = editor(page).open(journey, "subscribe")

    for kind, first, second in (
        ("offers", "Pet-hair checklist", "Sofa care guide"),
        ("tactics", "Quiz", "Webinar"),
    ):
        names = (ed.offers if kind == "offers" else ed.tactics).locator(".tactic-name")
        expect(names).to_have_text([first, second])
        page.get_by_role("button", name=f"Move {second} up").focus()
        page.keyboard.press("Enter")
        expect(names).to_have_text([second, first])
        # At the top its "up" is disabled: the focus is on its "down", not lost to the page.
        expect(page.get_by_role("button", name=f"Move {second} down")).to_be_focused()
        page.keyboard.press("Enter")
        expect(names).to_have_text([first, second])
        expect(page.get_by_role("button", name=f"Move {second} up")).to_be_focused()


def test_shortcuts_typed_while_the_stage_is_opening_land_in_that_stage(
    signed_in: Page, editor, journey
) -> None:
    # The whole stage is typed before the Subscribe panel arrives (its answer is held back):
    # nothing may go to the Aware panel still on screen, nothing may be lost.
    page = signed_in
    ed = editor(page).open(journey)
    held: list = []
    page.route(
        "**/stages/subscribe/**",
        lambda route: route.continue_() if held else held.append(route),  # only the first
    )
    steps = [*STAGE_BY_KEYBOARD[:-2], ("text", "Quiz"), *STAGE_BY_KEYBOARD[-2:]]
    for kind, value in steps:  # "Quiz": the next tactic, begun, then the offers
        if kind == "key":
            page.keyboard.press(value)
        else:
            page.keyboard.type(value)
    while not held:
        page.wait_for_timeout(20)
    assert ed.panel.get_attribute("data-stage") == "aware"  # still the old stage
    held[0].continue_()

    expect(ed.panel).to_have_attribute("data-stage", "subscribe")
    expect(ed.tactics.locator(".tactic-name")).to_have_text(
        ["Checklist or worksheet", "Vet waiting-room flyer with a QR code"]
    )
    expect(ed.offers).to_have_count(1)
    expect(page.locator("#lib-q")).to_have_value("Quiz")
    expect(page.locator("#attach-offer")).to_be_focused()  # where the last shortcut went
    ed.expect_all_saved()
    assert journey.stages.get(stage__slug="subscribe").goal == (
        "Trade an email for the pet-hair checklist"
    )
    assert journey.stages.get(stage__slug="aware").tactics.count() == 0


def test_a_second_tactic_entered_while_the_first_is_being_added_shows_in_the_list(
    signed_in: Page, editor, journey
) -> None:
    # Each add answers with the whole tactics list in place of the old one. A second Enter while
    # the first add was in flight used to be answered into the list the first answer replaced:
    # saved, but never shown. The first answer is held back here until both were typed.
    page = signed_in
    ed = editor(page).open(journey, "subscribe")
    held = []
    page.route(
        "**/tactics/add/", lambda route: held.append(route) if not held else route.continue_()
    )
    page.keyboard.press("Alt+KeyT")
    page.keyboard.type("Checklist or worksheet")
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.activeElement.id === 'lib-q'")
    page.keyboard.type("Vet waiting-room flyer with a QR code")
    page.keyboard.press("Enter")
    page.wait_for_timeout(300)  # the second Enter is in; now the first add may answer
    held[0].continue_()
    expect(ed.tactics.locator(".tactic-name")).to_have_text(
        ["Checklist or worksheet", "Vet waiting-room flyer with a QR code"]
    )
    assert StageTactic.objects.filter(journey_stage__journey=journey).count() == 2
