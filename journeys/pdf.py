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
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import timezone
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from .economics import funnel_bars, journey_economics
from .gaps import journey_gaps
from .snapshot import JourneySnapshot

logger = logging.getLogger(__name__)

# A reserved, never-resolving origin: relative URLs in the print templates resolve against it,
# and the fetcher maps it to files on disk without touching the network.
APP_ORIGIN = "https://cvj-app.invalid"


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


@dataclass(frozen=True)
class RenderedPdf:
    content: bytes
    pages: int
    refused_urls: tuple[str, ...]


def render_journey_html(snapshot: JourneySnapshot, *, link_stylesheet: bool = True) -> str:
    """The print HTML (also fed to Chromium by the benchmark for a side-by-side)."""
    economics = journey_economics(snapshot)
    return render_to_string(
        "pdf/journey.html",
        {
            "s": snapshot,
            "gaps": journey_gaps(snapshot),
            "economics": economics,
            "bars": funnel_bars(economics),
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


def render_journey_pdf(snapshot: JourneySnapshot) -> RenderedPdf:
    """Render the deliverable. Pure: the same snapshot gives the same document."""
    html = render_journey_html(snapshot, link_stylesheet=False)
    fetcher = AppOnlyFetcher()
    stylesheet = _print_stylesheet()
    # Layout allocates many short-lived objects; the cyclic GC only slows it down (~15 %).
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        document = HTML(string=html, base_url=f"{APP_ORIGIN}/", url_fetcher=fetcher).render(
            stylesheets=[stylesheet], font_config=_FONTS
        )
        content = document.write_pdf()
    finally:
        if gc_was_enabled:
            gc.enable()
    return RenderedPdf(
        content=content, pages=len(document.pages), refused_urls=tuple(fetcher.refused)
    )
