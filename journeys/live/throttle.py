"""How much a live socket may send: per connection, per Join-live link, and sockets per link.

The page sends a heartbeat every ~10 s and a message when its viewer moves or types (typing is
throttled in the page), so honest traffic is a few frames a minute; these limits sit far above
that and far below what a script can send. A frame over a limit is dropped (the page is told
once a window); a connection that keeps sending regardless is closed.
"""

from __future__ import annotations

import logging
import time

from django.conf import settings

from cvj.caching import shared_cache as cache

logger = logging.getLogger("cvj.live")

# A connection: bursts of BURST frames, RATE frames a second on average.
BURST = 20
RATE = 5.0
# Drafts (text shown as it is typed): the page sends at most ~10 a second while typing.
DRAFT_BURST = 30
DRAFT_RATE = 15.0
# Frames dropped by one connection before it is closed (an honest page never gets near).
DROPS_BEFORE_CLOSE = 200
# All the sockets of one Join-live link together, per LINK_WINDOW seconds.
LINK_WINDOW = 10
LINK_FRAMES_PER_WINDOW = 600


class TokenBucket:
    """A connection's allowance: `take()` is False once it sends faster than RATE for long."""

    __slots__ = ("at", "burst", "dropped", "rate", "tokens")  # one or two per open socket

    def __init__(self, *, rate: float | None = None, burst: int | None = None) -> None:
        self.rate = RATE if rate is None else rate
        self.burst = float(BURST if burst is None else burst)
        self.tokens = self.burst
        self.at = time.monotonic()
        self.dropped = 0

    def take(self) -> bool:
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.at) * self.rate)
        self.at = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        self.dropped += 1
        return False

    @property
    def exhausted(self) -> bool:
        return self.dropped >= DROPS_BEFORE_CLOSE


def link_frame_allowed(link_id: int) -> bool:
    """One more frame from any socket of this link in the current window? The cache is shared
    by every web process; when it is down the per-connection bucket alone still holds."""
    key = f"cvj-live:link-frames:{link_id}:{int(time.time()) // LINK_WINDOW}"
    try:
        cache.add(key, 0, LINK_WINDOW * 2)
        return cache.incr(key) <= LINK_FRAMES_PER_WINDOW
    except Exception:  # noqa: BLE001
        logger.warning("live: frame counter unavailable", exc_info=True)
        return True


def link_socket_cap() -> int:
    """Sockets one Join-live link may hold open at once (a team in a room, not a crowd)."""
    return settings.LIVE_LINK_MAX_SOCKETS
