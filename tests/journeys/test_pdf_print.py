"""Print quality of the PDF deliverable: tagging, every script, nothing clipped, layout."""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader
from pypdf.generic import IndirectObject
from weasyprint.formatting_structure import boxes

from cvj.colors import WHITE, brand_pair, contrast
from journeys.deliverable import pdf as renderer
from journeys.deliverable.pdf import map_columns, render_journey_pdf
from journeys.deliverable.plan import summary_blocks
from journeys.rules import stage_print_colors
from journeys.templatetags.print_tags import clip
from tests.journeys.pdf_samples import MIXED, empty_snapshot, stress_render, stress_snapshot


def _resolve(obj):  # noqa: ANN001, ANN202
    return obj.get_object() if isinstance(obj, IndirectObject) else obj


def _struct_elements(reader: PdfReader) -> list[dict]:
    """Every structure element of the tagged PDF, depth first."""
    root = _resolve(reader.trailer["/Root"]["/StructTreeRoot"])
    found, stack = [], [root]
    while stack:
        node = _resolve(stack.pop())
        if not hasattr(node, "get"):
            continue
        if node.get("/Type") == "/StructElem":
            found.append(node)
        kids = node.get("/K")
        if kids is None:
            continue
        kids = _resolve(kids)
        stack.extend(kids if isinstance(kids, list) else [kids])
    return found


@pytest.fixture(scope="module")
def stress_pdf() -> tuple[bytes, tuple[str, ...]]:
    return stress_render()


def test_pdf_is_tagged_with_language_and_alt_text_for_every_figure(stress_pdf):
    content, _ = stress_pdf
    reader = PdfReader(io.BytesIO(content))
    catalog = reader.trailer["/Root"]
    assert "/StructTreeRoot" in catalog
    assert catalog["/MarkInfo"]["/Marked"] in (True, "true")
    assert str(catalog["/Lang"]) == "en"
    elements = _struct_elements(reader)
    kinds = [str(e["/S"]) for e in elements]
    assert "/H1" in kinds and "/H2" in kinds and "/L" in kinds and "/Table" in kinds
    figures = [e for e in elements if e["/S"] == "/Figure"]
    # the cover arc, the persona portrait and the funnel chart
    assert len(figures) >= 3
    alts = [str(f.get("/Alt", "")) for f in figures]
    assert all(alt.strip() for alt in alts), alts
    assert any("Customer Value Journey" in a for a in alts)
    assert any("funnel" in a.lower() for a in alts)


def test_stress_journey_prints_every_script_without_notdef(stress_pdf):
    content, messages = stress_pdf
    assert not [m for m in messages if "notdef" in m.lower()]
    assert not [m for m in messages if "no required alt" in m]


def test_stress_journey_has_every_tactic_and_offer_name_extractable(stress_pdf):
    content, _ = stress_pdf
    reader = PdfReader(io.BytesIO(content))
    text = " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)
    squashed = re.sub(r"\s+", "", text)
    snapshot = stress_snapshot()
    names = [t.name for t in snapshot.tactics] + [o.name for o in snapshot.ladder]
    missing = [n for n in names if re.sub(r"\s+", "", n) not in squashed]
    assert not missing, missing[:3]
    assert "日本語" in text
    assert "مرحبا" in squashed or "ابحرم" in squashed  # extraction may keep visual order
    assert "€1,234,567.89" in squashed  # a price never broken inside


def test_stress_map_page_keeps_every_box_inside_its_column():
    snapshot = stress_snapshot()
    html = renderer.render_journey_html(snapshot, link_stylesheet=False)
    from weasyprint import HTML

    document = HTML(
        string=html, base_url=f"{renderer.APP_ORIGIN}/", url_fetcher=renderer.AppOnlyFetcher()
    ).render(stylesheets=renderer.print_stylesheets(), font_config=renderer._FONTS)
    map_pages = [
        page
        for page in document.pages
        if any(_has_class(box, "flow") for box in _walk(page._page_box))
    ]
    assert len(map_pages) == 1, "the map fits one page"
    columns = [b for b in _walk(map_pages[0]._page_box) if _has_class(b, "col-body")]
    assert len(columns) == 8
    for column in columns:
        left, top = column.border_box_x(), column.border_box_y()
        right, bottom = left + column.border_width(), top + column.border_height()
        for child in _walk(column):
            if child is column or not hasattr(child, "border_box_x"):
                continue
            x, y = child.border_box_x(), child.border_box_y()
            assert x >= left - 0.5 and y >= top - 0.5, _describe(child)
            assert x + child.border_width() <= right + 0.5, _describe(child)
            assert y + child.border_height() <= bottom + 0.5, _describe(child)
    # what does not fit says so, with the page where the rest is
    more = [b for b in _walk(map_pages[0]._page_box) if _has_class(b, "more")]
    assert more and all("page" in _text(b) for b in more)


