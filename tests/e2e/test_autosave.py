"""Autosave in a real browser: conflicts between two people, saves in flight, going offline,
drafts kept on the device, and the warning before leaving with unsaved text."""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import Page, Route, expect

from tests.e2e.conftest import ARTIFACTS, SAVED
from tests.factories import make_journey

GOAL = "Be found by parents searching for cleaners"
THEIRS = "A: win the Nextdoor recommendation threads"
MINE = "B: be the cleaner parents talk about at the school gate"


@pytest.fixture
def journey(business, strategist):
    journey = make_journey(business=business, owner=strategist.user)
    journey.stages.filter(stage__slug="aware").update(goal=GOAL)
    return journey


def stored(journey, field: str) -> str:
    return getattr(journey.stages.get(stage__slug="aware"), field)


def draft(page: Page, journey, field: str) -> dict | None:
    key = f"cvj:journey:{journey.pk}:stage:aware:{field}"
    raw = page.evaluate("key => localStorage.getItem(key)", key)
    return json.loads(raw) if raw else None


def block_autosave(page: Page) -> None:
    """The autosave endpoint becomes unreachable for this page (page loads still work)."""
    page.route("**/autosave/", lambda route: route.abort("internetdisconnected"))


def hold_autosave(page: Page) -> list[Route]:
    """Autosave requests from this page wait (in the returned list) until released."""
    held: list[Route] = []
    page.route("**/autosave/", lambda route: held.append(route))
    return held


def wait_for_held(page: Page, held: list[Route]) -> None:
    for _ in range(200):  # route handlers run while Playwright dispatches events
        if held:
            return
        page.wait_for_timeout(25)
    raise AssertionError("no autosave request was sent")


def release(page: Page, held: list[Route]) -> None:
    """Let the held request(s) through; later ones go straight to the server."""
    while held:
        held.pop(0).continue_()
    page.unroute("**/autosave/")
    while held:  # sent while unrouting
        held.pop(0).continue_()


def leaving_would_warn(page: Page) -> bool:
    """Whether the editor's beforeunload handler would ask before leaving."""
    return page.evaluate(
        """() => {
          const event = new Event("beforeunload", {cancelable: true});
          window.dispatchEvent(event);
          return event.defaultPrevented;
        }"""
    )


@pytest.fixture
def two_editors(new_context, login, editor, strategist, second_strategist, journey):
    """Two strategists of the same agency, each in their own browser, on the same stage."""
    pages = []
    for member in (strategist, second_strategist):
        page = new_context().new_page()
        login(page, member.user.username)
        pages.append(editor(page).open(journey))
    return pages


def test_a_stale_save_shows_both_versions_and_keep_mine_saves_without_losing_theirs(
    two_editors, journey
):
    a, b = two_editors
    expect(a.field("goal")).to_have_value(GOAL)
    expect(b.field("goal")).to_have_value(GOAL)

    a.fill_and_save("goal", THEIRS)
    assert stored(journey, "goal") == THEIRS

    b.field("goal").fill(MINE)  # B still edits from the old text
    conflict = b.box("goal").locator(".conflict")
    expect(conflict).to_contain_text("Someone else changed this")
    expect(conflict.locator("pre")).to_have_text([THEIRS, MINE])
    expect(b.field_state("goal")).to_have_text("Conflict")
    expect(b.status).to_have_text("1 conflict to resolve")
    expect(b.field("goal")).to_have_value(MINE)  # B's text stays in the field
    assert stored(journey, "goal") == THEIRS  # nothing was overwritten silently
    ARTIFACTS.mkdir(exist_ok=True)
    b.box("goal").screenshot(path=ARTIFACTS / "conflict-1280x800.png")

    b.box("goal").get_by_role("button", name="Keep mine").click()
    expect(conflict).to_have_count(0)
    expect(b.field_state("goal")).to_have_text(re.compile(r"^Saved \d"))
    b.expect_all_saved()
    assert stored(journey, "goal") == MINE
    assert draft(b.page, journey, "goal") is None

    a.page.reload()
    expect(a.field("goal")).to_have_value(MINE)


