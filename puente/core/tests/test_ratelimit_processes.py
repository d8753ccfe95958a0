"""The rate counter holds across processes: six processes, each with its own database
connection, count the same key at the same moment, and every count from 1 to 60 is
returned exactly once (no two requests read the same count, none is lost). Run on a
database of its own (a file for SQLite, a scratch database for PostgreSQL), since the
processes commit what they count."""

import json
import os
import subprocess
import sys
import time

import pytest

from puente.reporting.tests.test_atomicity import scratch_database  # noqa: F401

PROCESSES = 6
EACH = 10

COUNTER = """
import json, os, sys, time
import django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "puente.settings")
django.setup()
from puente.core.ratelimit import rate_count
start = float(sys.argv[1])
while time.time() < start:
    time.sleep(0.001)
print(json.dumps([rate_count("test:processes", window=3600) for _i in range(%d)]))
"""


def test_concurrent_processes_each_read_a_count_of_their_own(scratch_database):  # noqa: F811
    env = {
        **os.environ,
        "DATABASE_URL": scratch_database,
        "DJANGO_SETTINGS_MODULE": "puente.settings",
    }
    # given a database with the counter's table
    subprocess.run(
        [sys.executable, "-m", "django", "migrate", "core", "--noinput", "-v", "0"],
        env=env,
        check=True,
        capture_output=True,
    )
    # when six processes count one key at the same moment, ten times each
    start = time.time() + 8
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", COUNTER % EACH, str(start)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _i in range(PROCESSES)
    ]
    counts: list[int] = []
    for process in processes:
        out, err = process.communicate(timeout=120)
        assert process.returncode == 0, err
        counts.extend(json.loads(out))
    # then every count was returned once: the limit lets exactly `limit` requests through
    assert sorted(counts) == list(range(1, PROCESSES * EACH + 1))
    if time.time() < start:
        pytest.fail("the processes did not wait for the common start")
