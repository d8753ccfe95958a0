"""A 5W import killed in the middle of writing leaves the database as it was.

Runs the real `puente` command in a child process against a database of its own (a file
for SQLite, a scratch database on the PostgreSQL server for PostgreSQL), kills it with
SIGKILL once it has started writing, and counts the rows."""

import os
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path

import dj_database_url
import pytest
from django.conf import settings

from puente.core.testing import csv_bytes
from puente.reporting.tests.conftest import HEADER, good_row

PUENTE = str(Path(sys.executable).parent / "puente")


@pytest.fixture
def scratch_database(tmp_path):
    engine = settings.DATABASES["default"]["ENGINE"]
    if engine.endswith("sqlite3"):
        yield f"sqlite:///{tmp_path / 'kill.sqlite3'}"
        return
    import psycopg

    config = dj_database_url.parse(os.environ["DATABASE_URL"])
    name = f"puente_kill_{secrets.token_hex(4)}"
    admin_url = (
        f"postgresql://{config['USER']}@{config['HOST']}:{config['PORT'] or 5432}/{config['NAME']}"
    )
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield admin_url.rsplit("/", 1)[0] + "/" + name
    finally:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _puente(url, *args, **kwargs):
    env = {**os.environ, "DATABASE_URL": url, "PUENTE_LANGUAGE": "en"}
    return subprocess.run(
        [PUENTE, *args], env=env, check=True, capture_output=True, text=True, **kwargs
    )


def _count(url):
    out = _puente(
        url,
        "shell",
        "-v",
        "0",
        "-c",
        "from puente.reporting.models import ActivityRow;"
        "print(ActivityRow.objects.count(), sum(ActivityRow.objects.values_list("
        "'total_monthly', flat=True)))",
    )
    return tuple(int(x) for x in out.stdout.split())


def test_killed_import_leaves_the_database_as_it_was(tmp_path, scratch_database):
    url = scratch_database
    _puente(url, "migrate", "--noinput")
    _puente(url, "load-reference")
    partners = tmp_path / "partners.csv"
    partners.write_bytes(
        csv_bytes(
            [
                ["name", "acronym", "type", "countries"],
                ["Organización A", "ORGA", "ingo", "COL;PER"],
            ]
        )
    )
    _puente(url, "import", "partners", str(partners))
    first = tmp_path / "first.csv"
    first.write_bytes(csv_bytes([HEADER, [good_row()[h] for h in HEADER]]))
    _puente(url, "import", "5w", str(first))
    before = _count(url)
    assert before == (1, 100)

    # a big file that also replaces the first row
    rows = [
        [good_row(admin2=f"place {i}", total_monthly="999")[h] for h in HEADER]
        for i in range(150_000)
    ]
    rows.append([good_row(total_monthly="555")[h] for h in HEADER])
    big = tmp_path / "big.csv"
    big.write_bytes(csv_bytes([HEADER, *rows]))
    env = {**os.environ, "DATABASE_URL": url}
    process = subprocess.Popen(
        [PUENTE, "import", "5w", str(big), "--progress"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    seen = b""
    deadline = time.monotonic() + 240
    while b"writing" not in seen and time.monotonic() < deadline:
        chunk = process.stderr.read1(4096) if hasattr(process.stderr, "read1") else b""
        if not chunk and process.poll() is not None:
            break
        seen += chunk
    assert b"writing" in seen, seen[-500:]
    time.sleep(0.2)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL

    assert _count(url) == before
