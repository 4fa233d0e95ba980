"""Each rule once, in Python (journeys/rules.py): the pages and the PDF receive it, no file
restates it."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from django.urls import reverse

from cvj.colors import WHITE, contrast
from journeys.deliverable.gaps import journey_gaps
from journeys.deliverable.pdf import render_journey_html
from journeys.deliverable.snapshot import journey_snapshot
from journeys.models import StageTactic
from journeys.rules import (
    LADDER_ORDER,
    SCREEN_TEXT_CONTRAST,
    STAGE_HUES,
    STAGE_OFFER_KINDS,
    stage_palette,
    stage_palette_css,
)
from stages.models import STAGE_SLUGS

ROOT = Path(__file__).resolve().parents[2]
SOURCE_SUFFIXES = {".py", ".css", ".html", ".js", ".svg"}
SKIPPED_DIRS = {".venv", "test-artifacts", "node_modules", ".git", "staticfiles", "__pycache__"}


def _source_files() -> list[Path]:
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    return [
        ROOT / name
        for name in listed
        if Path(name).suffix in SOURCE_SUFFIXES
        and not SKIPPED_DIRS & set(Path(name).parts)
        and not name.startswith("tests/")
        and (ROOT / name).is_file()
    ]


def _files_containing(text: str) -> list[str]:
    needle = text.lower()
    return sorted(
        str(path.relative_to(ROOT))
        for path in _source_files()
        if needle in path.read_text(errors="replace").lower()
    )


# --- The stage palette


@pytest.mark.parametrize("slug", STAGE_SLUGS)
def test_each_stage_hue_is_written_in_one_source_file(slug):
    assert _files_containing(STAGE_HUES[slug]) == ["journeys/rules.py"]


@pytest.mark.parametrize("slug", STAGE_SLUGS)
def test_no_source_file_writes_down_a_shade_the_rules_compute(slug):
    (color,) = [c for c in stage_palette() if c.slug == slug]
    for shade in {color.screen, color.print, color.tint, color.tint_2, color.dark} - {color.hue}:
        assert _files_containing(shade) == [], shade


def test_the_palette_follows_the_stage_order():
    assert tuple(STAGE_HUES) == STAGE_SLUGS
    assert [c.position for c in stage_palette()] == list(range(1, len(STAGE_SLUGS) + 1))


def test_stage_colours_carry_white_text_on_screen_and_in_print():
    for color in stage_palette():
        assert contrast(color.print, WHITE) >= 4.5, color
        assert contrast(color.screen, WHITE) >= SCREEN_TEXT_CONTRAST, color


def _declared(css: str, selector: str) -> dict[str, str]:
    body = re.search(re.escape(selector) + r"\{([^}]*)\}", css)
    assert body, selector
    return dict(part.split(":", 1) for part in body.group(1).split(";") if part)


@pytest.mark.django_db
def test_pages_receive_the_screen_palette_as_custom_properties(strategist_client, journey):
    page = strategist_client.get(reverse("journey_editor", args=[journey.pk])).content.decode()
    assert f"<style>{stage_palette_css('screen')}</style>" in page
    root = _declared(stage_palette_css("screen"), ":root")
    for color in stage_palette():
        assert root[f"--stage-{color.slug}"] == color.screen
        assert root[f"--stage-{color.slug}-tint"] == color.tint
        classes = _declared(stage_palette_css("screen"), f".s-{color.slug},.c{color.position}")
        assert classes["--stage-color"] == classes["--c"] == color.screen
        assert classes["--d"] == color.dark


@pytest.mark.django_db
def test_the_print_template_receives_the_print_palette(journey):
    html = render_journey_html(journey_snapshot(journey))
    assert f"<style>{stage_palette_css('print')}</style>" in html
    for color in stage_palette():
        assert f'<path fill="{color.print}"' in html  # the cover's arc


def test_style_sheets_name_stage_colours_only_through_custom_properties():
    for sheet in ("static/css/app.css", "static/pdf/print.css"):
        text = (ROOT / sheet).read_text()
        assert not re.search(r"\.(c[1-8]|s-(" + "|".join(STAGE_SLUGS) + r"))\b\s*[{,]", text), sheet


# --- Offer kinds per stage, and the ladder


def test_the_ladder_climbs_with_the_stages_that_take_each_kind():
    assert LADDER_ORDER == ("lead_magnet", "entry_point", "core", "ascension", "referral")
    assert list(STAGE_OFFER_KINDS) == [s for s in STAGE_SLUGS if s in STAGE_OFFER_KINDS]


def test_no_other_file_restates_the_ladder_or_a_stages_offer_kinds():
    assert _files_containing('("lead_magnet", "entry_point"') == []
    assert _files_containing('"subscribe": ("lead_magnet",)') == ["journeys/rules.py"]
    assert _files_containing('"ascend": ("core", "ascension")') == ["journeys/rules.py"]


# --- A gap's fix as a plan step


@pytest.mark.django_db
def test_every_gap_at_a_stage_names_the_tactic_that_fixes_it(journey):
    gaps = journey_gaps(journey_snapshot(journey))
    assert any(gap.stage for gap in gaps)
    for gap in gaps:
        assert bool(gap.tactic_name) == bool(gap.stage), gap
        assert len(gap.tactic_name) <= 120, gap


@pytest.mark.django_db
def test_a_gap_added_to_the_plan_is_named_by_the_gap(strategist_client, journey):
    (gap,) = [g for g in journey_gaps(journey_snapshot(journey)) if g.stage == "subscribe"][:1]
    strategist_client.post(
        reverse("plan_add_gap", args=[journey.pk]), {"rule": gap.rule, "stage": gap.stage}
    )
    added = StageTactic.objects.get(journey_stage__journey=journey, custom_name=gap.tactic_name)
    assert added.journey_stage.stage.slug == "subscribe"


# --- Complete


@pytest.mark.parametrize(
    ("field", "before", "after", "moves"),
    [
        ("goal", "", "Get seen", True),
        ("goal", "Get seen", "  ", True),
        ("goal", "Get seen", "Get seen locally", False),
        ("target_conversion", "", "12", True),
        ("notes", "", "Anything", False),  # not part of completeness
    ],
)
def test_the_author_and_live_viewers_refresh_the_rail_on_the_same_saves(
    field, before, after, moves
):
    from journeys.models import JourneyStage
    from journeys.services import field_changes_rail, field_parts

    assert field_changes_rail(JourneyStage, field, before, after) is moves
    assert ("rail" in field_parts(JourneyStage, field, before, after)) is moves


def test_a_tactics_fields_never_move_a_stage_meter():
    from journeys.models import StageTactic
    from journeys.services import field_parts

    assert field_parts(StageTactic, "notes", "", "Call Tuesday") == ("insights",)


def test_completeness_is_defined_once():
    for name in ("COMPLETENESS_FIELDS = ", "def is_filled"):
        assert _files_containing(name) == ["journeys/rules.py"], name


# --- The intro and the stage order


def test_the_intro_length_is_stated_once():
    assert _files_containing("INTRO_MINUTES = ") == ["journeys/rules.py"]


def test_the_stage_order_is_stated_once_in_python():
    order = '"aware", "engage", "subscribe", "convert", "excite", "ascend", "advocate", "promote"'
    # The portable format's schema pins the slugs of its own version on purpose.
    assert _files_containing(order) == ["journeys/portable/schema.py", "stages/models.py"]
