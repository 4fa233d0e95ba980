"""What an audience reads: the board, the projected funnel and the next steps.

One fixed set of queries for Present, the client's page and the share page, so the three show
the same journey the same way.
"""

from __future__ import annotations

from ..models import Journey
from ..selectors import journey_status_label
from .economics import funnel_bars, journey_economics
from .gaps import journey_gaps, journey_health
from .snapshot import journey_snapshot


def journey_showcase(journey: Journey) -> dict[str, object]:
    """Template context for a read-only journey, all of it told by one snapshot: its stages,
    economics, health and status (`journey` stays for URLs, the version and the clock)."""
    snapshot = journey_snapshot(journey)
    economics = journey_economics(snapshot)
    gaps = journey_gaps(snapshot)
    return {
        "journey": journey,
        "snapshot": snapshot,
        "stages": snapshot.stages,
        "economics": economics,
        "bars": funnel_bars(economics),
        "gaps": gaps,
        "health": journey_health(snapshot, gaps),
        "status_label": journey_status_label(journey),
        "currency": snapshot.core_offer.currency,
    }
