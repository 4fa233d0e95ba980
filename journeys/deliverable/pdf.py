"""The PDF strategy deliverable: a pure function from a journey snapshot to PDF bytes.

WeasyPrint only ever sees our own static files and `data:` URIs. Its default fetcher follows
`file://` and network URLs, so hostile text that slipped into markup could read local files or
reach internal hosts; everything outside the app's static/media is refused and recorded.
"""

from __future__ import annotations

import functools
import gc
import logging
import mimetypes
import ssl
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

import cssselect2
from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import timezone
from weasyprint import CSS, HTML, Document
from weasyprint.css.counters import CounterStyle
from weasyprint.html import UA as WEASYPRINT_UA
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from cvj.colors import brand_pair, shade_for_white_text

from ..choices import OfferKind
from ..rules import LADDER_ORDER, stage_palette, stage_palette_css
from . import plan
from .economics import funnel_bars, journey_economics
from .html_tree import NotSimple, parse_simple_html
from .next_steps import client_next_steps, is_working_draft
from .pages import (  # map_columns and MapColumn are re-exported for tests and callers
    PAPER_MM,
    MapColumn,
    contents,
    ladder_steps,
    map_columns,
    persona_cards,
    printed_stages,
    stages_starting_a_page,
)
from .snapshot import JourneySnapshot

__all__ = ["MapColumn", "map_columns", "render_journey_html", "render_journey_pdf"]

logger = logging.getLogger(__name__)

# A reserved, never-resolving origin: relative URLs in the print templates resolve against it,
# and the fetcher maps it to files on disk without touching the network.
APP_ORIGIN = "https://cvj-app.invalid"


SYSTEM_FONTS = Path("/usr/share/fonts")
_SSL = ssl.create_default_context()
# One font configuration per process: @font-face files are loaded once, not every render.
_FONTS = FontConfiguration()


class FetchRefused(ValueError):
    pass


@dataclass
class AppOnlyFetcher(URLFetcher):
    """Serves /static/… and /media/… of this app and data: URIs; refuses everything else."""

    refused: list[str] = field(default_factory=list)
    served: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        # Only data: URIs reach urllib; a shared SSL context avoids building one per render.
        super().__init__(
            allowed_protocols=("data",), allow_redirects=False, timeout=1, ssl_context=_SSL
        )

    def fetch(self, url: str, headers: dict | None = None) -> URLFetcherResponse:
        if url.startswith("data:"):
            return super().fetch(url, headers)
        path = self._local_path(url)
        if path is None:
            self.refused.append(url)
            logger.warning("PDF renderer refused to fetch %s", url[:200])
            raise FetchRefused(f"Refused to fetch {url[:200]}")
        self.served.append(url)
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(
            url, body=path.read_bytes(), headers={"Content-Type": content_type}
        )

    def _local_path(self, url: str) -> Path | None:
        parts = urlsplit(url)
        if parts.scheme == "file" and not parts.netloc and not parts.query:
            # @font-face local() resolves to the system's font files; those, and only those.
            return _inside(SYSTEM_FONTS, unquote(parts.path).removeprefix(f"{SYSTEM_FONTS}/"))
        if f"{parts.scheme}://{parts.netloc}" != APP_ORIGIN or parts.query:
            return None
        relative = unquote(parts.path)
        static_prefix, media_prefix = settings.STATIC_URL, settings.MEDIA_URL
        if relative.startswith(static_prefix):
            name = relative.removeprefix(static_prefix)
            if ".." in Path(name).parts:
                return None
            found = finders.find(name)
            if found is None and settings.STATIC_ROOT:
                found = _inside(Path(settings.STATIC_ROOT), name)
            return Path(found) if found else None
        if relative.startswith(media_prefix):
            return _inside(Path(settings.MEDIA_ROOT), relative.removeprefix(media_prefix))
        return None


def _inside(root: Path, name: str) -> Path | None:
    candidate = (root / name).resolve()
    root = root.resolve()
    if root in candidate.parents and candidate.is_file():
        return candidate
    return None


