"""Tasks whose worker died: retried or marked failed, never left running for ever.

django-tasks' database worker marks a task RUNNING when it claims it and SUCCESSFUL or
FAILED when it ends. A worker killed in between (out of memory, a machine lost, `kill
-9`) leaves the task RUNNING, and no other worker would ever take it. Every `puente
worker` records a heartbeat each minute (puente.core.health); a task is orphaned when the
worker that claimed it last has not been seen for `PUENTE_TASK_ORPHAN_SECONDS`. A worker
that never recorded a heartbeat (a bare `db_worker`) is not judged.

What is done with an orphan depends on the task:
- a task that gives the same result when run again (`RETRYABLE_TASKS`) is put back in the
  queue, up to `MAX_ATTEMPTS` claims in all;
- any other task is marked failed, naming the worker that died. A 5W import is one
  transaction, so nothing of it was written; its batch is marked failed by its own sweep
  (`batch_fail_stale`) and the user runs it again.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from puente.core.models import WorkerHeartbeat

# Tasks that may run again after a worker died mid-way: they lock what they change and
# make the same figures, or write the same export file, whenever and however often they
# run (docs/flows.md, docs/collect.md).
RETRYABLE_TASKS = frozenset(
    {"puente.flows.tasks.submission_figures_task", "puente.collect.tasks.form_export_task"}
)
MAX_ATTEMPTS = 3


class WorkerDied(Exception):
    """The worker running the task stopped before it ended."""


@dataclass
class Recovery:
    retried: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)


def orphaned_tasks_recover(*, now: dt.datetime | None = None) -> Recovery:
    """Retry or fail every running task whose worker has not been seen lately."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(seconds=settings.PUENTE_TASK_ORPHAN_SECONDS)
    gone = set(
        WorkerHeartbeat.objects.filter(seen_at__lt=cutoff).values_list("worker_id", flat=True)
    )
    recovery = Recovery()
    if not gone:
        return recovery
    with transaction.atomic():
        # Two workers sweeping at once: each orphan is handled by one of them.
        running = (
            DBTaskResult.objects.running()
            .filter(started_at__lt=cutoff)
            .select_for_update(skip_locked=True)
            .order_by()
        )
        for result in running:
            worker = result.worker_ids[-1] if result.worker_ids else None
            if worker not in gone:
                continue
            if result.task_path in RETRYABLE_TASKS and len(result.worker_ids) < MAX_ATTEMPTS:
                result.status = TaskResultStatus.READY
                result.started_at = None
                result.save(update_fields=["status", "started_at"])
                recovery.retried.append(str(result.id))
            else:
                result.set_failed(
                    WorkerDied(
                        f"worker {worker} stopped while running this task "
                        f"(attempt {len(result.worker_ids)}); run it again"
                    )
                )
                recovery.failed.append(str(result.id))
    return recovery
