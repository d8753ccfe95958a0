"""The pieces of the replica test: a primary and standby pair (scripts/pg-replica) and a
Puente site served against them."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
import requests

from puente.reporting.tests.conftest import HEADER

ROOT = Path(__file__).resolve().parents[2]
PUENTE = str(Path(sys.executable).parent / "puente")
PASSWORD = "replica-Test-pw-2026!"
REPORTER = "reporter@example.org"
COORDINATOR = "coordinator@example.org"


PARTNERS_CSV = "name,acronym,type,countries,appealing\nOrganización A,ORGA,national-ngo,COL,yes\n"


def site_env(primary: str, tmp: Path, **more: str) -> dict[str, Any]:
    """The environment of a Puente of the test's own on `primary`: debug mode (no
    production keys), its folders under `tmp`, and `more`."""
    return {
        **os.environ,
        "DATABASE_URL": primary,
        "PUENTE_DEBUG": "1",
        "PUENTE_MEDIA_ROOT": str(tmp / "media"),
        "PUENTE_CACHE_DIR": str(tmp / "cache"),
        "PUENTE_COLUMNAR_DIR": str(tmp / "columnar"),
        "PUENTE_DEV_FEEDBACK_KEY_FILE": str(tmp / "feedback-key"),
        **more,
    }


@dataclass
class Cluster:
    directory: str
    primary: str
    replica: str

    @contextmanager
    def replay_paused(self) -> Iterator[None]:
        """The standby receives the primary's WAL but does not apply it: what the primary
        writes meanwhile is not on the standby until the block ends."""
        with psycopg.connect(self.replica, autocommit=True) as standby:
            standby.execute("SELECT pg_wal_replay_pause()")
            for _ in range(100):
                state = standby.execute("SELECT pg_get_wal_replay_pause_state()").fetchone()
                if state and state[0] == "paused":
                    break
                time.sleep(0.05)
            else:
                raise AssertionError("the standby did not pause its replay")
        try:
            yield
        finally:
            with psycopg.connect(self.replica, autocommit=True) as standby:
                standby.execute("SELECT pg_wal_replay_resume()")
            self.wait_for_replay()

    def wait_for_replay(self) -> None:
        """Until the standby has applied everything the primary wrote so far."""
        with psycopg.connect(self.primary, autocommit=True) as primary:
            row = primary.execute("SELECT pg_current_wal_lsn()::text").fetchone()
            assert row is not None
            lsn = row[0]
        with psycopg.connect(self.replica, autocommit=True) as standby:
            for _ in range(200):
                caught_up = standby.execute(
                    "SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [lsn]
                ).fetchone()
                if caught_up and caught_up[0]:
                    return
                time.sleep(0.05)
        raise AssertionError("the standby did not catch up with the primary in 10 s")

    def count(self, url: str, table: str) -> int:
        with psycopg.connect(url, autocommit=True) as conn:
            row = conn.execute(f"SELECT count(*) FROM {table}").fetchone()  # noqa: S608
            assert row is not None
            return int(row[0])


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def csv_of(*rows: dict[str, str]) -> bytes:
    lines = [",".join(HEADER), *(",".join(row[h] for h in HEADER) for row in rows)]
    return ("\n".join(lines) + "\n").encode()


@dataclass
class Site:
    url: str
    env: dict[str, str]
    token: str
    cluster: Cluster

    def puente(self, *args: str) -> str:
        result = subprocess.run(  # noqa: S603
            [PUENTE, *args], env=self.env, capture_output=True, text=True, timeout=300, check=False
        )
        assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
        return result.stdout

    def api_row_count(self) -> int:
        """The 5W rows the API lists to a token (a client that keeps no cookie)."""
        response = requests.get(
            f"{self.url}/api/5w/rows/?limit=1",
            headers={"Authorization": f"Token {self.token}"},
            timeout=30,
        )
        assert response.status_code == 200, response.text[:500]
        return int(response.json()["count"])

    def signed_in(self, email: str) -> requests.Session:
        browser = requests.Session()
        browser.headers["Accept-Language"] = "en"
        browser.get(f"{self.url}/accounts/login/", timeout=30).raise_for_status()
        response = browser.post(
            f"{self.url}/accounts/login/",
            data={
                "username": email,
                "password": PASSWORD,
                "csrfmiddlewaretoken": browser.cookies["csrftoken"],
            },
            allow_redirects=False,
            timeout=30,
        )
        assert response.status_code == 302, response.text[:2000]
        return browser
