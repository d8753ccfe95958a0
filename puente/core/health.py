"""Liveness and readiness, for a reverse proxy, a load balancer or an orchestrator
(docs/deploy.md).

`/healthz` says the process answers, and asks nothing else: a database down must not get
every web process restarted. `/readyz` says this process can serve: the database answers,
every migration is applied, and a background worker was seen lately (imports, flow
monitoring's figures and the reminders need one). Each worker writes a heartbeat at its
start and every minute (`worker_heartbeat_record`, from `puente worker`)."""

from __future__ import annotations

import datetime as dt
import os
import socket
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.db.models import Max
from django.utils import timezone

from puente.core.models import WorkerHeartbeat

# Once every migration is applied, a running process does not check again (reading the
# migration files takes a tenth of a second; migrations are not unapplied under it).
_migrated = False


def worker_heartbeat_record(worker_id: str) -> None:
    """This worker is alive now (the beats of workers gone for a week are removed)."""
    now = timezone.now()
    WorkerHeartbeat.objects.filter(seen_at__lt=now - dt.timedelta(days=7)).delete()
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id[:64],
        defaults={"host": socket.gethostname()[:255], "pid": os.getpid(), "seen_at": now},
    )


def unapplied_migrations() -> int:
    """How many migrations the database lacks (0 once they are all applied)."""
    global _migrated
    if _migrated:
        return 0
    executor = MigrationExecutor(connection)
    unapplied = len(executor.migration_plan(executor.loader.graph.leaf_nodes()))
    _migrated = unapplied == 0
    return unapplied


@dataclass
class Readiness:
    checks: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def ready(self) -> bool:
        return all(check["ok"] for check in self.checks.values())

    def as_dict(self) -> dict[str, Any]:
        return {"status": "ready" if self.ready else "not ready", "checks": self.checks}


def readiness(now: dt.datetime | None = None) -> Readiness:
    """The database, the migrations and the workers' last heartbeat, each with `ok`."""
    result = Readiness()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError as error:
        result.checks["database"] = {"ok": False, "error": error.__class__.__name__}
        return result
    result.checks["database"] = {"ok": True}
    unapplied = unapplied_migrations()
    result.checks["migrations"] = {"ok": unapplied == 0, "unapplied": unapplied}
    last = WorkerHeartbeat.objects.aggregate(last=Max("seen_at"))["last"]
    limit = settings.PUENTE_READY_WORKER_SECONDS
    if last is None:
        result.checks["worker"] = {"ok": False, "last_seen_seconds": None, "limit_seconds": limit}
    else:
        age = max(0.0, ((now or timezone.now()) - last).total_seconds())
        result.checks["worker"] = {
            "ok": age <= limit,
            "last_seen_seconds": round(age, 1),
            "limit_seconds": limit,
        }
    return result
