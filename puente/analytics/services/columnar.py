"""A columnar copy of the rows the consolidation reads, one Parquet file per country and
year, queried with DuckDB.

The database stays the record; these files are derived from it and rewritten, for the
countries and year concerned, every time the cube is refreshed (which is the one hook
every change of validated rows goes through: imports, reviews, corrections, locks do not
change rows). A full consolidation then reads a few columns of a compressed column store
instead of scanning the row table. See docs/architecture.md ("Consolidated figures").

A partition holds the validated rows of RMRP activities of a country and year, summed to
the finest grain each part of the rule reads (nothing the rule computes looks finer):
- `<country>.parquet`: per month, admin-1 area, sector, organisation, indicator and
  population group, `new` and `total` of the rows people reached are counted from
  (`COUNTED_SQL`);
- `<country>.extras.parquet`: per month, admin-1 area, sector and population group, the
  breakdown sums of those rows and the CVA value of every row, year to date (each month
  holds the sums of the months up to it).
"""

from __future__ import annotations

import contextlib
import csv
import fcntl
import os
import tempfile
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, transaction

from puente.analytics.services.consolidation import COUNTED_SQL
from puente.reference.models import Indicator
from puente.reporting.models import ActivityRow

# Name and DuckDB type of every column of a partition, in file order.
COLUMNS: tuple[tuple[str, str], ...] = (
    ("month", "INTEGER"),
    ("c", "INTEGER"),
    ("a", "INTEGER"),
    ("s", "INTEGER"),
    ("o", "INTEGER"),
    ("i", "INTEGER"),
    ("g", "INTEGER"),
    ("counts", "BOOLEAN"),
    ("new", "INTEGER"),
    ("total", "INTEGER"),
    ("girls", "INTEGER"),
    ("boys", "INTEGER"),
    ("women", "INTEGER"),
    ("men", "INTEGER"),
    ("other", "INTEGER"),
    ("cva", "DECIMAL(14,2)"),
)


def columnar_enabled() -> bool:
    """PUENTE_COLUMNAR=off keeps every consolidation on the database."""
    if not getattr(settings, "PUENTE_COLUMNAR", True):
        return False
    try:
        import duckdb  # noqa: F401
    except ImportError:  # pragma: no cover - duckdb is a dependency
        return False
    return True


def columnar_dir() -> Path:
    return Path(settings.PUENTE_COLUMNAR_DIR)


def partition_path(year: int, country_id: int) -> Path:
    return columnar_dir() / str(year) / f"{country_id}.parquet"


def extras_path(year: int, country_id: int) -> Path:
    return columnar_dir() / str(year) / f"{country_id}.extras.parquet"


ROWS_SQL = """
    SELECT month, c, a, s, o, i, g,
           CAST(SUM(new) AS BIGINT) AS new, CAST(SUM(total) AS BIGINT) AS total
    FROM raw WHERE counts GROUP BY month, c, a, s, o, i, g
"""
# Year to date per month: the figures of month M sum the months up to M, so a query for M
# reads the rows of M alone (sorted by month, in small row groups it can skip).
EXTRAS_SQL = """
    WITH m AS (
        SELECT month, c, a, s, g,
               SUM(CASE WHEN counts THEN girls ELSE 0 END) AS girls,
               SUM(CASE WHEN counts THEN boys ELSE 0 END) AS boys,
               SUM(CASE WHEN counts THEN women ELSE 0 END) AS women,
               SUM(CASE WHEN counts THEN men ELSE 0 END) AS men,
               SUM(CASE WHEN counts THEN other ELSE 0 END) AS other,
               SUM(cva) AS cva
        FROM raw GROUP BY month, c, a, s, g
    ), grid AS (
        SELECT k.c, k.a, k.s, k.g, months.month
        FROM (SELECT c, a, s, g, MIN(month) AS first FROM m GROUP BY c, a, s, g) k
        JOIN (SELECT CAST(range AS INTEGER) AS month FROM range(1, 13)) months
          ON months.month >= k.first
    )
    SELECT grid.month, grid.c, grid.a, grid.s, grid.g,
           CAST(SUM(COALESCE(m.girls, 0)) OVER w AS BIGINT) AS girls,
           CAST(SUM(COALESCE(m.boys, 0)) OVER w AS BIGINT) AS boys,
           CAST(SUM(COALESCE(m.women, 0)) OVER w AS BIGINT) AS women,
           CAST(SUM(COALESCE(m.men, 0)) OVER w AS BIGINT) AS men,
           CAST(SUM(COALESCE(m.other, 0)) OVER w AS BIGINT) AS other,
           CAST(SUM(COALESCE(m.cva, 0)) OVER w AS DECIMAL(18, 2)) AS cva
    FROM grid LEFT JOIN m
      ON m.month = grid.month AND m.c = grid.c AND m.a = grid.a AND m.s = grid.s
     AND m.g = grid.g
    WINDOW w AS (PARTITION BY grid.c, grid.a, grid.s, grid.g ORDER BY grid.month)
    ORDER BY grid.month
"""


