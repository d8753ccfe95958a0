"""Reads from a PostgreSQL streaming replica (docs/deploy.md, "Reads from a replica").

With `DATABASE_REPLICA_URL` set, settings add the "replica" database and `ReplicaRouter`.
Every query goes to the primary ("default") unless a web request opened the replica window:
`ReplicaMiddleware` opens it for GET and HEAD requests only, so dashboards, API reads and
exports read the standby. It stays closed (the primary is read):

- outside requests: management commands, the task worker, migrations;
- for the tables of sign-in, permissions and infrastructure (`PRIMARY_APPS`): a session
  made, a role revoked or a rate counter bumped a moment ago must be seen at once;
- inside a transaction on the primary (a read before a write must read what it writes);
- for a client that wrote lately: every POST, PUT, PATCH or DELETE answered sets the
  `puente_primary` cookie for `PUENTE_REPLICA_PIN_SECONDS`, so the page after the write
  (the import result, the review queue after a decision) and the next ones read the
  primary, however far the standby lags;
- in views marked `@primary_reads` (pages that must show a write of another process at
  once: an import's result while the worker runs it).

The standby lags the primary by the time it takes to replay the primary's WAL (usually
milliseconds; seconds under a heavy import; without bound while replay is paused).
"""

from __future__ import annotations

import contextvars
import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from django.conf import settings
from django.db import connections
from django.db.models import Model
from django.http import HttpRequest, HttpResponseBase

REPLICA = "replica"
PIN_COOKIE = "puente_primary"
SAFE_METHODS = frozenset({"GET", "HEAD"})
# Sign-in, sessions, roles and scopes, second factors, login throttling, API tokens, the
# admin's log, tasks, and core's audit, uploads, rate counters and worker heartbeats.
PRIMARY_APPS = frozenset(
    {
        "accounts",
        "admin",
        "auth",
        "authtoken",
        "axes",
        "contenttypes",
        "core",
        "django_otp",
        "django_tasks_database",
        "otp_totp",
        "sessions",
    }
)

_replica_window: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "puente_replica_window", default=False
)

View = TypeVar("View", bound=Callable[..., Any])


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


@contextmanager
def replica_reads(allowed: bool = True) -> Iterator[None]:
    """Within the block, reads outside PRIMARY_APPS may go to the replica (`allowed`), or
    may not (`allowed=False`)."""
    token = _replica_window.set(allowed)
    try:
        yield
    finally:
        _replica_window.reset(token)


def primary_reads(view: View) -> View:
    """A view that reads the primary even for GET: its page must show what another process
    (the task worker) wrote a moment ago."""

    @functools.wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        with replica_reads(allowed=False):
            return view(*args, **kwargs)

    return wrapped  # type: ignore[return-value]


def primary_position() -> str | None:
    """The primary's WAL position now (None without a replica): what a reader must have
    replayed to see everything committed so far."""
    if not replica_configured():
        return None
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()::text")
        row = cursor.fetchone()
    return str(row[0]) if row else None


@contextmanager
def replica_reads_from(position: str | None) -> Iterator[None]:
    """Within the block, reads go to the replica only if it has replayed `position` (from
    `primary_position()`); else to the primary. For results cached under a version the
    primary wrote (the cube's): computed from a replica that lags, they would be kept
    stale long after it caught up."""
    if not position or not _replica_window.get():
        yield
        return
    with connections[REPLICA].cursor() as cursor:
        cursor.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [position])
        row = cursor.fetchone()
    with replica_reads(allowed=bool(row and row[0])):
        yield


class ReplicaRouter:
    """Reads to the replica inside the request's replica window only; writes and
    migrations to the primary."""

    def db_for_read(self, model: type[Model], **hints: Any) -> str:
        if (
            _replica_window.get()
            and model._meta.app_label not in PRIMARY_APPS
            and not connections["default"].in_atomic_block
        ):
            return REPLICA
        return "default"

    def db_for_write(self, model: type[Model], **hints: Any) -> str:
        return "default"

    def allow_relation(self, obj1: Model, obj2: Model, **hints: Any) -> bool:
        # Both databases hold the same rows (the replica is a copy of the primary).
        return True

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return db == "default"


class ReplicaMiddleware:
    """Opens the replica window for GET and HEAD requests of a client that did not write
    in the last PUENTE_REPLICA_PIN_SECONDS; pins a client that writes to the primary."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if not replica_configured():
            return self.get_response(request)
        safe = request.method in SAFE_METHODS
        allowed = safe and PIN_COOKIE not in request.COOKIES
        with replica_reads(allowed):
            response = self.get_response(request)
        if not safe:
            response.set_cookie(
                PIN_COOKIE,
                "1",
                max_age=settings.PUENTE_REPLICA_PIN_SECONDS,
                httponly=True,
                secure=settings.SESSION_COOKIE_SECURE,
                samesite="Lax",
            )
        return response
