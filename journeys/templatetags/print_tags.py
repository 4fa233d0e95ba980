"""Filters for the print templates."""

from __future__ import annotations

import unicodedata
from typing import TYPE_CHECKING

from django import template
from django.utils.formats import date_format

from .cvj import money

if TYPE_CHECKING:  # typing only: the map's tags never import the deliverable
    from ..deliverable.snapshot import TacticSnap

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


@register.filter
def plan_parts(tactic: TacticSnap, currency: str = "USD") -> list[str]:
    """A tactic's channel and place on the plan as short phrases, only those that are set: the
    channel, who owns it, when it starts, what it costs a month, and its status unless it is
    simply planned."""
    parts = [part for part in (tactic.channel_label, tactic.owner_label) if part]
    if tactic.start:
        parts.append(f"from {date_format(tactic.start, 'j M Y')}")
    elif tactic.horizon_label:
        parts.append(tactic.horizon_label)
    if tactic.monthly_budget:
        parts.append(f"{money(tactic.monthly_budget, currency)}/mo")
    if tactic.status and tactic.status != "planned":
        parts.append(tactic.status_label)
    return parts
