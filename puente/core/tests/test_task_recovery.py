"""A worker that dies in the middle of a task (docs/deploy.md, "A worker that dies"): the
task is queued again when it is safe to run twice, else marked failed naming the worker;
never left running for ever. Tasks of live workers are left alone."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from puente.core.models import WorkerHeartbeat
from puente.core.task_recovery import MAX_ATTEMPTS, orphaned_tasks_recover
from puente.flows.tasks import submission_figures_task
from puente.reporting.tasks import batch_import_task

pytestmark = pytest.mark.django_db


@pytest.fixture
def database_queue(settings: Any) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.PUENTE_TASK_ORPHAN_SECONDS = 300


def _claimed(task: Any, *args: Any, worker: str, minutes_ago: int, attempts: int = 1) -> Any:
    """A task claimed `minutes_ago` by `worker` (after `attempts - 1` earlier claims)."""
    result = DBTaskResult.objects.get(id=task.enqueue(*args).id)
    result.worker_ids = [f"earlier-{n}" for n in range(attempts - 1)]
    result.claim(worker)
    DBTaskResult.objects.filter(pk=result.pk).update(
        started_at=timezone.now() - dt.timedelta(minutes=minutes_ago)
    )
    return result


def _beat(worker: str, minutes_ago: int) -> None:
    seen_at = timezone.now() - dt.timedelta(minutes=minutes_ago)
    WorkerHeartbeat.objects.create(worker_id=worker, host="h", pid=1, seen_at=seen_at)


def test_a_task_safe_to_run_again_is_queued_again(database_queue: None) -> None:
    _beat("dead", minutes_ago=10)
    result = _claimed(submission_figures_task, 1, "stored", worker="dead", minutes_ago=10)
    recovery = orphaned_tasks_recover()
    result.refresh_from_db()
    assert recovery.retried == [str(result.id)]
    assert result.status == "READY"
    assert result.started_at is None
    assert result.worker_ids == ["dead"]


def test_an_import_is_marked_failed_naming_the_worker(database_queue: None) -> None:
    _beat("dead", minutes_ago=10)
    result = _claimed(batch_import_task, 123, worker="dead", minutes_ago=10)
    recovery = orphaned_tasks_recover()
    result.refresh_from_db()
    assert recovery.failed == [str(result.id)]
    assert result.status == "FAILED"
    assert result.exception_class_path == "puente.core.task_recovery.WorkerDied"
    assert "worker dead stopped while running this task" in result.traceback


def test_a_task_that_killed_its_workers_too_often_is_failed(database_queue: None) -> None:
    _beat("dead", minutes_ago=10)
    result = _claimed(
        submission_figures_task, 1, "stored", worker="dead", minutes_ago=10, attempts=MAX_ATTEMPTS
    )
    assert orphaned_tasks_recover().failed == [str(result.id)]
    result.refresh_from_db()
    assert result.status == "FAILED"


def test_tasks_of_live_or_unknown_workers_are_left_running(database_queue: None) -> None:
    _beat("alive", minutes_ago=1)
    _beat("dead", minutes_ago=10)
    live = _claimed(submission_figures_task, 1, "stored", worker="alive", minutes_ago=30)
    # a bare db_worker records no heartbeat: not judged
    unknown = _claimed(submission_figures_task, 2, "stored", worker="bare", minutes_ago=30)
    # claimed a moment ago by a worker whose last beat is old: not long enough yet
    recent = _claimed(submission_figures_task, 3, "stored", worker="dead", minutes_ago=1)
    recovery = orphaned_tasks_recover()
    assert recovery.retried == recovery.failed == []
    for result in (live, unknown, recent):
        result.refresh_from_db()
        assert result.status == "RUNNING"


def test_puente_worker_runs_again_the_task_its_dead_predecessor_left(
    database_queue: None, monkeypatch: Any
) -> None:
    from django_tasks_db.management.commands import db_worker

    _beat("dead", minutes_ago=10)
    # a submission that does not exist: the task finds nothing to do and says so
    result = _claimed(submission_figures_task, 999999, "stored", worker="dead", minutes_ago=10)
    # (the worker closes connections out of autocommit: here, the test's own)
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)
    call_command("worker", batch=True, verbosity=0)
    result.refresh_from_db()
    assert result.status == "SUCCESSFUL"
    assert len(result.worker_ids) == 2
    assert result.worker_ids[0] == "dead"
