"""DRF's rate throttles (`UserRateThrottle`, `AnonRateThrottle`), counted per fixed window.

DRF keeps, per client, the list of its request times in the last period and writes it back
whole on every request: a list that grows with the rate (6,000 entries at 6000/minute), pickled
and unpickled per request. These keep DRF's rates, scopes, cache keys, client identification
(`NUM_PROXIES`) and `Retry-After`, and count instead with one atomic increment per (client,
window) in the dedicated `throttle` cache — Redis when `REDIS_URL` is set (shared by every worker
and host), else the worker's own memory (each gunicorn worker then allows the rate on its own).

The trade-off of a fixed window: a client may get up to twice the rate across a window boundary,
which is fine for a limit that protects the service from a runaway client.
"""

from __future__ import annotations

from typing import Any

from django.core.cache import caches
from rest_framework import throttling

CACHE_ALIAS = "throttle"


def increment(key: str, timeout: int) -> int:
    """Adds one to the counter `key` (created with `timeout` seconds to live); its new value."""
    cache = caches[CACHE_ALIAS]
    try:
        return cache.incr(key)
    except ValueError:  # the window's first request (or its counter expired)
        return 1 if cache.add(key, 1, timeout) else cache.incr(key)


class FixedWindowMixin:
    """`allow_request`/`wait` of a DRF `SimpleRateThrottle` on a per-window counter."""

    wait_seconds: float | None = None

    def allow_request(self, request: Any, view: Any) -> bool:
        if self.rate is None:
            return True
        key = self.get_cache_key(request, view)
        if key is None:
            return True
        now = self.timer()
        window = int(now // self.duration)
        if increment(f"{key}:{window}", self.duration + 1) > self.num_requests:
            self.wait_seconds = (window + 1) * self.duration - now
            return False
        return True

    def wait(self) -> float | None:
        return self.wait_seconds


class UserRateThrottle(FixedWindowMixin, throttling.UserRateThrottle):
    """`THROTTLE_USER` per authenticated user (per client address for anonymous requests)."""


class AnonRateThrottle(FixedWindowMixin, throttling.AnonRateThrottle):
    """`THROTTLE_ANON` per client address, anonymous requests only."""
