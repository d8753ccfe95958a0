"""Faults in the middle of a 5W import (docs/deploy.md, "Faults"), on the primary of a
cluster of the test's own (scripts/pg-replica):

- PostgreSQL restarted (`pg_ctl restart -m fast`) once the import's transaction has begun
  writing: the import ends with a clear message, nothing of the file is written, and the
  same command run again imports it whole;
- the background worker killed (SIGKILL) while it imports a queued file: nothing of the
  file is written, the next worker marks the task failed naming the dead worker and the
  import failed (`import_died`), and the file, kept, imports whole when queued again."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg
import pytest

from puente.reporting.tests.conftest import good_row
from tests.replica.harness import PARTNERS_CSV, PUENTE, Cluster, csv_of, site_env

pytestmark = pytest.mark.replica

ROWS = 20_000

Puente = Callable[..., subprocess.CompletedProcess[str]]


def _pg_ctl(cluster: Cluster, *args: str) -> None:
    command = ["pg_ctl", "-D", f"{cluster.directory}/primary", *args]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command = ["runuser", "-u", "postgres", "--", *command]
    subprocess.run(command, check=True, capture_output=True, timeout=120)  # noqa: S603


def _one(url: str, sql: str, *params: Any) -> Any:
    for _ in range(300):  # the primary may still be starting
        try:
            with psycopg.connect(url, autocommit=True, connect_timeout=2) as conn:
                row = conn.execute(sql, params).fetchone()
                assert row is not None
                return row[0] if len(row) == 1 else row
        except psycopg.OperationalError:
            time.sleep(0.1)
    raise AssertionError("the primary did not come back")


def _rows(url: str) -> int:
    return int(_one(url, "SELECT count(*) FROM reporting_activityrow"))


def _writing(url: str) -> bool:
    """Whether a transaction other than ours has written something (holds an xid)."""
    with psycopg.connect(url, autocommit=True) as conn:
        row = conn.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE backend_xid IS NOT NULL AND pid <> pg_backend_pid()"
        ).fetchone()
        return bool(row and row[0])


def _writing_rows(url: str) -> bool:
    """Whether a transaction holds the 5W table for writing (an import inserting rows)."""
    with psycopg.connect(url, autocommit=True) as conn:
        row = conn.execute(
            "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
            "WHERE c.relname LIKE 'reporting_activityrow%%' AND l.mode = 'RowExclusiveLock' "
            "AND l.pid <> pg_backend_pid()"
        ).fetchone()
        return bool(row and row[0])


def _wait_writing(
    url: str, process: subprocess.Popen[str], writing: Callable[[str], bool] = _writing
) -> None:
    deadline = time.monotonic() + 300
    while not writing(url):
        assert process.poll() is None, "the import ended before it wrote"
        assert time.monotonic() < deadline, "the import never began writing"
        time.sleep(0.02)


@pytest.fixture(scope="module")
def site(cluster: Cluster, tmp_path_factory: Any) -> tuple[dict[str, Any], Puente]:
    """Puente migrated on the primary, with reference data and the organisation ORGA."""
    tmp = tmp_path_factory.mktemp("import-faults")
    env = site_env(cluster.primary, tmp, PUENTE_LANGUAGE="en")

    def puente(*args: str, **more: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(  # noqa: S603
            [PUENTE, *args],
            env={**env, **more},
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )

    for args in (("migrate", "--noinput", "-v", "0"), ("load-reference", "-v", "0")):
        assert puente(*args).returncode == 0
    partners = tmp / "partners.csv"
    partners.write_text(PARTNERS_CSV)
    assert puente("import", "partners", str(partners)).returncode == 0
    return env, puente


def test_an_import_cut_by_a_database_restart_writes_nothing_and_runs_again(
    cluster: Cluster, site: tuple[dict[str, Any], Puente], tmp_path: Path
) -> None:
    env, puente = site
    before = _rows(cluster.primary)
    five_w = tmp_path / "5w.csv"
    five_w.write_bytes(csv_of(*(good_row(activity=f"Atención {n}") for n in range(ROWS))))

    # given an import under way, writing
    importing = subprocess.Popen(  # noqa: S603
        [PUENTE, "import", "5w", str(five_w)],
        env={**env, "PUENTE_TASKS": "immediate"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    _wait_writing(cluster.primary, importing)

    # when PostgreSQL restarts
    _pg_ctl(cluster, "restart", "-m", "fast", "-w", "-l", f"{cluster.directory}/primary.log")
    out, err = importing.communicate(timeout=300)

    # then the import ends with a clear message, and nothing of it is written
    assert importing.returncode == 1, out + err
    assert "The connection to the database was lost during the import" in err
    assert "Nothing of this file was written" in err
    assert "Traceback" not in err
    assert _rows(cluster.primary) == before

    # and the same command, run again, imports the whole file
    again = puente("import", "5w", str(five_w), PUENTE_TASKS="immediate")
    assert again.returncode == 0, again.stdout + again.stderr
    assert _rows(cluster.primary) == before + ROWS


QUEUE = """
from pathlib import Path
from puente.reporting.services.imports import batch_create
from puente.reporting.tasks import batch_import_task
batch = batch_create(acting_user=None, filename="5w.csv", content=Path({path!r}).read_bytes(),
                     source="file")
