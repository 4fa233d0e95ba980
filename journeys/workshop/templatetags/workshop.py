"""The board's dots: the last closed vote's count on a tactic, read once per render."""

from __future__ import annotations

from django import template

from ..votes import board_dots

register = template.Library()


@register.simple_tag(takes_context=True)
def tactic_dots(context: template.Context, journey_id: int, stage_tactic_id: int) -> int:
    """Two queries per page render (kept on the context's base layer, which lives as long as
    this render and is shared by its includes), not one per tactic."""
    cache = context.dicts[0].setdefault("_workshop_dots", {})
    if journey_id not in cache:
        cache[journey_id] = board_dots(journey_id)
    return cache[journey_id].get(stage_tactic_id, 0)
