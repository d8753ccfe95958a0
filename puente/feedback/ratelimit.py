"""A fixed-window counter per client address in Django's cache (the public form and the
status check). The address is hashed before it becomes a cache key."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str:
    # REMOTE_ADDR only: a forwarded header is written by the client and would let a bot
    # pick a new address per request. Behind a proxy, let the proxy set REMOTE_ADDR.
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def rate_limited(request: HttpRequest, scope: str, *, factor: int = 1) -> bool:
    """Count this request; True when the address went over the limit in this window."""
    limit = settings.PUENTE_FEEDBACK_FORM_LIMIT * factor
    window = settings.PUENTE_FEEDBACK_FORM_WINDOW
    digest = hashlib.sha256(client_address(request).encode()).hexdigest()[:32]
    key = f"feedback:rate:{scope}:{digest}"
    cache.add(key, 0, timeout=window)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window)
        count = 1
    return count > limit