# The cover's arc (viewBox 1700 × 800), one segment per stage from left to right: the segment,
# where its number sits, and where its name sits (and which way the name runs).
COVER_ARC = (
    (
        "M250.0 795.3A600 600 0 0 1 293.9 574.8L488.5 653.6A390 390 0 0 0 460.0 796.9Z",
        (365, 723),
        (222, 683, "end"),
    ),
    (
        "M297.5 566.0A600 600 0 0 1 422.4 379.1L572.1 526.4A390 390 0 0 0 490.9 647.9Z",
        (438, 545),
        (318, 452, "end"),
    ),
    (
        "M429.1 372.4A600 600 0 0 1 616.0 247.5L697.9 440.9A390 390 0 0 0 576.4 522.1Z",
        (575, 408),
        (494, 276, "end"),
    ),
    (
        "M624.8 243.9A600 600 0 0 1 845.3 200.0L846.9 410.0A390 390 0 0 0 703.6 438.5Z",
        (753, 335),
        (725, 180, "end"),
    ),
    (
        "M854.7 200.0A600 600 0 0 1 1075.2 243.9L996.4 438.5A390 390 0 0 0 853.1 410.0Z",
        (947, 335),
        (975, 180, "start"),
    ),
    (
        "M1084.0 247.5A600 600 0 0 1 1270.9 372.4L1123.6 522.1A390 390 0 0 0 1002.1 440.9Z",
        (1125, 408),
        (1206, 276, "start"),
    ),
    (
        "M1277.6 379.1A600 600 0 0 1 1402.5 566.0L1209.1 647.9A390 390 0 0 0 1127.9 526.4Z",
        (1262, 545),
        (1382, 452, "start"),
    ),
    (
        "M1406.1 574.8A600 600 0 0 1 1450.0 795.3L1240.0 796.9A390 390 0 0 0 1211.5 653.6Z",
        (1335, 723),
        (1478, 683, "start"),
    ),
)


@dataclass(frozen=True)
class ArcSegment:
    path: str
    color: str
    position: int
    name: str
    number_at: tuple[int, int]
    name_at: tuple[int, int, str]


def cover_arc(snapshot: JourneySnapshot) -> list[ArcSegment]:
    """The cover's arc of the stages, each in its printed stage colour."""
    return [
        ArcSegment(path, color.print, color.position, stage.name, number_at, name_at)
        for stage, color, (path, number_at, name_at) in zip(
            snapshot.stages, stage_palette(), COVER_ARC, strict=True
        )
    ]


def print_theme(snapshot: JourneySnapshot) -> dict[str, str]:
    """Paper and brand as CSS values: the cover and headers take the agency's colour only in a
    shade that keeps text on it at WCAG AA (4.5:1)."""
    paper = snapshot.paper_size if snapshot.paper_size in PAPER_MM else "A4"
    width, height = PAPER_MM[paper]
    background, foreground = brand_pair(snapshot.brand_color)
    accent = shade_for_white_text(background) if snapshot.brand_color else "#3d5ccc"
    return {
        "paper": "letter" if paper == "letter" else "A4",
        "page_w": f"{width}mm",
        "page_h": f"{height}mm",
        "brand_bg": background,
        "brand_fg": foreground,
        "accent": accent,  # brand-coloured text on white, ≥ 4.5:1
        "is_branded": "1" if snapshot.brand_color else "",
    }


@dataclass(frozen=True)
class RenderedPdf:
    content: bytes
    pages: int
    refused_urls: tuple[str, ...]


def render_journey_html(snapshot: JourneySnapshot, *, link_stylesheet: bool = True) -> str:
    """The print HTML (also fed to Chromium by the benchmark for a side-by-side).

    The editor's gaps are the strategist's to-do list and are not passed: nothing unfinished
    is printed for the client."""
    economics = journey_economics(snapshot)
    roadmap = plan.roadmap(snapshot)
    stages = printed_stages(snapshot)
    return render_to_string(
        "pdf/journey.html",
        {
            "s": snapshot,
            "economics": economics,
            "bars": funnel_bars(economics),
            "columns": map_columns(snapshot, economics),
            "summary_blocks": plan.summary_blocks(snapshot.summary),
            "priorities": plan.priorities(snapshot),
            "roadmap": roadmap,
            "next_steps": client_next_steps(snapshot, economics),
            "draft": is_working_draft(snapshot),
            "contents": contents(
                snapshot, has_roadmap=roadmap is not None, has_economics=economics.is_configured
            ),
            "persona_cards": persona_cards(snapshot),
            "stages": stages,
            "stage_pages": stages_starting_a_page(snapshot, stages),
            "theme": print_theme(snapshot),
            "cover_arc": cover_arc(snapshot),
            "offer_kinds": [(kind, OfferKind(kind).label) for kind in LADDER_ORDER],
            "ladder_steps": ladder_steps(snapshot),
            "ladder_referrals": [o for o in snapshot.ladder if o.kind == "referral"],
            "generated_on": timezone.localtime(snapshot.taken_at).date(),
            "link_stylesheet": link_stylesheet,
        },
    )