def test_choosing_their_version_puts_it_in_the_field_and_keeps_it_stored(two_editors, journey):
    a, b = two_editors
    a.fill_and_save("goal", THEIRS)
    b.field("goal").fill(MINE)
    b.box("goal").get_by_role("button", name="Use theirs").click()
    expect(b.field("goal")).to_have_value(THEIRS)
    expect(b.box("goal").locator(".conflict")).to_have_count(0)
    expect(b.status).to_have_text(re.compile("^All changes saved"))
    assert stored(journey, "goal") == THEIRS
    assert draft(b.page, journey, "goal") is None
    # B's next edit is based on their text and saves without a conflict.
    b.fill_and_save("goal", THEIRS + " and the school gate")
    assert stored(journey, "goal") == THEIRS + " and the school gate"


def test_two_people_editing_different_fields_of_one_stage_both_keep_their_text(
    two_editors, journey
):
    a, b = two_editors
    # Both type before either save reaches the server; then A's lands first, so B's save is
    # based on a row that changed meanwhile, but in another field.
    held = {side: hold_autosave(side.page) for side in (a, b)}
    a.field("goal").fill(THEIRS)
    b.field("notes").fill("Ask about the school newsletter")
    for side in (a, b):
        wait_for_held(side.page, held[side])
    release(a.page, held[a])
    expect(a.field_state("goal")).to_have_text(re.compile(r"^Saved \d"))
    assert stored(journey, "goal") == THEIRS
    release(b.page, held[b])
    expect(b.field_state("notes")).to_have_text(re.compile(r"^Saved \d"))
    for side in (a, b):
        side.expect_all_saved()
        expect(side.panel.locator(".conflict")).to_have_count(0)
    assert stored(journey, "goal") == THEIRS
    assert stored(journey, "notes") == "Ask about the school newsletter"
    b.page.reload()
    expect(b.field("goal")).to_have_value(THEIRS)
    expect(b.field("notes")).to_have_value("Ask about the school newsletter")


def test_typing_while_a_save_is_in_flight_is_neither_overwritten_nor_lost(
    signed_in: Page, editor, journey
):
    ed = editor(signed_in).open(journey)
    held = hold_autosave(signed_in)
    ed.field("notes").fill("First thought")
    wait_for_held(signed_in, held)
    expect(ed.field_state("notes")).to_have_text("Saving…")
    expect(ed.status).to_have_text("Saving…")  # one field, no count
    ed.field("notes").press("End")
    ed.field("notes").press_sequentially(", second thought")  # typed while the save is out
    release(signed_in, held)

    # The first answer must not put "First thought" back; the rest follows in a second save.
    expect(ed.field_state("notes")).to_have_text(re.compile(r"^Saved \d"))
    ed.expect_all_saved()
    expect(ed.field("notes")).to_have_value("First thought, second thought")
    assert stored(journey, "notes") == "First thought, second thought"


def test_switching_stage_by_keyboard_right_after_typing_still_saves_the_text(
    signed_in: Page, editor, journey
):
    ed = editor(signed_in).open(journey)
    ed.field("notes").press_sequentially("Last words before moving on")
    signed_in.keyboard.press("Alt+Digit2")  # well within the autosave pause
    ed.wait_ready("engage")
    expect(ed.status).to_have_text(SAVED)
    assert stored(journey, "notes") == "Last words before moving on"
    signed_in.keyboard.press("Alt+ArrowLeft")
    ed.wait_ready("aware")
    expect(ed.field("notes")).to_have_value("Last words before moving on")


def test_the_page_status_keeps_counting_a_save_of_a_stage_left_behind(
    signed_in: Page, editor, journey
):
    ed = editor(signed_in).open(journey)
    held = hold_autosave(signed_in)
    ed.field("notes").fill("First")
    wait_for_held(signed_in, held)  # "First" is on its way
    ed.field("notes").press("End")
    ed.field("notes").press_sequentially(" and second")
    signed_in.keyboard.press("Alt+Digit2")  # flushes the notes (queued), then leaves the stage
    ed.wait_ready("engage")
    held.pop(0).continue_()  # "First" is saved; " and second" goes next
    wait_for_held(signed_in, held)
    expect(ed.status).to_have_text("Saving…")
    assert leaving_would_warn(signed_in)
    release(signed_in, held)
    expect(ed.status).to_have_text(SAVED)
    assert not leaving_would_warn(signed_in)
    assert stored(journey, "notes") == "First and second"


