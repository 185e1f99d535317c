"""A small fixed-window rate limiter on Django's cache, for the public portal (no captcha: offline
intranets and elderly callers).

The counters live in the `default` cache. Django's default is a per-process LocMemCache: right for one
`rexian serve` process. Several processes or servers each count on their own, so there the limit is
per process; configure a shared cache (e.g. `django.core.cache.backends.db.DatabaseCache` after
`rexian createcachetable`, or Redis) to make it one limit for the whole site.
"""

from __future__ import annotations

import hashlib
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest


def _cache_key(scope: str, key: str, window_seconds: int) -> str:
    window = int(time.time() // window_seconds)
    # Hashed: an IPv6 address or any caller-given key stays a valid key for every cache backend.
    digest = hashlib.sha256(f"{scope}\0{key}".encode()).hexdigest()[:32]
    return f"rexian:rl:{scope}:{digest}:{window}"


def hit(scope: str, key: str, *, limit: int, window_seconds: int) -> bool:
    """Count one hit for `key` in `scope`; False when it is beyond `limit` hits in the current window."""
    if window_seconds <= 0:
        raise ValueError("window_seconds must be positive")
    cache_key = _cache_key(scope, key, window_seconds)
    # add() is a no-op when the counter exists, so concurrent first hits do not reset each other.
    cache.add(cache_key, 0, timeout=window_seconds)
    try:
        count = cache.incr(cache_key)
    except ValueError:  # the counter expired between add() and incr()
        cache.set(cache_key, 1, timeout=window_seconds)
        count = 1
    return count <= limit


def count(scope: str, key: str, *, window_seconds: int) -> int:
    """The hits counted so far for `key` in the current window (without counting one)."""
    return int(cache.get(_cache_key(scope, key, window_seconds)) or 0)


def reset(scope: str, key: str, *, window_seconds: int) -> None:
    cache.delete(_cache_key(scope, key, window_seconds))


def client_ip(request: HttpRequest) -> str:
    """The caller's address. X-Forwarded-For is only believed behind a trusted proxy (setting
    REXIAN["TRUST_X_FORWARDED_FOR"]): otherwise any client could pick its own key and dodge the limit. The
    proxy must overwrite the header with the peer's address, since the first entry is the one believed."""
    if settings.REXIAN.get("TRUST_X_FORWARDED_FOR"):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        first = forwarded.split(",")[0].strip()
        if first:
            return first
    return str(request.META.get("REMOTE_ADDR", "") or "unknown")
