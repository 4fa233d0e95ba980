"""The short "Month N review" PDF: the scorecard's own markup, printed.

A pure function from the snapshot and the scorecard to bytes, through WeasyPrint with the
deliverable's AppOnlyFetcher: the document may load the app's own static files (the fonts) and
nothing else, so hostile text can never make the renderer fetch anything.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.template.loader import render_to_string
from django.utils import timezone
from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration

from ..deliverable.pdf import APP_ORIGIN, AppOnlyFetcher
from ..deliverable.snapshot import JourneySnapshot
from .scorecard import Scorecard

_FONTS = FontConfiguration()


@dataclass(frozen=True)
class ReviewPdf:
    content: bytes
    pages: int
    refused_urls: tuple[str, ...]


def review_context(snapshot: JourneySnapshot, card: Scorecard) -> dict[str, object]:
    return {
        "s": snapshot,
        "card": card,
        "currency": card.currency,
        "generated_on": timezone.localdate(),
    }


def review_html(snapshot: JourneySnapshot, card: Scorecard) -> str:
    return render_to_string("actuals/review_pdf.html", review_context(snapshot, card))


def render_review_pdf(snapshot: JourneySnapshot, card: Scorecard) -> ReviewPdf:
    """Render the review. Pure: the same snapshot and scorecard give the same document."""
    fetcher = AppOnlyFetcher()
    document = HTML(
        string=review_html(snapshot, card), base_url=f"{APP_ORIGIN}/", url_fetcher=fetcher
    ).render(font_config=_FONTS)
    content = document.write_pdf(pdf_variant="pdf/ua-1")
    return ReviewPdf(content, len(document.pages), tuple(fetcher.refused))


def review_filename(snapshot: JourneySnapshot, card: Scorecard) -> str:
    safe = "".join(ch for ch in snapshot.business_name if ch.isalnum() or ch in " -_").strip()
    return f"{safe or 'journey'} - Month {card.month_number} review.pdf"