@contextlib.contextmanager
def _partition_lock(path: Path) -> Iterator[None]:
    """One writer per partition at a time, across processes: an export that starts later
    (and so sees later commits) also replaces the file later."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_suffix(".lock"), "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _export_query() -> str:
    rows = ActivityRow._meta.db_table
    indicators = Indicator._meta.db_table
    month = (
        "CAST(EXTRACT(MONTH FROM r.month) AS INTEGER)"
        if connection.vendor == "postgresql"
        else "CAST(strftime('%%m', r.month) AS INTEGER)"
    )
    return f"""
        SELECT {month}, r.country_id, r.admin1_id, r.sector_id, r.appealing_org_id,
               r.indicator_id, r.population_group_id, {COUNTED_SQL},
               r.new_beneficiaries, r.total_monthly, r.girls, r.boys, r.women, r.men,
               r.other, r.cva_value_usd
        FROM {rows} r JOIN {indicators} ind ON ind.id = r.indicator_id
        WHERE r.status = 'validated' AND r.rmrp_activity = TRUE AND r.country_id = %s
          AND r.month >= %s AND r.month <= %s
    """  # noqa: S608  (identifiers come from the code, values are parameters)


def _export_csv(year: int, country_id: int, target: Path) -> None:
    params: list[Any] = [country_id, f"{year}-01-01", f"{year}-12-01"]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            sql = cursor.mogrify(_export_query(), params)  # type: ignore[attr-defined]
            with (
                target.open("wb") as handle,
                cursor.cursor.copy(f"COPY ({sql}) TO STDOUT WITH (FORMAT csv)") as copy,
            ):
                for block in copy:
                    handle.write(block)
            return
        cursor.execute(_export_query(), params)
        with target.open("w", newline="") as handle:
            writer = csv.writer(handle)
            while batch := cursor.fetchmany(20000):
                writer.writerows(
                    [
                        "" if v is None else ("true" if v is True else "false" if v is False else v)
                        for v in row
                    ]
                    for row in batch
                )


_instance: tuple[int, Any] | None = None
_instance_lock = threading.Lock()


def _duckdb() -> Any:
    """A connection of its own to this process's DuckDB instance, to close after use.

    Starting an instance and its first query cost about 45 ms, as much as a third of a
    year's consolidation on a million rows (docs/performance.md), so one instance is kept
    per process (made again after a fork). Its connections are independent: each has its
    own temporary views and tables, and threads may use their own at the same time."""
    global _instance
    with _instance_lock:
        if _instance is None or _instance[0] != os.getpid():
            import duckdb

            _instance = (os.getpid(), duckdb.connect(config={"threads": os.cpu_count() or 1}))
        return _instance[1].cursor()


class ColumnarWriteError(Exception):
    """A partition could not be written (a full disk, a folder not writable); every
    partition keeps its previous file, whole."""


def partitions_write(*, year: int, country_ids: Iterable[int]) -> None:
    """Rewrite the partitions of these countries for the year from the database.

    Each partition is written into a temporary folder beside it and moved over the old
    file only once whole, so a failure (ColumnarWriteError) leaves the old file in place.
    The database's side runs in a savepoint, so a failure in the middle of reading rows
    leaves the caller's transaction usable."""
    import duckdb

    try:
        with transaction.atomic():
            _partitions_write(year=year, country_ids=country_ids)
    except (OSError, duckdb.Error) as exc:
        raise ColumnarWriteError(str(exc)) from exc