@functools.cache
def _print_stylesheet() -> CSS:
    """print.css parsed once per process (about 60 ms a render otherwise)."""
    return CSS(
        url=f"{APP_ORIGIN}{settings.STATIC_URL}pdf/print.css",
        url_fetcher=AppOnlyFetcher(),
        font_config=_FONTS,
    )


@functools.cache
def _palette_stylesheet() -> CSS:
    """The stage colours (journeys.rules) as a stylesheet, parsed once per process."""
    return CSS(string=stage_palette_css("print"), font_config=_FONTS)


# Universal pseudo-element rules of WeasyPrint's HTML user-agent sheet. Matched by every element,
# each gave all ~1,200 elements six pseudo-element styles to compute (footnote and note calls and
# markers, which the print HTML never uses, and ::marker, which only list items can have).
_UNUSED_UA_RULES = ("::footnote-call", "::footnote-marker", "::note-call", "::note-marker")
_UNUSED_UA_RULES += ("::note-callback",)


@functools.cache
def _user_agent_stylesheet() -> CSS:
    """WeasyPrint's HTML defaults without the universal pseudo-element rules (parsed once)."""
    lines = [
        "li::marker" + line.removeprefix("::marker") if line.startswith("::marker") else line
        for line in WEASYPRINT_UA.splitlines()
        if not line.startswith(_UNUSED_UA_RULES)
    ]
    # Its @counter-style rules are already in WeasyPrint's own counter styles: a throwaway
    # registry keeps them from being declared twice.
    return CSS(string="\n".join(lines), counter_style=CounterStyle())


class PrintHTML(HTML):
    """The print HTML, parsed by html_tree when it is simple and styled over the trimmed
    user-agent sheet."""

    def __init__(
        self, *, string: str, base_url: str | None = None, url_fetcher: URLFetcher | None = None
    ) -> None:
        try:
            root = parse_simple_html(string)
        except NotSimple as reason:
            logger.info("Print HTML parsed by tinyhtml5: %s", reason)
            super().__init__(string=string, base_url=base_url, url_fetcher=url_fetcher)
            return
        # What HTML.__init__ sets, from the same tree tinyhtml5 would have built.
        self.base_url = base_url
        self.url_fetcher = url_fetcher or URLFetcher()
        self.media_type = "print"
        self.wrapper_element = cssselect2.ElementWrapper.from_html_root(root, content_language=None)
        self.etree_element = self.wrapper_element.etree_element

    def _ua_stylesheets(self, forms: bool = False) -> list[CSS]:
        return [_user_agent_stylesheet()]


def print_stylesheets() -> list[CSS]:
    """What WeasyPrint styles the print HTML with: the stage palette, then print.css."""
    return [_palette_stylesheet(), _print_stylesheet()]


def _on_a_roomy_stack[T](render: Callable[[], T]) -> T:
    return render()


# CPython keeps Python frames in 16 KiB "data stack" chunks and unmaps a chunk as soon as the
# frame at its base returns. WeasyPrint's layout recursion crossed chunk boundaries ~9,500
# times a render: as many mmap/munmap pairs and page faults, ~0.07 CPU-s of kernel time. Declared
# just over 256 KiB deep, this frame gets a 512 KiB chunk whose free half holds the whole render.
_on_a_roomy_stack.__code__ = _on_a_roomy_stack.__code__.replace(co_stacksize=256 * 1024 // 8 + 64)


def render_journey_pdf(snapshot: JourneySnapshot) -> RenderedPdf:
    """Render the deliverable. Pure: the same snapshot gives the same document."""
    html = render_journey_html(snapshot, link_stylesheet=False)
    fetcher = AppOnlyFetcher()
    stylesheets = print_stylesheets()

    def render() -> tuple[Document, bytes]:
        document = PrintHTML(string=html, base_url=f"{APP_ORIGIN}/", url_fetcher=fetcher).render(
            stylesheets=stylesheets, font_config=_FONTS
        )
        # Tagged PDF/UA-1: structure tree, marked content, document language, figure alt text.
        return document, document.write_pdf(pdf_variant="pdf/ua-1")

    # Layout allocates many short-lived objects; the cyclic GC only slows it down (~15 %).
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        document, content = _on_a_roomy_stack(render)
    finally:
        if gc_was_enabled:
            gc.enable()
    return RenderedPdf(
        content=content, pages=len(document.pages), refused_urls=tuple(fetcher.refused)
    )