def test_coming_back_to_a_stage_while_its_save_is_out_continues_without_a_conflict(
    signed_in: Page, editor, journey
):
    ed = editor(signed_in).open(journey)
    held = hold_autosave(signed_in)
    ed.field("notes").fill("First")
    wait_for_held(signed_in, held)
    signed_in.keyboard.press("Alt+Digit2")
    ed.wait_ready("engage")
    signed_in.keyboard.press("Alt+Digit1")  # back while "First" is still on its way
    ed.wait_ready("aware")
    expect(ed.field("notes")).to_have_value("First")  # the server does not have it yet
    ed.field("notes").press("End")
    ed.field("notes").press_sequentially(" and more")
    release(signed_in, held)
    expect(ed.field_state("notes")).to_have_text(re.compile(r"^Saved \d"))
    ed.expect_all_saved()
    expect(ed.panel.locator(".conflict")).to_have_count(0)
    assert stored(journey, "notes") == "First and more"
    assert draft(signed_in, journey, "notes") is None


def test_text_typed_offline_is_kept_and_saved_when_the_connection_returns(
    signed_in: Page, editor, journey
):
    ed = editor(signed_in).open(journey)
    signed_in.context.set_offline(True)
    ed.field("notes").press_sequentially("Typed on the train")
    expect(ed.status).to_have_text("Offline — will retry")
    expect(ed.status).to_have_attribute("data-state", "offline")
    expect(ed.field_state("notes")).to_have_text("Offline — will retry")
    expect(ed.field("notes")).to_have_value("Typed on the train")
    assert draft(signed_in, journey, "notes")["value"] == "Typed on the train"
    assert stored(journey, "notes") == ""

    signed_in.context.set_offline(False)
    ed.expect_all_saved()
    expect(ed.field_state("notes")).to_have_text(re.compile(r"^Saved \d"))
    assert stored(journey, "notes") == "Typed on the train"
    assert draft(signed_in, journey, "notes") is None


def test_a_draft_left_by_a_closed_tab_is_restored_and_saved_on_the_next_visit(
    signed_in: Page, editor, journey
):
    ed = editor(signed_in).open(journey)
    block_autosave(signed_in)
    ed.field("notes").press_sequentially("Said just before the laptop died")
    expect(ed.status).to_have_text("Offline — will retry")
    assert draft(signed_in, journey, "notes")["value"] == "Said just before the laptop died"
    signed_in.close()  # no beforeunload: as if the tab crashed

    again = editor(signed_in.context.new_page()).open(journey)
    expect(again.field("notes")).to_have_value("Said just before the laptop died")
    expect(again.field_state("notes")).to_have_text(re.compile(r"^Saved \d"))
    again.expect_all_saved()
    assert stored(journey, "notes") == "Said just before the laptop died"
    assert draft(again.page, journey, "notes") is None


def test_leaving_with_unsaved_text_asks_first(signed_in: Page, editor, journey):
    ed = editor(signed_in).open(journey)
    block_autosave(signed_in)
    ed.field("goal").press_sequentially(" and at the gym")
    expect(ed.status).to_have_text("Offline — will retry")
    dirty = signed_in.evaluate(
        """() => {
          const ask = new CustomEvent("cvj:autosave-unsaved", {detail: {}});
          document.dispatchEvent(ask);
          return ask.detail.fields.map(f => f.field);
        }"""
    )
    assert dirty == ["goal"]

    dialogs: list[str] = []

    def on_dialog(dialog) -> None:  # noqa: ANN001
        dialogs.append(dialog.type)
        dialog.accept()

    signed_in.on("dialog", on_dialog)
    with signed_in.expect_event("close"):
        signed_in.close(run_before_unload=True)
    assert dialogs == ["beforeunload"]