def _partitions_write(*, year: int, country_ids: Iterable[int]) -> None:
    columns = "{" + ", ".join(f"'{name}': '{kind}'" for name, kind in COLUMNS) + "}"
    empty = (
        "SELECT "
        + ", ".join(f"CAST(NULL AS {kind}) AS {name}" for name, kind in COLUMNS)
        + " LIMIT 0"
    )
    duck = _duckdb()
    try:
        for country_id in sorted(set(country_ids)):
            path = partition_path(year, country_id)
            with _partition_lock(path), tempfile.TemporaryDirectory(dir=path.parent) as work:
                rows = Path(work) / "rows.csv"
                _export_csv(year, country_id, rows)
                # Paths are made here from ids; nothing comes from a user.
                source = (
                    f"SELECT * FROM read_csv('{rows}', header=false, columns={columns}, nullstr='')"  # noqa: S608
                    if rows.stat().st_size
                    else empty
                )
                duck.execute(f"CREATE OR REPLACE TEMP TABLE raw AS {source}")
                written = Path(work) / "rows.parquet"
                extras = Path(work) / "extras.parquet"
                duck.execute(f"COPY ({ROWS_SQL}) TO '{written}' (FORMAT parquet)")
                duck.execute(
                    f"COPY ({EXTRAS_SQL}) TO '{extras}' (FORMAT parquet, ROW_GROUP_SIZE 8192)"
                )
                os.replace(extras, extras_path(year, country_id))
                os.replace(written, path)
    finally:
        duck.close()


def partitions_ensure(*, year: int, country_ids: Iterable[int]) -> list[int]:
    """The countries given, their partitions written first where missing."""
    wanted = sorted(set(country_ids))
    missing = [
        c
        for c in wanted
        if not (partition_path(year, c).exists() and extras_path(year, c).exists())
    ]
    if missing:
        partitions_write(year=year, country_ids=missing)
    return wanted


def version_path(year: int, country_id: int) -> Path:
    return columnar_dir() / str(year) / f"{country_id}.version"


def _cube_version(refreshed_at: Any) -> str:
    return refreshed_at.isoformat() if refreshed_at is not None else ""


def partitions_stamp(*, year: int, versions: dict[int, Any]) -> None:
    """Record beside each country's partition the cube state it holds the rows of (the
    country's `CubeState.refreshed_at`, None for a cube never built)."""
    for country_id, refreshed_at in versions.items():
        path = version_path(year, country_id)
        path.parent.mkdir(parents=True, exist_ok=True)
        written = path.with_name(f"{path.name}.{os.getpid()}.{threading.get_ident()}")
        written.write_text(_cube_version(refreshed_at))
        os.replace(written, path)


def partitions_current(*, year: int, country_ids: Iterable[int]) -> list[int]:
    """The countries given, each partition rewritten first where it is missing or holds
    an older state of the cube than the database's: a process whose folder another
    process's refreshes did not write (a web machine; a worker on another machine) reads
    the same rows the cube was made from. Raises ColumnarWriteError as
    `partitions_write`."""
    from puente.analytics.models import CubeState

    wanted = sorted(set(country_ids))
    states = dict(
        CubeState.objects.filter(year=year, country_id__in=wanted).values_list(
            "country_id", "refreshed_at"
        )
    )
    stale = [c for c in wanted if _stamp(year, c) != _cube_version(states.get(c))]
    if stale:
        partitions_write(year=year, country_ids=stale)
        partitions_stamp(year=year, versions={c: states.get(c) for c in stale})
    return wanted


def _stamp(year: int, country_id: int) -> str | None:
    """The cube state a partition was stamped with; None when it, or its files, are
    missing."""
    if not (partition_path(year, country_id).exists() and extras_path(year, country_id).exists()):
        return None
    try:
        return version_path(year, country_id).read_text()
    except OSError:
        return None


def columnar_query(
    statements: list[str], *, year: int, country_ids: list[int], params: list[Any]
) -> list[list[tuple[Any, ...]]]:
    """Run each statement in DuckDB with the relations `src` (the rule's rows) and
    `extras` bound to the partitions of these countries."""
    duck = _duckdb()
    try:
        for view, path in (("src", partition_path), ("extras", extras_path)):
            files = ", ".join(f"'{path(year, c)}'" for c in country_ids)
            duck.execute(f"CREATE TEMP VIEW {view} AS SELECT * FROM read_parquet([{files}])")  # noqa: S608
        return [_rows(duck.execute(sql, params)) for sql in statements]
    finally:
        duck.close()


def _rows(result: Any) -> list[tuple[Any, ...]]:
    """The rows of a DuckDB result as tuples of Python values, read column by column:
    `fetchall` converts value by value and costs five times as much on the 22,000 rows
    of a year's consolidation (docs/performance.md). Integers stay integers; a NULL
    becomes None. A DECIMAL would arrive as a float, so queries return exact amounts as
    integers (cents)."""
    columns = result.fetchnumpy()
    return list(zip(*(column.tolist() for column in columns.values()), strict=True))