def _walk(box):  # noqa: ANN001, ANN202
    yield box
    for child in getattr(box, "children", ()):
        yield from _walk(child)


def _has_class(box, name: str) -> bool:  # noqa: ANN001
    """A block box generated by an element with that class (not its ::before/::after)."""
    return (
        isinstance(box, boxes.BlockBox)
        and box.element is not None
        and "::" not in (box.element_tag or "")
        and name in (box.element.get("class") or "").split()
    )


def _text(box) -> str:  # noqa: ANN001
    return "".join(getattr(b, "text", "") for b in _walk(box))


def _describe(box) -> str:  # noqa: ANN001
    return f"{type(box).__name__} {_text(box)[:60]!r} outside its column"


def test_map_columns_show_what_fits_and_count_the_rest():
    snapshot = stress_snapshot()
    for column in map_columns(snapshot):
        assert 0 < len(column.tactics) < len(column.stage.tactics)
        assert len(column.tactics) + column.tactics_more == len(column.stage.tactics)
        assert len(column.offers) + column.offers_more == len(column.stage.offers)


def _all_text(content: bytes) -> str:
    return " ".join((p.extract_text() or "") for p in PdfReader(io.BytesIO(content)).pages)


def test_empty_journey_prints_no_gaps_no_roadmap_and_no_boilerplate():
    text = _all_text(render_journey_pdf(empty_snapshot()).content)
    assert "Aware has no tactic" not in text  # the editor's gaps stay in the editor
    assert "Put the plan in motion" not in text
    assert "Roadmap" not in text  # nothing scheduled: no roadmap page


def test_next_steps_list_the_first_30_days_and_open_questions(stress_pdf):
    content, _ = stress_pdf
    reader = PdfReader(io.BytesIO(content))
    tail = " ".join((p.extract_text() or "") for p in reader.pages[-3:])
    assert "Next steps" in tail and "The first 30 days" in tail
    assert "Who approves the ad budget?" in tail
    assert "your investment" in tail.lower()


def test_stage_colours_and_brand_pass_wcag_aa_with_white_text():
    assert all(contrast(c, WHITE) >= 4.5 for c in stage_print_colors())
    for colour in ("#ffd400", "#e8590c", "#00ff00", "#ffffff", "#000000"):
        background, text = brand_pair(colour)
        assert contrast(background, text) >= 4.5, colour
    assert brand_pair("not-a-colour") == ("#16213a", "#ffffff")


def test_print_css_has_no_text_below_7_5_pt():
    css = (renderer.Path(__file__).resolve().parents[2] / "static/pdf/print.css").read_text()
    sizes = [float(s) for s in re.findall(r"font-size:\s*([\d.]+)pt", css)]
    sizes += [float(s) for s in re.findall(r"font:\s*\d+\s+([\d.]+)pt", css)]
    assert sizes and min(sizes) >= 7.5


def test_clip_cuts_at_a_word_boundary_never_mid_word():
    assert clip("Comparison and alternatives pages", 20) == "Comparison and…"
    assert clip("short", 20) == "short"
    assert not clip(MIXED * 3, 30).endswith(" …")
    assert clip("مرحبا بكم في مقهى زوي الجميل", 16).endswith("…")
    assert " ".join(clip("مرحبا بكم في مقهى زوي الجميل", 16)[:-1].split()) in (
        "مرحبا بكم في",
        "مرحبا بكم في مقهى",
    )


def test_summary_markup_is_paragraphs_and_lists_of_plain_text():
    blocks = summary_blocks("One <b>bold</b>\nline.\n\n- first\n- second\n\nLast.")
    assert [(b.kind, b.lines) for b in blocks] == [
        ("p", ("One <b>bold</b> line.",)),
        ("ul", ("first", "second")),
        ("p", ("Last.",)),
    ]
    html = renderer.render_journey_html(
        stress_snapshot().__class__(**{**stress_snapshot().__dict__, "summary": "<b>x</b>"})
    )
    assert "&lt;b&gt;x&lt;/b&gt;" in html and "<b>x</b>" not in html
