"""One cache client per process for the work done for live sockets.

Django keeps its cache connections per context (asgiref's Local): under an ASGI server every
socket's task is a context of its own, so `django.core.cache.cache` used from a consumer (or a
thread it hands work to) opens a Redis connection pool per open socket — 200 followers, 200
Redis connections and their buffers in each web process, and a TCP connect on each socket's first
use. The rooms serving sockets use `shared_cache` instead: the same backend and settings, one
client for the whole process (thread-safe: redis-py's pool; LocMemCache takes a lock).
"""

from __future__ import annotations

from functools import cache
from typing import Any

from django.core.cache import DEFAULT_CACHE_ALIAS, BaseCache, caches
from django.core.signals import setting_changed
from django.dispatch import receiver


@cache
def _client() -> BaseCache:
    return caches.create_connection(DEFAULT_CACHE_ALIAS)


@receiver(setting_changed)
def _settings_changed(*, setting: str, **_: Any) -> None:
    if setting == "CACHES":  # tests that swap the cache get a client for the new one
        _client.cache_clear()


class _SharedCache:
    """Stands for the process's client; created on first use, so settings are read by then."""

    def __getattr__(self, name: str) -> Any:
        return getattr(_client(), name)


shared_cache: Any = _SharedCache()
