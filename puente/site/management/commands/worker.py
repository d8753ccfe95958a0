"""`puente worker`: django-tasks' `db_worker`, under a memory limit, failing the imports
whose process died.

The limit (PUENTE_WORKER_MEMORY_BYTES, the address space of the process) turns a file
that needs more memory than the server has into a failed import instead of a server
brought down; a reader that cannot allocate aborts the worker process, so whatever
restarts the worker (systemd, the container) must restart it. At start-up and every
minute the worker marks as failed every running import whose heartbeat stopped
(`batch_fail_stale`): its process died, and its one transaction was never committed.
It also records its own heartbeat then (`puente.core.health`), which `/readyz` reads,
and queues again or fails the tasks of workers whose heartbeat stopped
(`puente.core.task_recovery`).
"""

from __future__ import annotations

import logging
import os
import resource
import socket
import threading
from typing import Any

from django.conf import settings
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

logger = logging.getLogger("puente.worker")

SWEEP_EVERY = 60  # seconds


def memory_limit_apply(limit: int) -> None:
    """Cap the process's address space at `limit` bytes (0: no cap). The hard limit is
    kept, so a lower one set by the system stays in force."""
    if limit <= 0:
        return
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def stale_imports_fail() -> None:
    from django.db import close_old_connections, connection

    from puente.reporting.services.imports import batch_fail_stale

    # A connection left over from the last sweep may have gone stale; one inside a
    # transaction (the caller's) is the caller's to keep.
    if not connection.in_atomic_block:
        close_old_connections()
    failed = batch_fail_stale()
    if failed:
        logger.warning("Imports marked failed (their process died): %s", failed)


def orphaned_tasks_sweep() -> None:
    from puente.core.task_recovery import orphaned_tasks_recover

    recovery = orphaned_tasks_recover()
    if recovery.retried:
        logger.warning("Tasks of a worker that died, queued again: %s", recovery.retried)
    if recovery.failed:
        logger.warning("Tasks of a worker that died, marked failed: %s", recovery.failed)


def heartbeat(worker_id: str) -> None:
    from django.db import close_old_connections, connection

    from puente.core.health import worker_heartbeat_record

    if not connection.in_atomic_block:
        close_old_connections()
    worker_heartbeat_record(worker_id)


def _sweep_forever(stop: threading.Event, worker_id: str) -> None:
    while not stop.wait(SWEEP_EVERY):
        try:
            heartbeat(worker_id)
        except Exception:  # a database away now is tried again next minute
            logger.exception("Could not record the worker's heartbeat")
        try:
            stale_imports_fail()
        except Exception:  # a locked database now is tried again next minute
            logger.exception("Could not check for imports whose process died")
        try:
            orphaned_tasks_sweep()
        except Exception:  # a locked database now is tried again next minute
            logger.exception("Could not check for tasks whose worker died")


class Command(DbWorkerCommand):
    help = (
        "Run the background worker (large imports) under the memory limit "
        "PUENTE_WORKER_MEMORY_BYTES; imports whose process died are marked failed."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        memory_limit_apply(settings.PUENTE_WORKER_MEMORY_BYTES)
        worker_id = options.get("worker_id") or f"{socket.gethostname()}-{os.getpid()}"
        # /readyz reads it: a worker seen in the last minutes (docs/deploy.md).
        heartbeat(worker_id)
        stale_imports_fail()
        orphaned_tasks_sweep()
        stop = threading.Event()
        if not options.get("batch"):
            threading.Thread(
                target=_sweep_forever, args=(stop, worker_id), name="sweeps", daemon=True
            ).start()
        try:
            super().handle(*args, **options)
        finally:
            stop.set()
