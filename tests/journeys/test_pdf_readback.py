"""The deliverable read back as the client reads it: four documents rendered once each (the
demo, the demo fully planned, a nearly empty journey, the stress journey) and checked from the
PDF's own text and word boxes (pdfplumber): no placeholders or strategist to-dos, rows that
multiply out, one spend, no overlapping or escaping words, stages headed by their name, and a
contents page whose page numbers are right."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal

import pdfplumber
import pytest
from django.core.management import call_command
from django.db import transaction

from journeys import demo
from journeys.deliverable import plan
from journeys.deliverable.economics import journey_economics
from journeys.deliverable.next_steps import is_working_draft, journey_completeness
from journeys.deliverable.pdf import render_journey_pdf
from journeys.deliverable.snapshot import JourneySnapshot, journey_snapshot
from journeys.models import Journey
from journeys.templatetags.cvj import money
from tests.journeys.pdf_samples import (
    fully_planned,
    nearly_empty_snapshot,
    stress_render,
    stress_snapshot,
)

# The demo is seeded once per module (rolled back); marking the module is what makes
# pytest-django set the test database up before the module's fixtures run.
pytestmark = pytest.mark.django_db

MM = 72 / 25.4  # PDF points per millimetre
# Page margins of static/pdf/print.css (top, right, bottom, left) in mm: portrait, the map.
MARGINS = {"portrait": (22, 18, 18, 18), "landscape": (20, 14, 16, 14)}
PLACEHOLDERS = re.compile(r"Not set|No notes|not set|TODO|\bNone\b|Industry not set")
STRATEGIST_TODOS = (
    "Add at least one",
    "raise the assumption",
    "trim the plan",
    "Gaps to close",
    "Critical: fix first",
)


@dataclass
class Document:
    name: str
    snapshot: JourneySnapshot
    content: bytes
    pages: list[str] = field(default_factory=list)  # text per page
    words: list[list[dict]] = field(default_factory=list)  # word boxes per page
    sizes: list[tuple[float, float]] = field(default_factory=list)

    def header(self, index: int) -> str:
        """The running header's section name (top right of the page, in the top margin)."""
        width, _ = self.sizes[index]
        return " ".join(
            w["text"] for w in self.words[index] if w["bottom"] < 20 * MM and w["x0"] > width * 0.6
        )

    def flat(self, index: int) -> str:
        return " ".join(self.pages[index].split())


def _read(name: str, snapshot: JourneySnapshot, content: bytes) -> Document:
    document = Document(name, snapshot, content)
    with pdfplumber.open(io.BytesIO(content)) as pdf:
        for page in pdf.pages:
            document.pages.append(page.extract_text() or "")
            document.words.append(page.extract_words(extra_attrs=["size"]))
            document.sizes.append((float(page.width), float(page.height)))
    return document


