"""Who is in a journey right now: ephemeral, in the cache with a TTL, never in the database.

Each connection has its own cache entry, written by its heartbeat (~10 s) with a TTL of
STALE_SECONDS, so a browser that vanished without closing its socket drops off by itself and a
heartbeat costs one small write whatever the crowd. A per-journey index of connection ids is
rewritten only when someone joins or leaves; ids whose entry has expired are pruned there.
A lost update between two racing joins heals at that connection's next heartbeat. A dead cache
means an empty roster, never an error.
"""

from __future__ import annotations

import json
import logging
import time
from typing import Any

from cvj.caching import shared_cache as cache

logger = logging.getLogger("cvj.live")

HEARTBEAT_SECONDS = 10
STALE_SECONDS = 25
INDEX_TTL = 3 * 3600


def _index_key(journey_id: int) -> str:
    return f"cvj-live:roster:{journey_id}"


def _entry_key(journey_id: int, connection_id: str) -> str:
    return f"cvj-live:here:{journey_id}:{connection_id}"


def _read(journey_id: int) -> tuple[list[str], dict[str, dict[str, Any]]]:
    ids = cache.get(_index_key(journey_id)) or []
    found = cache.get_many([_entry_key(journey_id, i) for i in ids]) if ids else {}
    entries = {
        i: found[_entry_key(journey_id, i)] for i in ids if _entry_key(journey_id, i) in found
    }
    return ids, entries


def _sorted(entries: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """The roster as pages see it: in order of arrival, without the private `_link`."""
    ordered = sorted(entries.values(), key=lambda e: e.get("since", 0))
    return [{k: v for k, v in e.items() if not k.startswith("_")} for e in ordered]


def _record(entry: dict[str, Any], link: int | None) -> dict[str, Any]:
    return {**entry, "seen": time.time(), "_link": link}


def link_sockets(journey_id: int, link_id: int) -> int:
    """How many open sockets came through this Join-live link (fresh entries only)."""
    try:
        entries = _read(journey_id)[1]
    except Exception:  # noqa: BLE001
        logger.warning("live: presence cache unavailable", exc_info=True)
        return 0
    return sum(1 for e in entries.values() if e.get("_link") == link_id)


def roster(journey_id: int) -> list[dict[str, Any]]:
    try:
        return _sorted(_read(journey_id)[1])
    except Exception:  # noqa: BLE001 - presence is a nicety; the cache may be down
        logger.warning("live: presence cache unavailable", exc_info=True)
        return []


_recent: dict[int, tuple[float, str]] = {}


def roster_frame(journey_id: int, max_age: float = 2.0) -> str:
    """The roster frame (`presence.roster`) as read by this process at most `max_age` seconds
    ago: a crowd's heartbeats arrive in bursts, and each would otherwise read every entry
    (O(N²) per burst). Kept as the frame's text, serialised once for every socket of the
    journey (a fifth of the memory of the entries' dicts, held while the crowd stays)."""
    now = time.monotonic()
    cached = _recent.get(journey_id)
    if cached is not None and now - cached[0] < max_age:
        return cached[1]
    frame = json.dumps({"type": "presence.roster", "presence": roster(journey_id)})
    _recent[journey_id] = (now, frame)
    if len(_recent) > 1000:  # journeys long closed
        for key, (at, _) in list(_recent.items()):  # a snapshot: other threads write too
            if now - at < max_age:
                continue
            _recent.pop(key, None)
    return frame


def presence_join(
    journey_id: int, entry: dict[str, Any], *, link: int | None = None
) -> list[dict[str, Any]]:
    """Add a connection (its entry must carry `since`); returns the fresh roster."""
    try:
        record = _record(entry, link)
        cache.set(_entry_key(journey_id, entry["id"]), record, STALE_SECONDS)
        ids, entries = _read(journey_id)
        entries[entry["id"]] = record
        cache.set(
            _index_key(journey_id),
            [i for i in ids if i in entries and i != entry["id"]] + [entry["id"]],
            INDEX_TTL,
        )
    except Exception:  # noqa: BLE001
        logger.warning("live: presence cache unavailable", exc_info=True)
        return _sorted({entry["id"]: entry})
    return _sorted(entries)


def presence_touch(journey_id: int, entry: dict[str, Any], *, link: int | None = None) -> None:
    """A heartbeat: keep this connection's entry (and its stage and name) fresh, and put its id
    back in the index if a racing join's rewrite dropped it (a crowd joining at once loses
    most of its ids that way: 56 of 200 were left). One read of the index, one write."""
    try:
        cache.set(_entry_key(journey_id, entry["id"]), _record(entry, link), STALE_SECONDS)
        ids = cache.get(_index_key(journey_id)) or []
        if entry["id"] not in ids:
            cache.set(_index_key(journey_id), [*ids, entry["id"]], INDEX_TTL)
    except Exception:  # noqa: BLE001
        logger.warning("live: presence cache unavailable", exc_info=True)


def presence_leave(journey_id: int, connection_id: str) -> None:
    try:
        cache.delete(_entry_key(journey_id, connection_id))
        ids, entries = _read(journey_id)
        if connection_id in ids:
            cache.set(_index_key(journey_id), [i for i in ids if i in entries], INDEX_TTL)
    except Exception:  # noqa: BLE001
        logger.warning("live: presence cache unavailable", exc_info=True)


def follow_state(journey_id: int) -> dict[str, Any] | None:
    """The presenter's current "follow me" (so a late joiner follows too), if any: it outlives
    the leader's socket (a reload) and ends when the leader ends it, or after three hours."""
    try:
        return cache.get(f"cvj-live:follow:{journey_id}")
    except Exception:  # noqa: BLE001
        return None


def follow_resume(
    journey_id: int, user_id: int | None, connection_id: str
) -> dict[str, Any] | None:
    """The leader's new connection (a reload, a reconnect) takes over their lead, which goes
    on until they end it; None when this user leads nothing."""
    state = follow_state(journey_id)
    if not state or user_id is None or state.get("user_id") != user_id:
        return None
    state = {**state, "id": connection_id}
    set_follow_state(journey_id, state)
    return state


def set_follow_state(journey_id: int, state: dict[str, Any] | None) -> None:
    try:
        if state is None:
            cache.delete(f"cvj-live:follow:{journey_id}")
        else:
            cache.set(f"cvj-live:follow:{journey_id}", state, 3 * 3600)
    except Exception:  # noqa: BLE001
        logger.warning("live: presence cache unavailable", exc_info=True)
