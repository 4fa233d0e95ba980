"""The join QR code, drawn here as inline SVG (segno): no image service sees the link."""

from __future__ import annotations

import segno
from django.utils.safestring import SafeString, mark_safe


def qr_svg(url: str, *, title: str = "QR code to join the session") -> SafeString:
    """An inline SVG of the URL; safe to mark: segno writes only its own markup, and the one
    text it embeds (the title) is escaped by segno."""
    code = segno.make(url, error="m")
    svg = code.svg_inline(scale=4, border=2, title=title, svgclass="join-qr-svg", lineclass=None)
    return mark_safe(svg)  # noqa: S308 - generated markup, see above
