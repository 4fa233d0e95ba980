"""In a real browser: a client fills the intake on a phone across two visits, and the
strategist takes some answers into the persona — set exactly as chosen, nothing else changed."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import axe_playwright_python
import pytest
from django.forms.models import model_to_dict
from playwright.sync_api import Browser, Page, expect

from cvj.models import Role
from tests.factories import BusinessFactory, MembershipFactory, PersonaFactory

CHROMIUM = shutil.which("chromium")
TEST_PASSWORD = "pw-for-tests-123"  # what tests/factories.py gives every user
SHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "intake"
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1280, "height": 720}}
SAVED = re.compile(r"^Saved \d\d:\d\d:\d\d$")
# axe-core as the judges run it (injected with evaluate: the CSP refuses script tags).
AXE_SOURCE = (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text()
AXE_RUN = """() => axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa',
  'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice']}, resultTypes: ['violations']})
  .then(r => r.violations.filter(v => ['critical', 'serious'].includes(v.impact))
  .map(v => v.id + ': ' + v.nodes.slice(0, 3).map(n => n.target).join(' ')))"""

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed"),
]


@pytest.fixture
def chromium(browser: Browser) -> Browser:
    """The suite's one browser (pytest-playwright's, Debian's chromium): a second Playwright
    in the same thread would meet the first one's event loop."""
    return browser


