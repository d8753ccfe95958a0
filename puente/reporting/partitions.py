"""The 5W table partitioned by year on PostgreSQL (docs/scaling.md, "Partitions").

`reporting_activityrow` is partitioned by range of `month`: one partition per calendar
year (`reporting_activityrow_y2025`) and a default partition for rows of a year without
one, so an insert never fails for want of a partition. Imports, the rule and exports use
the parent table as before: PostgreSQL routes each row to its year, and a query filtered
by month reads only the partitions of its years.

PostgreSQL asks that every unique key of a partitioned table hold the partition key: the
primary key there is (id, month), and a row's key is unique with its month (the key is
a hash of the month among other fields, so this is the same rule). Django still sees
`id` as the primary key, which it is: ids come from one sequence. No table refers to a
row with a database constraint (RowChange.row is checked by Django).

`table_partition` turns an existing table into the partitioned one (the migration
`0004_partition_rows_by_year` runs it): it renames the table, makes the partitioned
table with the same columns, copies the rows, then gives it the old table's constraints
and indexes under their old names, in one transaction. `year_partitions_ensure` adds the
partitions of coming years (`puente partitions --ensure`), taking out of the default
partition any rows of those years. On SQLite none of this applies: one table holds
every year."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils import timezone

TABLE = "reporting_activityrow"
DEFAULT = f"{TABLE}_default"
FIRST_YEAR = 2018  # the first regional plan's data
YEARS_AHEAD = 3


class PartitionError(Exception):
    """The table cannot be partitioned as it stands (a unique key without the month)."""


@dataclass(frozen=True)
class Partition:
    name: str
    year: int | None  # None: the default partition
    rows: int


def _year_name(year: int) -> str:
    return f"{TABLE}_y{year}"


def partitioned(conn: BaseDatabaseWrapper = connection) -> bool:
    """True when the 5W table is partitioned (PostgreSQL after the migration)."""
    if conn.vendor != "postgresql":
        return False
    with conn.cursor() as cursor:
        cursor.execute("SELECT relkind FROM pg_class WHERE oid = %s::regclass", [TABLE])
        row = cursor.fetchone()
    return bool(row and row[0] == "p")


def _quoted(conn: BaseDatabaseWrapper, name: str) -> str:
    return conn.ops.quote_name(name)


def _checks_now(cursor: Any) -> None:
    """Run the checks deferred to the commit now: PostgreSQL alters no table that has
    some pending (rows written earlier in the same transaction). Deferred again after."""
    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def _year_create(conn: BaseDatabaseWrapper, year: int) -> None:
    with conn.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE {_quoted(conn, _year_name(year))} PARTITION OF {TABLE} "
            "FOR VALUES FROM (%s) TO (%s)",
            [dt.date(year, 1, 1).isoformat(), dt.date(year + 1, 1, 1).isoformat()],
        )


def _years_wanted(stored: set[int], today: dt.date) -> list[int]:
    last = max([today.year + YEARS_AHEAD, *stored])
    first = min([FIRST_YEAR, *stored])
    return list(range(first, last + 1))


def table_partition(conn: BaseDatabaseWrapper = connection, today: dt.date | None = None) -> bool:
    """Turn the 5W table into the table partitioned by year, keeping every row, id,
    constraint and index name; False when there is nothing to do (not PostgreSQL, or
    partitioned already)."""
    if conn.vendor != "postgresql" or partitioned(conn):
        return False
    with conn.cursor() as cursor:
        cursor.execute(f"SELECT DISTINCT EXTRACT(YEAR FROM month)::int FROM {TABLE}")  # noqa: S608
        stored = {int(row[0]) for row in cursor.fetchall()}
    _rebuild(conn, years=_years_wanted(stored, today or timezone.localdate()))
    return True


def table_unpartition(conn: BaseDatabaseWrapper = connection) -> bool:
    """The way back (the migration reversed): one plain table with the same rows, the
    primary key on id alone; False when the table is not partitioned."""
    if not partitioned(conn):
        return False
    _rebuild(conn, years=None)
    return True


def _rebuild(conn: BaseDatabaseWrapper, *, years: list[int] | None) -> None:
    """Make the 5W table again, partitioned with these years and a default partition, or
    plain (`years` None), in one transaction: the same columns, rows and ids, then the
    old table's constraints and indexes under their names, the primary key holding the
    month when partitioned."""
    old = f"{TABLE}_old"
    with transaction.atomic(using=conn.alias), conn.cursor() as cursor:
        _checks_now(cursor)
        cursor.execute(
            "SELECT conname, contype, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND conparentid = 0 ORDER BY contype, conname",
            [TABLE],
        )
        constraints = cursor.fetchall()
        cursor.execute(
            "SELECT c.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i "
            "JOIN pg_class c ON c.oid = i.indexrelid WHERE i.indrelid = %s::regclass",
            [TABLE],
        )
        owned = {name for name, _kind, _definition in constraints}
        indexes = [sql for name, sql in cursor.fetchall() if name not in owned]
        if years is not None:
            for name, kind, definition in constraints:
                if kind == "u" and "month" not in definition:
                    raise PartitionError(f"{name} ({definition}) does not hold the month")
        cursor.execute(f"ALTER TABLE {TABLE} RENAME TO {old}")
        cursor.execute(
            f"CREATE TABLE {TABLE} (LIKE {old} INCLUDING DEFAULTS INCLUDING IDENTITY "
            "INCLUDING STORAGE INCLUDING COMMENTS)"
            + (" PARTITION BY RANGE (month)" if years is not None else "")
        )
        for year in years or []:
            _year_create(conn, year)
        if years is not None:
            cursor.execute(f"CREATE TABLE {DEFAULT} PARTITION OF {TABLE} DEFAULT")
        cursor.execute(f"INSERT INTO {TABLE} OVERRIDING SYSTEM VALUE SELECT * FROM {old}")  # noqa: S608
        cursor.execute(f"SELECT max(id) FROM {TABLE}")  # noqa: S608
        (last_id,) = cursor.fetchone()
        cursor.execute(f"DROP TABLE {old} CASCADE")
        # The new identity's sequence gets the old name back and goes on after the last id.
        cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [TABLE])
        (sequence,) = cursor.fetchone()
        cursor.execute(f"ALTER SEQUENCE {sequence} RENAME TO {TABLE}_id_seq")
        if last_id is not None:
            cursor.execute(f"SELECT setval('{TABLE}_id_seq', %s)", [last_id])
        for name, kind, definition in constraints:
            if kind == "p":
                definition = "PRIMARY KEY (id, month)" if years is not None else "PRIMARY KEY (id)"
            cursor.execute(f"ALTER TABLE {TABLE} ADD CONSTRAINT {_quoted(conn, name)} {definition}")
        for sql in indexes:
            # An index of a partitioned table is defined `ON ONLY` it; made on the parent,
            # it is made on every partition.
            cursor.execute(sql.replace(" ON ONLY ", " ON "))
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def partitions_list(conn: BaseDatabaseWrapper = connection) -> list[Partition]:
    """The partitions with their row counts, years first, the default last; [] when the
    table is not partitioned."""
    if not partitioned(conn):
        return []
    with conn.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "WHERE i.inhparent = %s::regclass ORDER BY c.relname",
            [TABLE],
        )
        names = [row[0] for row in cursor.fetchall()]
        found = []
        for name in names:
            cursor.execute(f"SELECT count(*) FROM {_quoted(conn, name)}")  # noqa: S608
            (rows,) = cursor.fetchone()
            year = int(name.rsplit("_y", 1)[1]) if name != DEFAULT else None
            found.append(Partition(name=name, year=year, rows=rows))
    return sorted(found, key=lambda p: (p.year is None, p.year or 0))


def year_partitions_ensure(
    conn: BaseDatabaseWrapper = connection, *, until: int, today: dt.date | None = None
) -> list[int]:
    """Add the partitions of every year up to `until` that has none, moving rows of those
    years out of the default partition; the years added."""
    if not partitioned(conn):
        return []
    have = {p.year for p in partitions_list(conn) if p.year is not None}
    today = today or timezone.localdate()
    wanted = [y for y in range(min(have | {today.year}), until + 1) if y not in have]
    if not wanted:
        return []
    with transaction.atomic(using=conn.alias), conn.cursor() as cursor:
        _checks_now(cursor)
        # A year's partition cannot be added while the default partition holds rows of
        # that year: detach it, add the years, move their rows, attach it again.
        cursor.execute(f"ALTER TABLE {TABLE} DETACH PARTITION {DEFAULT}")
        for year in wanted:
            _year_create(conn, year)
            bounds = [dt.date(year, 1, 1).isoformat(), dt.date(year + 1, 1, 1).isoformat()]
            cursor.execute(
                f"INSERT INTO {TABLE} OVERRIDING SYSTEM VALUE SELECT * FROM {DEFAULT} "  # noqa: S608
                "WHERE month >= %s AND month < %s",
                bounds,
            )
            cursor.execute(
                f"DELETE FROM {DEFAULT} WHERE month >= %s AND month < %s",  # noqa: S608
                bounds,
            )
        cursor.execute(f"ALTER TABLE {TABLE} ATTACH PARTITION {DEFAULT} DEFAULT")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    return wanted