batch_import_task.enqueue(batch.pk)
print(batch.pk)
"""


def test_a_worker_killed_mid_import_writes_nothing_and_the_kept_file_imports_again(
    cluster: Cluster, site: tuple[dict[str, Any], Puente], tmp_path: Path
) -> None:
    env, puente = site
    before = _rows(cluster.primary)
    five_w = tmp_path / "5w.csv"
    five_w.write_bytes(csv_of(*(good_row(activity=f"Visita {n}") for n in range(ROWS))))
    queued = puente("shell", "-c", QUEUE.format(path=str(five_w)))
    assert queued.returncode == 0, queued.stderr
    batch = int(queued.stdout.split()[-1])

    # given a worker importing the queued file, writing
    worker = subprocess.Popen(  # noqa: S603
        # (one process: as on a server, without debug mode's reloader over it)
        [PUENTE, "worker", "--worker-id", "first", "--interval", "0.1", "--no-reload"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        _wait_writing(cluster.primary, worker, _writing_rows)
        # when it is killed, as the kernel's out-of-memory killer or a lost machine would
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=60)
    finally:
        if worker.poll() is None:
            worker.kill()

    # then nothing of the file is written, and the task is left running by a dead worker
    assert _rows(cluster.primary) == before
    task = "FROM django_tasks_database_dbtaskresult WHERE args_kwargs->'args' = %s::jsonb"
    assert _one(cluster.primary, f"SELECT status {task}", f"[{batch}]") == "RUNNING"

    # when the next worker starts, once the dead one's heartbeat and the import's are old
    time.sleep(2.5)
    second = puente(
        "worker",
        "--batch",
        "--worker-id",
        "second",
        PUENTE_TASK_ORPHAN_SECONDS="2",
        PUENTE_IMPORT_HEARTBEAT_TIMEOUT="2",
    )
    assert second.returncode == 0, second.stderr

    # then the task is failed, naming the dead worker, and the import failed as died
    status, error = _one(
        cluster.primary,
        f"SELECT status, exception_class_path || ': ' || traceback {task}",
        f"[{batch}]",
    )
    assert status == "FAILED", second.stderr
    assert "WorkerDied" in error and "worker first" in error
    state, report = _one(
        cluster.primary,
        "SELECT state, report::text FROM reporting_importbatch WHERE id = %s",
        batch,
    )
    assert state == "failed"
    assert "import_died" in report
    assert _rows(cluster.primary) == before

    # and the file, kept with the import, imports whole when queued again
    kept = _one(cluster.primary, "SELECT file FROM reporting_importbatch WHERE id = %s", batch)
    again = puente("shell", "-c", QUEUE.format(path=str(Path(env["PUENTE_MEDIA_ROOT"]) / kept)))
    assert again.returncode == 0, again.stderr
    third = puente("worker", "--batch", "--worker-id", "third")
    assert third.returncode == 0, third.stderr
    assert _rows(cluster.primary) == before + ROWS
