"""Count requests per client address in the cache (shared via Redis in production)."""

from __future__ import annotations

from django.core.cache import cache
from django.http import HttpRequest

from spkt.core.client_ip import client_ip


def rate_limited(request: HttpRequest, *, scope: str, limit: int, window: int) -> bool:
    """Count this request against ``scope`` for its client address; True once more than
    ``limit`` came within ``window`` seconds (the window starts with the first one)."""
    key = f"spkt:{scope}:{client_ip(request)}"
    cache.add(key, 0, window)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, window)
        count = 1
    return count > limit