def test_leaving_after_everything_saved_does_not_ask(signed_in: Page, editor, journey):
    ed = editor(signed_in).open(journey)
    ed.fill_and_save("goal", "Saved before leaving")
    ed.expect_all_saved()
    dialogs: list[str] = []
    signed_in.on("dialog", lambda dialog: (dialogs.append(dialog.type), dialog.accept()))
    with signed_in.expect_event("close"):
        signed_in.close(run_before_unload=True)
    assert dialogs == []


@pytest.fixture
def page_5xx_allowed(browser, base_url, login, strategist) -> Page:
    """A signed-in page whose context is not the checked one: these tests fake 5xx answers."""
    context = browser.new_context(base_url=base_url, viewport={"width": 1280, "height": 800})
    context.set_default_timeout(10_000)
    errors: list[str] = []
    context.on("weberror", lambda error: errors.append(str(error.error)))
    yield login(context.new_page(), strategist.user.username)
    context.close()
    assert not errors


def answer_autosave(page: Page, answers: list[tuple[int, str, str]]) -> list[str]:
    """The autosave endpoint answers these (status, content type, body) in turn, then goes
    through to the server; returns the list the values sent are appended to."""
    sent: list[str] = []

    def handle(route: Route) -> None:
        sent.append(route.request.post_data or "")
        if len(sent) <= len(answers):
            status, content_type, body = answers[len(sent) - 1]
            route.fulfill(status=status, content_type=content_type, body=body)
        else:
            route.continue_()

    page.route("**/autosave/", handle)
    return sent


@pytest.mark.parametrize(
    ("status", "content_type", "body", "shown"),
    [
        (422, "text/html", "<p>Text cannot contain a NUL character.</p>", "cannot contain a NUL"),
        (422, "application/json", '{"error": "Enter a number."}', "Enter a number."),
        (400, "text/html", "<h1>Bad Request (400)</h1>", "Bad Request (400)"),
        (404, "text/html", "<h1>Not Found</h1>" + "x" * 400, "no longer exists"),
        (413, "text/html", "", "too long"),
        (409, "text/html", "<p>Stale</p>", "Stale"),
        (500, "text/html", "<h1>Server Error (500)</h1>", "server failed (500)"),
    ],
)
def test_a_refused_save_is_final_and_shown_on_the_field(
    page_5xx_allowed: Page, editor, journey, status, content_type, body, shown
):
    signed_in = page_5xx_allowed
    sent = answer_autosave(signed_in, [(status, content_type, body)] * 5)  # before any script
    ed = editor(signed_in).open(journey)
    ed.field("notes").fill("Refused text")  # one edit, one save
    error = ed.box("notes").locator(".field-error")
    expect(error).to_contain_text(shown)
    expect(ed.field_state("notes")).to_have_text("Not saved")
    expect(ed.status).to_have_text("1 field needs attention")
    expect(ed.field("notes")).to_have_value("Refused text")  # the text stays where it was
    assert draft(signed_in, journey, "notes")["value"] == "Refused text"
    signed_in.wait_for_timeout(2500)  # longer than the first retry would wait
    assert len(sent) == 1  # not retried
    assert leaving_would_warn(signed_in)

    # Editing the text is the user's answer: it is sent again (and now saves).
    signed_in.unroute("**/autosave/")
    ed.field("notes").press_sequentially(", fixed")
    expect(error).to_have_count(0)
    expect(ed.field_state("notes")).to_have_text(re.compile(r"^Saved \d"))
    assert stored(journey, "notes") == "Refused text, fixed"


@pytest.mark.parametrize("status", [502, 503, 504])
def test_a_server_that_says_try_again_is_retried_until_it_saves(
    page_5xx_allowed: Page, editor, journey, status
):
    signed_in = page_5xx_allowed
    sent = answer_autosave(signed_in, [(status, "text/html", "<h1>Busy</h1>")] * 2)
    ed = editor(signed_in).open(journey)
    ed.field("notes").fill("Saved on the third try")
    expect(ed.field_state("notes")).to_have_text("Offline — will retry")
    expect(ed.field_state("notes")).to_have_text(re.compile(r"^Saved \d"), timeout=8_000)
    assert len(sent) == 3
    assert stored(journey, "notes") == "Saved on the third try"
    expect(ed.box("notes").locator(".field-error")).to_have_count(0)