def _no_sideways_scroll(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"page is {width}px wide"


def _answer(page: Page, key: str, text: str) -> None:
    page.locator(f"#q-{key}").fill(text)
    expect(page.locator(f"#state-{key}")).to_have_text(SAVED)


def _shoot(page: Page, name: str) -> None:
    """A screenshot and the page as the browser holds it, after axe found nothing serious."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    size = page.viewport_size
    page.screenshot(path=SHOTS / f"{name}-{size['width']}x{size['height']}.png", full_page=True)
    (SHOTS / f"{name}.html").write_text(page.content())
    page.evaluate(AXE_SOURCE)
    assert page.evaluate(AXE_RUN) == [], name


def test_a_client_fills_the_intake_on_a_phone_and_the_strategist_takes_some_in(
    live_server,
    chromium,
):
    strategist = MembershipFactory(role=Role.STRATEGIST)
    business = BusinessFactory(agency=strategist.agency, industry="Home services")
    persona = PersonaFactory(
        business=business,
        name="Persona A",
        role="",
        goals_values="",
        pains="Existing pains.",
        passions="Hiking.",
        channels="",
        objections="Too pricey.",
        decision_role="",
    )
    before_persona = model_to_dict(persona)
    before_business = model_to_dict(business)

    # The strategist sends the link from the client's page.
    desk = chromium.new_context(base_url=live_server.url, **DESKTOP)
    office = desk.new_page()
    office.goto("/login/")
    office.locator("#id_username").fill(strategist.user.username)
    office.locator("#id_password").fill(TEST_PASSWORD)
    office.get_by_role("button", name="Sign in").click()
    expect(office.get_by_role("button", name="Sign out")).to_be_visible()
    office.goto(f"/clients/{business.pk}/")
    card = office.locator("#intake-card")
    card.get_by_placeholder("For whom? (optional)").fill("The owners")
    card.get_by_role("button", name="Create intake link").click()
    link_url = office.locator("#new-intake-url").input_value()
    assert "/intake/" in link_url
    expect(office.locator("#intake-card")).to_contain_text("never opened")
    _shoot(office, "client-page")

    # First visit on a phone: a name for the avatar and their goals, then the phone is put away.
    phone = chromium.new_context(**PHONE)
    visit = phone.new_page()
    visit.goto(link_url)
    expect(visit.get_by_role("heading", name="Before our session")).to_be_visible()
    _answer(visit, "avatar_name", "Planner Pat")
    _answer(visit, "goals_values", "Save time on weekends.")
    _no_sideways_scroll(visit)
    phone.close()

    # Second visit (a colleague's phone, same link): the saved answers are there; add more.
    phone = chromium.new_context(**PHONE)
    visit = phone.new_page()
    visit.goto(link_url)
    expect(visit.locator("#q-avatar_name")).to_have_value("Planner Pat")
    expect(visit.locator("#q-goals_values")).to_have_value("Save time on weekends.")
    _answer(visit, "pains", "Cleaners who cancel.")
    _answer(visit, "channels", "Local parents' Facebook group.")
    _answer(visit, "decision_role", "Asks her partner first.")
    _answer(visit, "objections", "<b>Is it safe?</b>")
    _no_sideways_scroll(visit)
    _shoot(visit, "intake-page")
    phone.close()

    # The strategist takes in some answers beside the persona: goals on their own first...
    office.goto(f"/personas/{persona.pk}/edit/")
    panel = office.locator("#intake-answers")
    expect(panel.locator("#take-goals_values")).to_contain_text("Save time on weekends.")
    expect(panel.locator("#take-pains")).to_contain_text("Existing pains.")
    expect(panel.locator("#take-pains input[value=keep]")).to_be_checked()
    _shoot(office, "take-in-persona-page")
    # An unsaved edit in the persona form above holds the take-in back (it reloads the page).
    passions = office.locator("textarea[name$=passions]")
    passions.fill("Hiking and baking.")
    take_goals = panel.locator("#take-goals_values").get_by_role(
        "button", name="Take in this field"
    )
    take_goals.click()
    expect(panel.locator("[data-intake-unsaved]")).to_be_visible()
    expect(office.locator(".messages")).to_have_count(0)
    passions.fill("Hiking.")
    take_goals.click()
    expect(office.locator(".messages")).to_contain_text("Taken in: Goals & values.")
    # The persona form above shows what was taken in (the page came back fresh).
    expect(office.locator("textarea[name$=goals_values]")).to_have_value("Save time on weekends.")

    # ...then all at once: channels as offered, pains added below, decision role left empty,
    # the name and the objections kept as they are (their defaults).
    panel = office.locator("#intake-answers")
    panel.locator("#take-pains").get_by_label("Add the answer below it").check()
    panel.locator("#take-decision_role").get_by_label("Leave it empty").check()
    expect(panel.locator("#take-objections")).to_contain_text("<b>Is it safe?</b>")
    panel.get_by_role("button", name="Take in all as chosen").click()
    expect(office.locator(".messages")).to_have_text(
        "Taken in: Where they get information, Pain points."
    )

    persona.refresh_from_db()
    business.refresh_from_db()
    expected = {
        **before_persona,
        "goals_values": "Save time on weekends.",
        "channels": "Local parents' Facebook group.",
        "pains": "Existing pains.\n\nCleaners who cancel.",
    }
    assert model_to_dict(persona) == expected
    assert model_to_dict(business) == before_business
    # Taken-in answers now read as already there, the pains too (added below).
    office.reload()
    for key in ("goals_values", "channels", "pains"):
        expect(office.locator(f"#take-{key}")).to_have_attribute("data-state", "same")

    # The take-in page of its own, on a phone and on a laptop, for a look.
    take_in = desk.new_page()
    take_in.goto(f"/personas/{persona.pk}/intake/")
    _shoot(take_in, "take-in")
    take_in.set_viewport_size({"width": 390, "height": 844})
    _no_sideways_scroll(take_in)
    _shoot(take_in, "take-in")

    # The intake page on a laptop, then the link revoked from the client page: a clear page.
    laptop = chromium.new_context(**DESKTOP)
    visit = laptop.new_page()
    visit.goto(link_url)
    expect(visit.locator("#q-pains")).to_have_value("Cleaners who cancel.")
    _shoot(visit, "intake-page")
    office.goto(f"/clients/{business.pk}/")
    history = office.locator("#intake-card .intake-links li").first
    expect(history).to_contain_text("opened 3×")
    expect(history).to_contain_text("last answered")
    _shoot(office, "client-page-answered")
    history.get_by_role("button", name="Revoke").click()
    expect(office.locator("#intake-card .intake-links li").first).to_contain_text("revoked")
    visit.goto(link_url)
    expect(visit.get_by_role("heading", name="This questionnaire can't be opened")).to_be_visible()
    expect(visit.get_by_text("closed by the agency")).to_be_visible()
    _shoot(visit, "intake-revoked")
    laptop.close()
    desk.close()
