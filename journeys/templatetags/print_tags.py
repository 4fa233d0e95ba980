"""Filters for the print templates."""

from __future__ import annotations

import unicodedata

from django import template

register = template.Library()


def text_width(text: str) -> int:
    """Width in 'Latin character' units: East Asian wide characters and emoji count double."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


@register.filter
def clip(value: object, limit: int = 80) -> str:
    """Shorten to at most `limit` units at a word boundary (never mid-word), adding "…".
    Text without spaces (Japanese) is cut between characters, which is where it breaks."""
    text = " ".join(str(value or "").split())
    if text_width(text) <= limit:
        return text
    width, cut = 0, 0
    for index, ch in enumerate(text):
        width += 2 if unicodedata.east_asian_width(ch) in "WF" else 1
        if width > limit - 1:
            break
        cut = index + 1
    head = text[:cut]
    space = head.rfind(" ")
    if space > cut // 2:  # prefer the last word boundary unless it throws away half the text
        head = head[:space]
    return head.rstrip(" ,;:—–-") + "…"
