"""The editor's read model: one stage open, the others on the rail, the session's clock and
agenda, and what the open stage suggests — a fixed set of queries however big the journey is."""

from __future__ import annotations

from .agenda import agenda_pace, intro_minutes, session_agenda
from .models import Journey
from .rules import core_offer_off_ladder
from .selectors import journey_stage_views
from .services import field_text
from .session_clock import session_elapsed
from .suggestions import suggestions_fit_awareness, tactic_suggestions


def editor_page(journey: Journey, slug: str | None) -> dict[str, object]:
    """The editor's context with the stage `slug` open (the first stage for anything else)."""
    views = journey_stage_views(journey)
    current = next((v for v in views if v.slug == slug), views[0])
    elapsed = session_elapsed(journey)
    agenda = session_agenda(journey, views, elapsed)
    pace, pace_minutes = agenda_pace(agenda, current.entry.stage.position, elapsed)
    # Only an empty stage pays for the suggestion query, so the page cost stays fixed.
    suggestions = (
        tactic_suggestions(journey=journey, journey_stage=current.entry)
        if not current.tactics
        else []
    )
    return {
        "journey": journey,
        "suggestions": suggestions,
        "stage_views": views,
        "current": current,
        "elapsed": elapsed,
        "agenda": agenda,
        "intro_minutes": intro_minutes(journey),
        "suggestions_fit_awareness": suggestions_fit_awareness(journey, current.entry),
        "pace": pace if elapsed else "",
        "pace_minutes": pace_minutes,
        "stage_slug": current.slug,
        "core_off_ladder": core_offer_off_ladder(
            current.slug, [so.offer_id for so in current.offers], journey.core_offer_id
        ),
        "economics_inputs": (
            ("monthly_reach", "Monthly reach (people)", field_text(journey.monthly_reach)),
            ("monthly_spend", "Monthly acquisition spend", field_text(journey.monthly_spend)),
            # Blank = not given: the economics then show revenue less spend, not contribution.
            ("gross_margin", "Gross margin %", field_text(journey.gross_margin)),
        ),
    }
