"""Fixed-window rate limits per key (a client address, an e-mail address), kept in the
database (`RateCounter`). Keys are hashed before they are stored.

Race: many requests of one key arrive at once, in threads of one server or in several
processes. Each is counted by one statement, an upsert that adds one and returns the new
count (`INSERT … ON CONFLICT … DO UPDATE … RETURNING`), atomic on SQLite and PostgreSQL
alike: no two requests read the same count, so exactly `limit` of them pass. A cache
cannot promise that (the file cache's `incr` is a read then a write)."""

from __future__ import annotations

import hashlib
import time

from django.db import connection, transaction
from django.http import HttpRequest

from puente.core.models import RateCounter


def client_address(request: HttpRequest) -> str:
    # REMOTE_ADDR only: a forwarded header is written by the client and would let a bot
    # pick a new address per request. Behind a proxy, let the proxy set REMOTE_ADDR.
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def rate_count(bucket: str, *, window: int) -> int:
    """Count one request in `bucket`'s current window and return the window's count. A
    window older than `window` seconds starts again at 1."""
    table = connection.ops.quote_name(RateCounter._meta.db_table)
    now = time.time()
    expired = now - window
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} (bucket, window_start, count) VALUES (%s, %s, 1) "  # noqa: S608
                "ON CONFLICT (bucket) DO UPDATE SET "
                f"count = CASE WHEN {table}.window_start <= %s THEN 1 "
                f"ELSE {table}.count + 1 END, "
                f"window_start = CASE WHEN {table}.window_start <= %s "
                f"THEN excluded.window_start ELSE {table}.window_start END "
                "RETURNING count",
                [bucket, now, expired, expired],
            )
            count = int(cursor.fetchone()[0])
        if count == 1:
            # A new window: forget the windows of other keys that have ended.
            RateCounter.objects.filter(window_start__lte=expired).exclude(bucket=bucket).delete()
    return count


def over_limit(scope: str, key: str, *, limit: int, window: int) -> bool:
    """Count one request of `key` (hashed) under `scope`; True when the key went over
    `limit` in this window of `window` seconds."""
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    return rate_count(f"{scope}:{digest}", window=window) > limit