@pytest.fixture(scope="module")
def demo_snapshot(django_db_setup, django_db_blocker) -> JourneySnapshot:
    """The seeded demo journey, frozen; the seed is rolled back so no other test sees it."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", stdout=io.StringIO())
        snapshot = journey_snapshot(Journey.objects.get(title=demo.DEMO_JOURNEY["title"]))
        transaction.set_rollback(True)
    return snapshot


@pytest.fixture(scope="module")
def documents(demo_snapshot) -> dict[str, Document]:
    """Each document rendered once for the whole module."""
    planned = fully_planned(demo_snapshot)
    empty = nearly_empty_snapshot()
    return {
        "demo": _read("demo", demo_snapshot, render_journey_pdf(demo_snapshot).content),
        "planned": _read("planned", planned, render_journey_pdf(planned).content),
        "nearly_empty": _read("nearly_empty", empty, render_journey_pdf(empty).content),
        "stress": _read("stress", stress_snapshot(), stress_render()[0]),
    }


ALL = ("demo", "planned", "nearly_empty", "stress")


@pytest.mark.parametrize("name", ALL)
def test_no_placeholder_or_strategist_todo_reaches_the_client(documents, name):
    document = documents[name]
    for index, text in enumerate(document.pages):
        flat = " ".join(text.split())
        assert not PLACEHOLDERS.search(flat), (index + 1, PLACEHOLDERS.search(flat))
        for todo in STRATEGIST_TODOS:
            assert todo not in flat, (index + 1, todo)
        for line in text.splitlines():
            assert line.strip() != "—", (index + 1, "a row of —")
        lone = [w for w in _isolated_dashes(document.words[index])]
        assert not lone, (index + 1, "— alone as a value")


def _isolated_dashes(words: list[dict]) -> Iterator[dict]:
    """A "—" with no word beside it on its line: a table cell or value left empty."""
    for word in words:
        if word["text"] != "—":
            continue
        neighbours = [
            w
            for w in words
            if w is not word
            and abs(w["top"] - word["top"]) < 2
            and (0 <= word["x0"] - w["x1"] < 8 or 0 <= w["x0"] - word["x1"] < 8)
        ]
        if not neighbours:
            yield word


# "<N> <people word> × <price>[ <billing words>] = <amount>/mo", as the economics print rows.
ROW = re.compile(
    r"(?P<n>\d[\d,]*(?:\.\d+)?) (?P<who>[A-Za-z][A-Za-z -]*?) × (?P<price>\S*?\d[\d,]*(?:\.\d+)?)"
    r"(?P<billing>(?: [a-z][a-z -]*?)?) = (?P<amount>\S*?\d[\d,]*(?:\.\d+)?)/mo"
)
PAYMENTS_PER_MONTH = {
    "": Decimal(1),
    "one-time": Decimal(1),
    "per visit": Decimal(1),
    "a visit": Decimal(1),
    "a week": Decimal(52) / 12,
    "a quarter": Decimal(1) / 3,
    "monthly": Decimal(1),
    "a month": Decimal(1),
    "weekly": Decimal(52) / 12,
    "every week": Decimal(52) / 12,
    "every two weeks": Decimal(26) / 12,
    "biweekly": Decimal(26) / 12,
    "quarterly": Decimal(1) / 3,
    "every quarter": Decimal(1) / 3,
    "yearly": Decimal(1) / 12,
    "a year": Decimal(1) / 12,
}


def _number(text: str) -> tuple[Decimal, Decimal]:
    """A printed amount and the precision it was printed to (0.01 with cents, else 1)."""
    digits = re.search(r"\d[\d,]*(?:\.\d+)?", text).group().replace(",", "")
    places = len(digits.split(".")[1]) if "." in digits else 0
    return Decimal(digits), Decimal(1).scaleb(-places)


@pytest.mark.parametrize("name", ("demo", "planned", "stress"))
def test_every_row_multiplies_out_to_the_cent_as_printed(documents, name):
    document = documents[name]
    text = " ".join(" ".join(page.split()) for page in document.pages)
    rows = list(ROW.finditer(text))
    assert rows, "no 'N people × price = amount/mo' row printed"
    for row in rows:
        people, _ = _number(row["n"])
        price, _ = _number(row["price"])
        amount, precision = _number(row["amount"])
        billing = row["billing"].strip().lower()
        assert billing in PAYMENTS_PER_MONTH, row.group()
        exact = people * price * PAYMENTS_PER_MONTH[billing]
        assert abs(exact - amount) <= precision / 2, (row.group(), exact)


def _section_pages(document: Document, section: str) -> list[int]:
    return [i for i in range(len(document.pages)) if document.header(i) == section]


@pytest.mark.parametrize("name", ("demo", "planned", "stress"))
def test_the_spend_is_one_figure_on_summary_roadmap_economics_and_next_steps(documents, name):
    document = documents[name]
    economics = journey_economics(document.snapshot)
    spend = money(economics.spend, document.snapshot.core_offer.currency)
    assert economics.spend > 0
    sections = ["Summary", "The numbers", "Next steps"]
    if plan.roadmap(document.snapshot):
        sections.append("Roadmap")
    for section in sections:
        pages = _section_pages(document, section)
        assert pages, section
        text = " ".join(document.flat(i) for i in pages)
        assert spend in text, (section, spend)


@pytest.mark.parametrize("name", ALL)
def test_no_two_words_overlap_and_none_leaves_the_content_box(documents, name):
    document = documents[name]
    for index, words in enumerate(document.words):
        width, height = document.sizes[index]
        if index > 0:  # the cover is full bleed; every other page has its margins
            top, right, bottom, left = MARGINS["landscape" if width > height else "portrait"]
            for w in words:
                assert w["x0"] >= left * MM - 1 and w["x1"] <= width - right * MM + 1, (
                    index + 1,
                    w["text"],
                    "outside the content box",
                )
                in_body = top * MM <= w["top"] < height - bottom * MM
                if in_body:
                    assert w["bottom"] <= height - bottom * MM + 1, (index + 1, w["text"])
        else:
            assert all(w["x0"] >= 0 and w["x1"] <= width for w in words)
        _assert_no_overlap(words, index + 1)


def _assert_no_overlap(words: list[dict], page: int) -> None:
    ordered = sorted(words, key=lambda w: w["top"])
    for i, word in enumerate(ordered):
        for other in ordered[i + 1 :]:
            if other["top"] >= word["bottom"] - 1:
                break
            overlap_x = min(word["x1"], other["x1"]) - max(word["x0"], other["x0"])
            overlap_y = min(word["bottom"], other["bottom"]) - max(word["top"], other["top"])
            # Glyph boxes of tall scripts (Arabic, CJK) reach past their line: two lines touch
            # by a few points; words drawn over each other share most of their height.
            shortest = min(word["bottom"] - word["top"], other["bottom"] - other["top"])
            assert overlap_x <= 1 or overlap_y <= shortest / 2, (page, word["text"], other["text"])


@pytest.mark.parametrize("name", ALL)
def test_each_stage_page_is_headed_by_its_stage(documents, name):
    document = documents[name]
    firsts = []
    for stage in document.snapshot.stages:
        heading = f"{stage.position}. {stage.name}"
        pages = [i for i, words in enumerate(document.words) if _has_heading(words, heading)]
        if not pages:
            continue  # an empty stage has no page of its own (it is on the map)
        first = pages[0]
        firsts.append(first)
        assert document.header(first) == f"Stage {stage.position} · {stage.name}", first + 1
    assert firsts == sorted(firsts) and firsts
    # A stage's later pages keep its name in the header until the next stage starts.
    ends = [*firsts[1:], _next_section_page(document, firsts[-1])]
    for first, end in zip(firsts, ends, strict=True):
        for page in range(first, end):
            assert document.header(page) == document.header(first), page + 1


def _has_heading(words: list[dict], heading: str) -> bool:
    big = " ".join(w["text"] for w in words if w["size"] >= 18)
    return heading in big


def _next_section_page(document: Document, after: int) -> int:
    for index in range(after + 1, len(document.pages)):
        if not document.header(index).startswith("Stage "):
            return index
    return len(document.pages)


def test_the_stress_journeys_cover_holds_and_page_two_is_not_blank(documents):
    document = documents["stress"]
    assert len(document.words[1]) > 30
    assert document.header(1) == "Contents"


@pytest.mark.parametrize("name", ALL)
def test_the_contents_page_lists_the_sections_with_the_right_page_numbers(documents, name):
    document = documents[name]
    contents = next(i for i in range(len(document.pages)) if document.header(i) == "Contents")
    entries = re.findall(r"^(\d+) (.+)$", document.pages[contents], re.MULTILINE)
    titles = [title for _, title in entries]
    for section in ("Executive summary", "Customer avatar", "The offer ladder", "Next steps"):
        assert section in titles
    numbers = [int(n) for n, _ in entries]
    assert numbers == sorted(numbers) and numbers[0] > contents + 1
    for number, title in zip(numbers, titles, strict=True):
        page = document.flat(number - 1).lower()
        assert " ".join(title.split()).lower() in page, (title, number)
        if title[0].isdigit():  # a stage: its heading is on that page and on none before
            assert _has_heading(document.words[number - 1], title), (title, number)
            assert not any(_has_heading(document.words[i], title) for i in range(number - 1))


def test_a_thin_journey_prints_as_a_working_draft_and_a_full_one_does_not(documents):
    empty, full = documents["nearly_empty"], documents["planned"]
    assert is_working_draft(empty.snapshot) and not is_working_draft(full.snapshot)
    assert journey_completeness(empty.snapshot) < journey_completeness(full.snapshot)
    assert "working draft" in empty.flat(0).lower()
    for index in range(1, len(empty.pages)):
        footer = " ".join(
            w["text"] for w in empty.words[index] if w["top"] > empty.sizes[index][1] - 18 * MM
        )
        assert "Working draft" in footer, index + 1
    assert not any("working draft" in full.flat(i).lower() for i in range(len(full.pages)))


def test_the_ending_speaks_to_the_client(documents):
    planned = documents["planned"]
    last = " ".join(planned.flat(i) for i in _section_pages(planned, "Next steps")).lower()
    for part in (
        "Decisions we need from you",
        "The first 30 days",
        "Your investment",
        "Our next meeting",
        "Tuesday 12 January 2027",
        "We send the ad copy for approval on Friday.",
        "Share access to your Google Business profile",
        planned.snapshot.strategist_email,
    ):
        assert part.lower() in last, part
    first = plan.first_30_days(planned.snapshot)
    assert first and all(t.name.lower() in last for t, _ in first)
    # no meeting set: no meeting block (the demo has none)
    demo_ending = " ".join(
        documents["demo"].flat(i) for i in _section_pages(documents["demo"], "Next steps")
    )
    assert "our next meeting" not in demo_ending.lower()


def test_unscheduled_tactics_are_one_backlog_and_the_roadmap_has_a_month_budget(documents):
    demo_doc, planned = documents["demo"], documents["planned"]
    roadmap = plan.roadmap(demo_doc.snapshot)
    assert roadmap is not None
    text = " ".join(demo_doc.flat(i) for i in _section_pages(demo_doc, "Roadmap"))
    assert ("Backlog" in text) == bool(roadmap.backlog)
    for tactic in roadmap.backlog:
        assert tactic.name in text
    planned_roadmap = plan.roadmap(planned.snapshot)
    assert not planned_roadmap.backlog
    assert "Budget month by month" in " ".join(
        planned.flat(i) for i in _section_pages(planned, "Roadmap")
    )
    # Once every tactic runs, a month costs the plan's whole monthly budget: the one spend.
    last = planned_roadmap.month_budgets[-1]
    assert last.running == len(planned.snapshot.tactics)
    assert last.budget == journey_economics(planned.snapshot).spend


def test_month_budgets_add_each_tactic_from_the_month_it_starts():
    snapshot = fully_planned(nearly_empty_snapshot())
    roadmap = plan.roadmap(snapshot)
    (tactic,) = snapshot.tactics
    assert [m.budget for m in roadmap.month_budgets] == [tactic.monthly_budget] * 6
    assert roadmap.rows[0].first_column == 0 and all(roadmap.rows[0].cells)
    assert plan.roadmap(nearly_empty_snapshot()) is None  # nothing scheduled: no roadmap


def test_a_latin_journey_prints_in_inter_and_its_arrows_alone(documents):
    """The demo (Latin text, "Subscribe → Convert", the funnel chart) embeds Inter and the
    arrows' face only: no glyph falls back to Noto or to the CJK font, as the funnel's labels
    and the arrows once did."""
    with pdfplumber.open(io.BytesIO(documents["demo"].content)) as pdf:
        fonts = {ch["fontname"].split("+", 1)[-1] for page in pdf.pages for ch in page.chars}
    assert "CVJ-Arrows" in fonts or "CVJ-Arrows-Bold" in fonts
    assert fonts <= {"Inter", "Inter-Semi-Bold", "Inter-Bold", "CVJ-Arrows", "CVJ-Arrows-Bold"}
