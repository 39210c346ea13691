"""Request throttling that costs one counter increment per request, shared by all workers.

DRF's `UserRateThrottle` keeps, per user, the list of their request times in the last period:
each request reads that list from the cache and writes it back whole. With the database cache
(the default without `REDIS_URL`) that was a write transaction on every GET — a SELECT, a COUNT
for culling, an UPDATE and a COMMIT (on SQLite, 7 ms at the benchmark's load, holding the write
lock every other worker waits for) — with a list that grows with the rate (6,000 entries at
6000/minute).

These throttles count requests per fixed window instead: one counter per (user or IP, window),
incremented atomically, in a store shared by every gunicorn worker:

- with `REDIS_URL`: the Redis cache (`INCRBY`; the window's first request also `add`s the
  counter with its expiry) — shared by every host;
- without: counter files in `THROTTLE_DIR` (default: a folder in /dev/shm, else the temp folder):
  an increment appends one byte with O_APPEND, atomic between processes, and the count is the
  file's size — shared by the workers of one host, which is what one gunicorn is. Several
  hosts behind a balancer need `REDIS_URL`.

The trade-off of a fixed window: a client may get up to twice the rate across a window
boundary, which is fine for a limit that protects the service from a runaway client.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.core.signals import setting_changed
from django.dispatch import receiver
from rest_framework import throttling

_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]")
logger = logging.getLogger("afterservice.throttling")


class FileCounters:
    """Per-host counters: a file per (key, window) whose size is the count."""

    def __init__(self, directory: str) -> None:
        self.directory = directory
        self.swept_window: int | None = None
        self.failed = False
        with contextlib.suppress(OSError):  # reported by `incr`
            os.makedirs(directory, mode=0o700, exist_ok=True)

    def incr(self, key: str, window: int, duration: int) -> int:
        path = os.path.join(self.directory, f"{_UNSAFE.sub('_', key)}.{window}")
        try:
            fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                os.write(fd, b".")
                count = os.fstat(fd).st_size
            finally:
                os.close(fd)
        except OSError:
            # A full or unwritable folder must not turn every request into a 500: the request
            # passes unthrottled, and the log says why (once per process).
            if not self.failed:
                self.failed = True
                logger.exception("Throttle counters in %s unavailable; requests are not throttled", self.directory)
            return 0
        if self.swept_window != window:  # once per window and process: drop finished windows' files
            self.swept_window = window
            self.sweep(window)
        return count

    def sweep(self, window: int) -> None:
        with os.scandir(self.directory) as entries:
            for entry in entries:
                _, _, suffix = entry.name.rpartition(".")
                if suffix.isdigit() and int(suffix) < window - 1:
                    with contextlib.suppress(FileNotFoundError):  # another worker swept it
                        os.unlink(entry.path)


class CacheCounters:
    """Counters in the Django cache (Redis: atomic across hosts)."""

    def __init__(self, alias: str = "default") -> None:
        self.alias = alias

    def incr(self, key: str, window: int, duration: int) -> int:
        cache, key = caches[self.alias], f"{key}:{window}"
        try:
            return cache.incr(key)
        except ValueError:  # the window's first request (or its counter expired)
            return 1 if cache.add(key, 1, duration + 1) else cache.incr(key)


_counters: Any = None


def counters() -> Any:
    """The process's counter store, chosen from the settings on first use."""
    global _counters  # one store per process, built lazily once the settings are loaded
    if _counters is None:
        directory = getattr(settings, "THROTTLE_DIR", "")
        _counters = FileCounters(directory) if directory else CacheCounters()
    return _counters


@receiver(setting_changed)
def reset_counters(*, setting: str = "", **kwargs: Any) -> None:
    """Forget the store when a test changes THROTTLE_DIR or CACHES."""
    global _counters
    if setting in ("THROTTLE_DIR", "CACHES"):
        _counters = None


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
        if counters().incr(key, window, self.duration) > self.num_requests:
            self.wait_seconds = (window + 1) * self.duration - now
            return False
        return True

    def wait(self) -> float | None:
        return self.wait_seconds


class UserRateThrottle(FixedWindowMixin, throttling.UserRateThrottle):
    """`THROTTLE_USER` per authenticated user (per IP for anonymous requests)."""


class AnonRateThrottle(FixedWindowMixin, throttling.AnonRateThrottle):
    """`THROTTLE_ANON` per IP, anonymous requests only."""
