"""Workers on different machines (docs/deploy.md, "Many processes, many machines"): they
share only PostgreSQL, each with a columnar folder of its own. Two such workers refreshing
overlapping countries of the demo response at the same time, in different orders, leave
the cube exactly as one process made it: every cell once, with the same figures.

PostgreSQL only: SQLite is one machine's database, and its write transactions already
let one refresh run at a time. Runs with the walk, whose demo response is committed and so
visible to the worker processes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.db.models import Count

from puente.analytics.models import ReachCell
from puente.reporting.models import ActivityRow

pytestmark = [pytest.mark.walk, pytest.mark.django_db]

PUENTE = str(Path(sys.executable).parent / "puente")

REFRESHES = """
import sys
from puente.analytics.services.cube import cube_refresh
year = {year}
for countries in {rounds!r}:
    cube_refresh(country_ids=countries, year=year)
print("REFRESHED", len({rounds!r}))
"""


def _database_url() -> str:
    conf = connection.settings_dict
    user = conf.get("USER") or "postgres"
    password = f":{conf['PASSWORD']}" if conf.get("PASSWORD") else ""
    host = conf.get("HOST") or "127.0.0.1"
    port = conf.get("PORT") or "5432"
    return f"postgresql://{user}{password}@{host}:{port}/{conf['NAME']}"


def _cube(year: int, countries: list[int]) -> list[tuple[Any, ...]]:
    cells = ReachCell.objects.filter(year=year, country_id__in=countries)
    fields = [f.attname for f in ReachCell._meta.concrete_fields if f.attname != "id"]
    return sorted(cells.values_list(*fields), key=repr)


def test_two_workers_with_their_own_folders_give_the_figures_of_one_process(
    walk_db: dict, tmp_path: Path
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("workers on several machines share PostgreSQL; SQLite is one machine's")
    # given the demo's cube of its busiest year, made by one process
    year = (
        ActivityRow.objects.values_list("month__year", flat=True)
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()
    )
    busiest = (
        ActivityRow.objects.filter(month__year=year)
        .values("country_id")
        .annotate(n=Count("id"))
        .order_by("-n")
    )
    a, b, c = (row["country_id"] for row in busiest[:3])
    before = _cube(year, [a, b, c])
    assert len(before) > 50

    # when two workers, each with its own columnar folder, refresh overlapping countries
    # at the same time, in different orders
    rounds = {
        "one": [[a, b], [c, a], [b], [a, b, c]],
        "two": [[b, c], [a], [c, b, a], [b, c]],
    }
    processes = {}
    for name, plan in rounds.items():
        env = {
            **os.environ,
            "DATABASE_URL": _database_url(),
            "PUENTE_DEBUG": "1",
            "PUENTE_COLUMNAR_DIR": str(tmp_path / f"columnar-{name}"),
            "PUENTE_CACHE_DIR": str(tmp_path / f"cache-{name}"),
        }
        processes[name] = subprocess.Popen(  # noqa: S603
            [PUENTE, "shell", "-c", REFRESHES.format(year=year, rounds=plan)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
    for name, process in processes.items():
        out, err = process.communicate(timeout=900)
        assert process.returncode == 0, err[-3000:]
        assert f"REFRESHED {len(rounds[name])}" in out

    # then every cell is there once, with the figures of the one process
    after = _cube(year, [a, b, c])
    assert after == before
    # and each worker wrote the partitions it read into its own folder
    for name in rounds:
        written = {p.name for p in (tmp_path / f"columnar-{name}" / str(year)).iterdir()}
        assert {f"{country}.parquet" for country in (a, b, c)} <= written
