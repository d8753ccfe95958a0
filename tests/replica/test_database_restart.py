"""PostgreSQL restarted in the middle of a 5W import (docs/deploy.md, "Faults"): the
import ends with a clear message, nothing of the file is written, and the same command
run again imports it whole. The database is the primary of a cluster of the test's own
(scripts/pg-replica), restarted with `pg_ctl restart -m fast` once the import's
transaction has begun writing."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path
from typing import Any

import psycopg
import pytest

from puente.reporting.tests.conftest import good_row
from tests.replica.harness import PUENTE, Cluster, csv_of

pytestmark = pytest.mark.replica

ROWS = 20_000


def _pg_ctl(cluster: Cluster, *args: str) -> None:
    command = ["pg_ctl", "-D", f"{cluster.directory}/primary", *args]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command = ["runuser", "-u", "postgres", "--", *command]
    subprocess.run(command, check=True, capture_output=True, timeout=120)  # noqa: S603


def _rows(url: str) -> int:
    for _ in range(300):  # the primary may still be starting
        try:
            with psycopg.connect(url, autocommit=True, connect_timeout=2) as conn:
                row = conn.execute("SELECT count(*) FROM reporting_activityrow").fetchone()
                assert row is not None
                return int(row[0])
        except psycopg.OperationalError:
            time.sleep(0.1)
    raise AssertionError("the primary did not come back")


def _writing(url: str) -> bool:
    """Whether a transaction other than ours has written something (holds an xid)."""
    with psycopg.connect(url, autocommit=True) as conn:
        row = conn.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE backend_xid IS NOT NULL AND pid <> pg_backend_pid()"
        ).fetchone()
        return bool(row and row[0])


def test_an_import_cut_by_a_database_restart_writes_nothing_and_runs_again(
    cluster: Cluster, tmp_path: Path
) -> None:
    env: dict[str, Any] = {
        **os.environ,
        "DATABASE_URL": cluster.primary,
        "PUENTE_DEBUG": "1",
        "PUENTE_TASKS": "immediate",
        "PUENTE_LANGUAGE": "en",
        "PUENTE_MEDIA_ROOT": str(tmp_path / "media"),
        "PUENTE_CACHE_DIR": str(tmp_path / "cache"),
        "PUENTE_COLUMNAR_DIR": str(tmp_path / "columnar"),
        "PUENTE_DEV_FEEDBACK_KEY_FILE": str(tmp_path / "feedback-key"),
    }

    def puente(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(  # noqa: S603
            [PUENTE, *args], env=env, capture_output=True, text=True, timeout=600, check=False
        )

    for args in (("migrate", "--noinput", "-v", "0"), ("load-reference", "-v", "0")):
        assert puente(*args).returncode == 0
    partners = tmp_path / "partners.csv"
    partners.write_text(
        "name,acronym,type,countries,appealing\nOrganización A,ORGA,national-ngo,COL,yes\n"
    )
    assert puente("import", "partners", str(partners)).returncode == 0
    five_w = tmp_path / "5w.csv"
    five_w.write_bytes(csv_of(*(good_row(activity=f"Atención {n}") for n in range(ROWS))))

    # given an import under way, writing
    importing = subprocess.Popen(  # noqa: S603
        [PUENTE, "import", "5w", str(five_w)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 300
    while not _writing(cluster.primary):
        assert importing.poll() is None, "the import ended before it wrote"
        assert time.monotonic() < deadline, "the import never began writing"
        time.sleep(0.02)

    # when PostgreSQL restarts
    _pg_ctl(cluster, "restart", "-m", "fast", "-w", "-l", f"{cluster.directory}/primary.log")
    out, err = importing.communicate(timeout=300)

    # then the import ends with a clear message, and nothing of it is written
    assert importing.returncode == 1, out + err
    assert "The connection to the database was lost during the import" in err
    assert "Nothing of this file was written" in err
    assert "Traceback" not in err
    assert _rows(cluster.primary) == 0

    # and the same command, run again, imports the whole file
    again = puente("import", "5w", str(five_w))
    assert again.returncode == 0, again.stdout + again.stderr
    assert _rows(cluster.primary) == ROWS
