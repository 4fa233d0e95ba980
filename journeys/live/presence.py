"""Who is in a journey right now: ephemeral, in the cache with a TTL, never in the database.

Each connection keeps its entry fresh with a heartbeat (~10 s); an entry not refreshed within
STALE_SECONDS is gone, so a browser that vanished without closing its socket drops off too.
The roster is one cache value per journey; a lost update between two racing writers heals at
the next heartbeat. A dead cache means an empty roster, never an error.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from django.core.cache import cache

logger = logging.getLogger("cvj.live")

HEARTBEAT_SECONDS = 10
STALE_SECONDS = 25
ROSTER_TTL = 120


def _key(journey_id: int) -> str:
    return f"cvj-live:roster:{journey_id}"


def _fresh(roster: dict[str, dict[str, Any]], now: float) -> dict[str, dict[str, Any]]:
    return {k: v for k, v in roster.items() if now - v.get("seen", 0) < STALE_SECONDS}


def roster(journey_id: int) -> list[dict[str, Any]]:
    try:
        current = cache.get(_key(journey_id)) or {}
    except Exception:  # noqa: BLE001 - presence is a nicety; the cache may be down
        logger.warning("live: presence cache unavailable", exc_info=True)
        return []
    return sorted(_fresh(current, time.time()).values(), key=lambda e: e.get("since", 0))


def presence_touch(journey_id: int, entry: dict[str, Any]) -> list[dict[str, Any]]:
    """Add or refresh one connection's entry; returns the fresh roster."""
    now = time.time()
    try:
        current = _fresh(cache.get(_key(journey_id)) or {}, now)
        previous = current.get(entry["id"], {})
        current[entry["id"]] = {
            **previous,
            **entry,
            "seen": now,
            "since": previous.get("since", now),
        }
        cache.set(_key(journey_id), current, ROSTER_TTL)
    except Exception:  # noqa: BLE001
        logger.warning("live: presence cache unavailable", exc_info=True)
        return [entry]
    return sorted(current.values(), key=lambda e: e.get("since", 0))


def presence_leave(journey_id: int, connection_id: str) -> None:
    try:
        current = cache.get(_key(journey_id)) or {}
        if current.pop(connection_id, None) is not None:
            cache.set(_key(journey_id), current, ROSTER_TTL)
    except Exception:  # noqa: BLE001
        logger.warning("live: presence cache unavailable", exc_info=True)


def follow_state(journey_id: int) -> dict[str, Any] | None:
    """The presenter's current "follow me" (so a late joiner follows too), if any."""
    try:
        return cache.get(f"cvj-live:follow:{journey_id}")
    except Exception:  # noqa: BLE001
        return None


def set_follow_state(journey_id: int, state: dict[str, Any] | None) -> None:
    try:
        if state is None:
            cache.delete(f"cvj-live:follow:{journey_id}")
        else:
            cache.set(f"cvj-live:follow:{journey_id}", state, 3 * 3600)
    except Exception:  # noqa: BLE001
        logger.warning("live: presence cache unavailable", exc_info=True)
