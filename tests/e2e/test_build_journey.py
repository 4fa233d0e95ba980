"""A strategist builds a whole journey from an empty agency, only through the UI."""

from __future__ import annotations

import re
from decimal import Decimal

from playwright.sync_api import Page, expect

from journeys.models import Business, Journey, Offer


def add_offer(page: Page, *, name: str, kind: str, price: str, promise: str = "") -> None:
    offers = page.locator("#offers")
    form = offers.locator("form.inline-form")
    if not form.is_visible():  # the form folds away once the business has an offer
        offers.get_by_text("+ Add offer").click()
    form.locator("#id_offer-name").fill(name)
    form.locator("#id_offer-kind").select_option(label=kind)
    form.locator("#id_offer-price").fill(price)
    if promise:
        form.locator("#id_offer-promise").fill(promise)
    form.get_by_role("button", name="Add offer").click()
    expect(page.locator("#offers .list li", has_text=name)).to_be_visible()


def attach(page: Page, name: str) -> None:
    """Pick an offer in the stage's "Attach an existing offer" list and attach it."""
    option = page.locator("#attach-offer option", has_text=name)
    page.locator("#attach-offer").select_option(option.get_attribute("value"))
    page.get_by_role("button", name="Attach").click()


def test_a_strategist_builds_a_journey_from_an_empty_agency_and_it_all_persists(
    page: Page, login, strategist, editor
):
    login(page, strategist.user.username)

    # Clients → Add client
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Clients").click()
    expect(page.locator("#results")).to_contain_text("No clients yet")
    page.get_by_role("link", name="+ Add client").click()
    page.locator("#id_name").fill("Acme Cleaning")
    page.locator("#id_industry").fill("Home services")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Acme Cleaning")
    expect(page.locator(".messages")).to_contain_text("Added Acme Cleaning")

    # A persona through the inline (htmx) form
    personas = page.locator("#personas")
    personas.locator("#id_persona-name").fill("Busy Parent Priya")
    personas.locator("#id_persona-role").fill("Working parent, 34-48")
    personas.locator("#id_persona-awareness_level").select_option(label="Problem-aware")
    personas.locator("#id_persona-pains").fill("Weekends lost to chores.")
    page.evaluate("window.samePage = true")
    personas.get_by_role("button", name="Add persona").click()
    expect(page.locator("#personas .list")).to_contain_text("Busy Parent Priya")
    assert page.evaluate("window.samePage") is True  # swapped in place, no page load

    # The offers, one inline form post each; the lead magnet is free
    add_offer(page, name="Honest Price Guide", kind="Lead magnet", price="0")
    expect(page.locator("#offers .list li", has_text="Honest Price Guide")).to_contain_text("Free")
    add_offer(page, name="First-Room Deep Clean", kind="Entry-point offer", price="19")
    add_offer(page, name="Biweekly Home Reset", kind="Core offer", price="129")
    add_offer(page, name="Spring Deep Clean", kind="Ascension offer", price="249")

    # New journey: business, persona and core offer
    page.get_by_role("link", name="+ New journey").click()
    expect(page.locator("#id_business")).to_have_value(
        str(Business.objects.get(name="Acme Cleaning").pk)
    )
    page.locator("#id_persona").select_option(label="Busy Parent Priya (Acme Cleaning)")
    page.locator("#id_core_offer").select_option(label="Biweekly Home Reset (Acme Cleaning)")
    page.get_by_role("button", name="Create journey").click()
    expect(page).to_have_url(re.compile(r"/journeys/\d+/$"))
    journey = Journey.objects.get(business__name="Acme Cleaning")
    assert journey.title == "Acme Cleaning — Busy Parent Priya"

    # The editor opens on the board; the Aware column's name opens the stage in depth
    expect(page.locator("#editor-view .board-col")).to_have_count(8)
    page.locator("#board-col-aware .board-name a").click()
    expect(page).to_have_url(re.compile(r"/journeys/\d+/\?stage=aware$"))
    # The editor: stage fields autosave as they are typed
    ed = editor(page)
    ed.wait_ready("aware")
    ed.field("goal").press_sequentially("Get <b>noticed</b> by busy parents nearby")
    ed.field("metric").fill("Reach in target suburbs")
    ed.field("target_conversion").fill("12.5")
    ed.field("notes").fill("Client said: Nextdoor works.\nTry the school newsletter.")
    for field in ("goal", "metric", "target_conversion", "notes"):
        expect(ed.field_state(field)).to_have_text(re.compile(r"^Saved \d"))
    ed.expect_all_saved()

    # A library tactic: type in the search box, Enter adds the first match
    search = page.locator("#lib-q")
    search.click()
    search.fill("problem keywords")
    expect(page.locator("#library-results [data-library-result]").first).to_contain_text(
        "SEO for problem keywords"
    )
    search.press("Enter")
    expect(ed.tactics.locator(".tactic-name")).to_have_text(["SEO for problem keywords"])
    # A custom tactic with a channel
    page.locator("#custom-name").fill("Flyers at the school fair")
    page.get_by_label("Channel").select_option(label="Events")
    page.get_by_role("button", name="Add tactic").click()
    expect(ed.tactics).to_have_count(2)
    expect(ed.tactics.nth(1)).to_contain_text("Flyers at the school fair")
    # A custom tactic's channel stays editable in the list (it can be set after adding).
    expect(ed.tactics.nth(1).locator(".tactic-meta select")).to_have_value("events")
    expect(ed.tactics.nth(1).locator(".tactic-meta")).to_contain_text("· custom")
    expect(page.locator("#custom-name")).to_have_value("")  # the form is ready for the next
    # Tactic notes autosave too
    notes = page.get_by_label("Notes for Flyers at the school fair")
    notes.fill("Ask the PTA first")
    expect(ed.tactics.nth(1).locator(".field-state")).to_have_text(re.compile(r"^Saved \d"))
    # The rail counts the tactics
    expect(page.locator(".stage-tab.s-aware .count")).to_have_text("2 tactics")

    # A second stage: fields, then on to the offer stages
    ed.go_to_stage("engage")
    ed.fill_and_save("goal", "Turn a first look into a follow")
    ed.fill_and_save("target_conversion", "30")

    ed.go_to_stage("subscribe")
    expect(page.locator("#attach-offer option")).to_have_count(1)  # only lead magnets here
    attach(page, "Honest Price Guide")
    expect(ed.offers).to_have_count(1)
    expect(ed.offers.first).to_contain_text("Honest Price Guide")
    expect(ed.offers.first).to_contain_text("Free")

    ed.go_to_stage("convert")
    attach(page, "First-Room Deep Clean")
    expect(ed.offers).to_have_count(1)
    expect(ed.offers.first).to_contain_text("First-Room Deep Clean")

    ed.go_to_stage("ascend")
    # Only the core and ascension offers are offered here.
    expect(page.locator("#attach-offer option")).to_have_count(2)
    attach(page, "Biweekly Home Reset")
    expect(ed.offers).to_have_count(1)
    page.get_by_text("+ Create a new offer here").click()
    page.locator("#id_new-offer-name").fill("Move-Out Clean")
    page.locator("#id_new-offer-kind").select_option(label="Ascension offer")
    page.locator("#id_new-offer-price").fill("349")
    page.locator("#id_new-offer-format").fill("One visit, whole home")
    page.get_by_role("button", name="Create and attach").click()
    expect(ed.offers).to_have_count(2)
    expect(ed.offers.nth(1)).to_contain_text("Move-Out Clean")
    expect(ed.offers.nth(1).locator(".offer-price")).to_have_text(
        "$349"
    )  # a price as set: cents only when there are any
    ed.expect_all_saved()

    # Reload: everything is still there
    page.reload()
    ed.wait_ready("ascend")
    expect(ed.offers.locator(".tactic-name")).to_have_text(
        ["Biweekly Home Reset", "Move-Out Clean"]
    )
    ed.go_to_stage("aware")
    expect(ed.field("goal")).to_have_value("Get <b>noticed</b> by busy parents nearby")
    expect(ed.field("metric")).to_have_value("Reach in target suburbs")
    expect(ed.field("target_conversion")).to_have_value("12.5")
    expect(ed.field("notes")).to_have_value(
        "Client said: Nextdoor works.\nTry the school newsletter."
    )
    expect(ed.tactics.locator(".tactic-name")).to_have_text(
        ["SEO for problem keywords", "Flyers at the school fair"]
    )
    expect(page.get_by_label("Notes for Flyers at the school fair")).to_have_value(
        "Ask the PTA first"
    )
    ed.go_to_stage("engage")
    expect(ed.field("goal")).to_have_value("Turn a first look into a follow")
    ed.go_to_stage("subscribe")
    expect(ed.offers.locator(".tactic-name")).to_have_text(["Honest Price Guide"])
    ed.go_to_stage("convert")
    expect(ed.offers.locator(".tactic-name")).to_have_text(["First-Room Deep Clean"])

    # And in the database
    stages = {s.stage.slug: s for s in journey.stages.select_related("stage")}
    aware = stages["aware"]
    assert aware.goal == "Get <b>noticed</b> by busy parents nearby"
    assert aware.metric == "Reach in target suburbs"
    assert aware.target_conversion == Decimal("12.5")
    assert aware.notes == "Client said: Nextdoor works.\nTry the school newsletter."
    seo, flyers = aware.tactics.order_by("position")
    assert (seo.name, seo.tactic.name, seo.tactic.agency_id) == (
        "SEO for problem keywords",
        "SEO for problem keywords",
        None,
    )
    assert (flyers.name, flyers.tactic, flyers.channel, flyers.notes) == (
        "Flyers at the school fair",
        None,
        "events",
        "Ask the PTA first",
    )
    assert stages["engage"].goal == "Turn a first look into a follow"
    assert stages["engage"].target_conversion == Decimal("30")

    def attached(slug: str) -> list[str]:
        return [so.offer.name for so in stages[slug].offers.order_by("position")]

    assert attached("subscribe") == ["Honest Price Guide"]
    assert attached("convert") == ["First-Room Deep Clean"]
    assert attached("ascend") == ["Biweekly Home Reset", "Move-Out Clean"]
    assert Offer.objects.get(name="Honest Price Guide").price == Decimal("0")
    move_out = Offer.objects.get(name="Move-Out Clean")
    assert (move_out.business, move_out.kind, move_out.price) == (
        journey.business,
        "ascension",
        Decimal("349"),
    )
    assert journey.persona.name == "Busy Parent Priya"
    assert journey.core_offer.name == "Biweekly Home Reset"
