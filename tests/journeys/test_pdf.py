from __future__ import annotations

import io
import shutil
import subprocess

import pytest
from pypdf import PdfReader
from weasyprint import HTML
from weasyprint.css import get_all_computed_styles

from journeys.deliverable.pdf import (
    APP_ORIGIN,
    AppOnlyFetcher,
    PrintHTML,
    _on_a_roomy_stack,
    render_journey_pdf,
)
from journeys.deliverable.snapshot import journey_snapshot
from journeys.services import offer_attach, tactic_add
from stages.models import Tactic
from tests.factories import OfferFactory

pytestmark = pytest.mark.django_db

HOSTILE = [
    "<script>alert('x')</script>",
    '<img src="file:///etc/passwd">',
    '<link rel="attachment" href="file:///etc/hostname">',
    "background: url(http://169.254.169.254/latest/meta-data/)",
]


def pdf_text(content: bytes) -> str:
    """Text of the PDF via poppler when present (keeps reading order), else pypdf."""
    if shutil.which("pdftotext"):
        out = subprocess.run(
            ["pdftotext", "-layout", "-", "-"], input=content, capture_output=True, check=True
        )
        return out.stdout.decode()
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def flat(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture
def full_journey(journey):
    """Every stage gets a library tactic; offers sit where they belong."""
    for entry in journey.stages.select_related("stage"):
        tactic = Tactic.objects.filter(stage=entry.stage, agency__isnull=True).first()
        tactic_add(journey_stage=entry, tactic=tactic, notes=f"Notes for {entry.stage.name}")
        tactic_add(journey_stage=entry, custom_name=f"Custom {entry.stage.slug} move")
    business = journey.business
    stages = {e.stage.slug: e for e in journey.stages.select_related("stage")}
    offer_attach(
        journey_stage=stages["subscribe"],
        offer=OfferFactory(business=business, kind="lead_magnet", name="Free Guide", price=0),
    )
    offer_attach(
        journey_stage=stages["convert"],
        offer=OfferFactory(business=business, kind="entry_point", name="Starter Clean", price=19),
    )
    offer_attach(journey_stage=stages["ascend"], offer=journey.core_offer)
    offer_attach(
        journey_stage=stages["promote"],
        offer=OfferFactory(business=business, kind="referral", name="Give 25 Get 25", price=0),
    )
    return journey


def test_pdf_lists_the_eight_stages_in_order_and_every_tactic_and_offer(full_journey):
    snapshot = journey_snapshot(full_journey)
    rendered = render_journey_pdf(snapshot)
    text = flat(pdf_text(rendered.content))
    assert rendered.content.startswith(b"%PDF")
    assert rendered.pages >= 8
    # The per-stage sections appear in CVJ order.
    positions = [text.find(f"{s.position}. {s.name}") for s in snapshot.stages]
    positions = [text.find(s.name, text.find("1. Aware")) for s in snapshot.stages]
    assert all(p >= 0 for p in positions), positions
    assert positions == sorted(positions)
    for stage in snapshot.stages:
        for tactic in stage.tactics:
            assert tactic.name in text
        for offer in stage.offers:
            assert offer.name in text
    assert full_journey.business.name in text
    assert full_journey.persona.name in text
    assert rendered.refused_urls == ()


def test_pdf_embeds_its_fonts(full_journey, tmp_path):
    # poppler-utils is a CI system dependency (.ci/system-deps): without it this test fails.
    assert shutil.which("pdffonts"), "pdffonts missing: run .ci/system-deps"
    rendered = render_journey_pdf(journey_snapshot(full_journey))
    pdf = tmp_path / "journey.pdf"
    pdf.write_bytes(rendered.content)
    fonts = subprocess.run(
        ["pdffonts", str(pdf)], capture_output=True, check=True, text=True
    ).stdout
    rows = [line for line in fonts.splitlines()[2:] if line.strip()]
    assert rows, fonts
    assert all(" yes " in row for row in rows), fonts


def test_hostile_text_renders_literally_and_triggers_no_fetch(full_journey, monkeypatch):
    fetched: list[str] = []
    original = AppOnlyFetcher.fetch

    def recording_fetch(self, url, headers=None):
        fetched.append(url)
        return original(self, url, headers)

    monkeypatch.setattr(AppOnlyFetcher, "fetch", recording_fetch)
    business = full_journey.business
    business.name = HOSTILE[1]
    business.save()
    persona = full_journey.persona
    persona.name = persona.pains = HOSTILE[2]
    persona.save()
    aware = full_journey.stages.get(stage__slug="aware")
    aware.goal, aware.notes = HOSTILE[0], HOSTILE[3]
    aware.save()
    tactic_add(journey_stage=aware, custom_name='<a href="http://evil.example/">click</a>')

    rendered = render_journey_pdf(journey_snapshot(full_journey))
    # Long unbroken "words" wrap anywhere in a column, so compare without whitespace.
    text = "".join(pdf_text(rendered.content).split())
    for hostile in HOSTILE:
        assert "".join(hostile.split()) in text, hostile
    assert '<ahref="http://evil.example/">click</a>' in text
    # Only our own static files could have been fetched (the stylesheet and fonts are cached
    # per process, so often nothing is); nothing was refused because nothing was tried.
    assert all(url.startswith(f"{APP_ORIGIN}/static/") for url in fetched)
    assert rendered.refused_urls == ()
    reader = PdfReader(io.BytesIO(rendered.content))
    assert not reader.attachments


def test_fetcher_refuses_files_networks_and_traversal_even_in_raw_markup():
    """Defence in depth: were markup ever unescaped, the fetcher still reaches nothing."""
    fetcher = AppOnlyFetcher()
    html = (
        '<link rel="attachment" href="file:///etc/hostname">'
        '<img src="file:///etc/passwd">'
        '<img src="http://169.254.169.254/latest/meta-data/">'
        '<div style="background: url(http://127.0.0.1:9/x.png)">x</div>'
        '<img src="/static/../../../../etc/passwd">'
        '<img src="/media/../cvj/settings.py">'
        '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">'
    )
    content = HTML(string=html, base_url=f"{APP_ORIGIN}/", url_fetcher=fetcher).write_pdf()
    refused = " ".join(fetcher.refused)
    assert "file:///etc/hostname" in refused
    assert "file:///etc/passwd" in refused
    assert "169.254.169.254" in refused
    assert "127.0.0.1:9" in refused
    assert not any("passwd" in url or "settings.py" in url for url in fetcher.served)
    assert not PdfReader(io.BytesIO(content)).attachments


def test_fetcher_serves_our_static_files():
    fetcher = AppOnlyFetcher()
    response = fetcher.fetch(f"{APP_ORIGIN}/static/pdf/print.css")
    assert b"@page" in response.read()
    with pytest.raises(ValueError):
        fetcher.fetch(f"{APP_ORIGIN}/static/does-not-exist.css")


def test_render_is_a_pure_function_of_the_snapshot(full_journey):
    snapshot = journey_snapshot(full_journey)
    first = render_journey_pdf(snapshot)
    aware = full_journey.stages.get(stage__slug="aware")
    aware.goal = "Changed after the snapshot"
    aware.save()
    second = render_journey_pdf(snapshot)
    assert first.pages == second.pages
    assert "Changed after the snapshot" not in pdf_text(second.content)


def test_print_html_computes_no_pseudo_element_styles_it_cannot_use():
    html = PrintHTML(
        string='<ol style="list-style: decimal inside"><li>One</li><li>Two</li></ol><p>Plain</p>'
    )
    style_for = get_all_computed_styles(html)
    pseudo_types = {pseudo for _, pseudo in style_for.get_computed_styles() if pseudo}
    assert pseudo_types == {"marker"}  # list items keep their markers, nothing else gets one
    text = flat(pdf_text(html.render().write_pdf()))
    assert "1. One 2. Two Plain" in text


def test_the_render_runs_on_a_stack_chunk_big_enough_for_weasyprints_recursion():
    # A frame declared just over 256 KiB deep makes CPython allocate a 512 KiB data-stack chunk;
    # the render's frames fit in its free half instead of mapping and unmapping 16 KiB chunks.
    assert _on_a_roomy_stack.__code__.co_stacksize * 8 > 256 * 1024
    assert _on_a_roomy_stack(lambda: "rendered") == "rendered"
