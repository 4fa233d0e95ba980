"""Presence in the cache: join order, heartbeats, leaving, and vanishing without a word."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

from django.core.cache import cache

from journeys.live import presence

JOURNEY = 987_654  # presence never touches the database; a number no test journey uses


def _entry(connection_id: str, since: float, stage: str = "") -> dict:
    return {"id": connection_id, "name": connection_id.title(), "stage": stage, "since": since}


def setup_function() -> None:
    cache.delete(f"cvj-live:roster:{JOURNEY}")


def test_join_touch_and_leave() -> None:
    first = presence.presence_join(JOURNEY, _entry("ana", 1.0))
    assert [e["id"] for e in first] == ["ana"]
    both = presence.presence_join(JOURNEY, _entry("ben", 2.0))
    assert [e["id"] for e in both] == ["ana", "ben"]  # in the order they came

    presence.presence_touch(JOURNEY, _entry("ben", 2.0, stage="convert"))
    assert [(e["id"], e["stage"]) for e in presence.roster(JOURNEY)] == [
        ("ana", ""),
        ("ben", "convert"),
    ]

    presence.presence_leave(JOURNEY, "ana")
    assert [e["id"] for e in presence.roster(JOURNEY)] == ["ben"]
    assert cache.get(f"cvj-live:roster:{JOURNEY}") == ["ben"]


def test_a_connection_that_stops_beating_drops_off(monkeypatch) -> None:
    monkeypatch.setattr(presence, "STALE_SECONDS", 1)
    presence.presence_join(JOURNEY, _entry("ana", 1.0))
    presence.presence_join(JOURNEY, _entry("ben", 2.0))
    deadline = time.monotonic() + 1.6
    while time.monotonic() < deadline:  # ben keeps beating, ana's browser is gone
        presence.presence_touch(JOURNEY, _entry("ben", 2.0))
        time.sleep(0.2)
    assert [e["id"] for e in presence.roster(JOURNEY)] == ["ben"]
    # The next join prunes the vanished id from the index.
    presence.presence_join(JOURNEY, _entry("cy", 3.0))
    assert cache.get(f"cvj-live:roster:{JOURNEY}") == ["ben", "cy"]


def test_a_crowd_joining_at_once_is_all_listed_after_one_heartbeat() -> None:
    """Joins run on several threads at once, and each rewrites the index: the ids a racing
    join dropped come back with their connection's first heartbeat."""
    crowd = [_entry(f"guest{n}", float(n)) for n in range(100)]
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda entry: presence.presence_join(JOURNEY, entry), crowd))
    for entry in crowd:
        presence.presence_touch(JOURNEY, entry)
    assert [e["id"] for e in presence.roster(JOURNEY)] == [e["id"] for e in crowd]
