"""The seeded demo journey in the editor at the two screen sizes a strategist shares.

Screenshots go to test-artifacts/ (git-ignored) for a person to look at; the test itself checks
that nothing makes the page scroll sideways.
"""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from journeys.models import Journey

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
SIZES = [(1280, 800), (1920, 1080)]


@pytest.fixture
def demo_journey(login, page: Page):
    call_command("seed_demo", stdout=StringIO())
    login(page, "strategist", "cvj-demo-2026")
    return Journey.objects.get(title="Acme Cleaning: from neighbour to biweekly client")


def overflow(page: Page) -> dict:
    """How far the page is wider than the window, and which elements stick out."""
    return page.evaluate(
        """() => {
          const width = window.innerWidth;
          const wide = [...document.querySelectorAll('body *')]
            .filter(el => el.getBoundingClientRect().right > width + 1)
            .slice(0, 5)
            .map(el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
                       + (el.className && typeof el.className === 'string'
                          ? '.' + el.className.trim().split(/\\s+/).join('.') : ''));
          return {scrollWidth: document.scrollingElement.scrollWidth, innerWidth: width, wide};
        }"""
    )


@pytest.mark.parametrize(("width", "height"), SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_the_demo_journey_fits_the_screen_without_sideways_scrolling(
    page: Page, editor, demo_journey, width: int, height: int
):
    ARTIFACTS.mkdir(exist_ok=True)
    page.set_viewport_size({"width": width, "height": height})
    ed = editor(page)
    for slug in ("aware", "ascend"):
        ed.open(demo_journey, slug)
        expect(ed.tactics.first).to_be_visible()
        page.evaluate("document.fonts.ready")
        page.screenshot(path=ARTIFACTS / f"editor-{slug}-{width}x{height}.png")
        page.screenshot(path=ARTIFACTS / f"editor-{slug}-{width}x{height}-full.png", full_page=True)
        sizes = overflow(page)
        assert sizes["scrollWidth"] <= sizes["innerWidth"], (slug, sizes)

    page.goto(f"/journeys/{demo_journey.pk}/present/?stage=convert")
    expect(page.locator("[data-slide-id=convert]")).to_be_visible()
    page.screenshot(path=ARTIFACTS / f"present-convert-{width}x{height}.png")
    sizes = overflow(page)
    assert sizes["scrollWidth"] <= sizes["innerWidth"], ("present", sizes)
