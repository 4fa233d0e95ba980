"""Colour arithmetic for print and screen: WCAG 2 contrast, and shades that pass it.

The agency's brand colour is chosen for its look, not its legibility; before the PDF puts text
on it we pick the text colour (white or ink) with the better contrast and, if neither reaches
4.5:1, darken the colour until white text does.
"""

from __future__ import annotations

import re

HEX = re.compile(r"^#[0-9a-fA-F]{6}$")
WHITE = "#ffffff"
INK = "#16213a"
AA_TEXT = 4.5


def _channel(value: int) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def luminance(color: str) -> float:
    r, g, b = (int(color[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * _channel(r) + 0.7152 * _channel(g) + 0.0722 * _channel(b)


def contrast(a: str, b: str) -> float:
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def darken(color: str, factor: float) -> str:
    r, g, b = (int(color[i : i + 2], 16) for i in (1, 3, 5))
    return "#{:02x}{:02x}{:02x}".format(*(round(c * factor) for c in (r, g, b)))


def tint(color: str, share: float) -> str:
    """`color` mixed into white: `share` of the colour, the rest white."""
    r, g, b = (int(color[i : i + 2], 16) for i in (1, 3, 5))
    return "#{:02x}{:02x}{:02x}".format(*(round(255 - (255 - c) * share) for c in (r, g, b)))


def shade_for_white_text(color: str, minimum: float = AA_TEXT) -> str:
    """The colour itself if white text on it reaches `minimum`, else the lightest darker shade
    that does (same hue, so the brand still reads as itself)."""
    shade, factor = color.lower(), 1.0
    while contrast(shade, WHITE) < minimum and factor > 0:
        factor = round(factor - 0.02, 2)
        shade = darken(color.lower(), factor)
    return shade


def brand_pair(color: str) -> tuple[str, str]:
    """(background, text) for a brand colour: keep the colour when white or ink text on it
    passes AA; otherwise darken it under white text."""
    if not HEX.match(color or ""):
        return INK, WHITE
    color = color.lower()
    if contrast(color, WHITE) >= AA_TEXT:
        return color, WHITE
    if contrast(color, INK) >= AA_TEXT:
        return color, INK
    return shade_for_white_text(color), WHITE
