"""The 5W table partitioned by year on PostgreSQL (puente/reporting/partitions.py): the
migrated table is partitioned, imports land in their year's partition and are read and
replaced as before, coming years are added with rows moved out of the default partition,
and the migration's rebuild both ways keeps every row, id, key and constraint name."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

from puente.core.testing import csv_bytes
from puente.reporting.models import ActivityRow, RowChange
from puente.reporting.partitions import (
    DEFAULT,
    TABLE,
    partitioned,
    partitions_list,
    table_partition,
    table_unpartition,
    year_partitions_ensure,
)
from puente.reporting.services.imports import file_import
from puente.reporting.tests.conftest import as_rows, good_row, last_month

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="partitions are PostgreSQL's (SQLite: one table)"
    ),
]


def _where(row_id: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT tableoid::regclass::text FROM {TABLE} WHERE id = %s", [row_id])  # noqa: S608
        return str(cursor.fetchone()[0])


def _schema() -> tuple[list[tuple[str, str]], list[str]]:
    """The parent table's constraints (name, definition) and index names."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND conparentid = 0 ORDER BY conname",
            [TABLE],
        )
        constraints = [(name, definition) for name, definition in cursor.fetchall()]
        cursor.execute(
            "SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
            "WHERE i.indrelid = %s::regclass ORDER BY 1",
            [TABLE],
        )
        indexes = [row[0] for row in cursor.fetchall()]
    return constraints, indexes


def _import(*rows: dict) -> None:
    report = file_import(source=csv_bytes(as_rows(*rows)), filename="5w.csv")
    assert not report.errors, report.errors


def test_the_migrated_table_is_partitioned_by_year_with_a_default(orgs):
    assert partitioned()
    found = partitions_list()
    years = [p.year for p in found if p.year is not None]
    # from the first plan's year to three years ahead, one partition each, then the default
    assert years[0] == 2018
    assert years == list(range(2018, years[-1] + 1))
    assert years[-1] >= dt.date.today().year + 3
    assert found[-1].name == DEFAULT and found[-1].year is None


def test_imported_rows_land_in_their_year_and_are_replaced_in_place(orgs):
    # given last month's row and one of the year before
    month = last_month()
    earlier = f"{int(month[:4]) - 1}-{month[5:]}"
    _import(good_row(), good_row(month=earlier))
    recent = ActivityRow.objects.get(month__year=int(month[:4]))
    old = ActivityRow.objects.get(month__year=int(earlier[:4]))
    assert _where(recent.pk) == f"{TABLE}_y{month[:4]}"
    assert _where(old.pk) == f"{TABLE}_y{earlier[:4]}"
    # when the same file comes again with a changed figure
    _import(good_row(total_monthly="120"), good_row(month=earlier))
    # then the row is replaced in place (same id, same partition), with its history
    recent.refresh_from_db()
    assert recent.total_monthly == 120
    assert ActivityRow.objects.count() == 2
    assert _where(recent.pk) == f"{TABLE}_y{month[:4]}"
    assert RowChange.objects.get().row == recent
    # and deleting a row deletes its history (Django's cascade: there is no constraint)
    recent.delete()
    assert not RowChange.objects.exists()


def test_a_row_of_a_year_without_partition_is_kept_and_moved_when_its_year_is_added(orgs):
    _import(good_row())
    row = ActivityRow.objects.get()
    far = max(p.year or 0 for p in partitions_list()) + 2
    # given a row of a year no partition holds: it is kept in the default partition
    ActivityRow.objects.filter(pk=row.pk).update(month=dt.date(far, 5, 1))
    assert _where(row.pk) == DEFAULT
    # when the coming years are added
    out = StringIO()
    call_command("partitions", "--ensure", "--until", str(far), stdout=out)
    # then the row is in its year's partition, unchanged, and the default is empty
    assert _where(row.pk) == f"{TABLE}_y{far}"
    assert ActivityRow.objects.get(pk=row.pk).row_key == row.row_key
    assert next(p for p in partitions_list() if p.year is None).rows == 0
    assert f"{TABLE}_y{far}" in out.getvalue()
    # and asking again adds nothing
    assert year_partitions_ensure(until=far) == []


def test_the_rebuild_both_ways_keeps_rows_ids_keys_and_constraint_names(orgs):
    month = last_month()
    _import(good_row(), good_row(month=f"{int(month[:4]) - 1}-{month[5:]}"))
    before = sorted(ActivityRow.objects.values_list("id", "row_key", "month", "total_monthly"))
    constraints, indexes = _schema()
    # the way back: one plain table, primary key on the id alone
    assert table_unpartition()
    assert not partitioned()
    assert sorted(ActivityRow.objects.values_list("id", "row_key", "month", "total_monthly")) == (
        before
    )
    plain_constraints, plain_indexes = _schema()
    assert dict(plain_constraints)[f"{TABLE}_pkey"] == "PRIMARY KEY (id)"
    assert plain_indexes == indexes
    # and the migration's way, from a table holding rows
    assert table_partition()
    assert partitioned()
    assert sorted(ActivityRow.objects.values_list("id", "row_key", "month", "total_monthly")) == (
        before
    )
    assert _schema() == (constraints, indexes)
    assert dict(constraints)[f"{TABLE}_pkey"] == "PRIMARY KEY (id, month)"
    assert dict(constraints)["row_key_month_unique"] == "UNIQUE (row_key, month)"
    # and a new row's id follows the last one
    _import(good_row(activity="Otra atención"))
    assert ActivityRow.objects.order_by("-id").values_list("id", flat=True)[0] == (
        max(r[0] for r in before) + 1
    )
    # and partitioning again does nothing
    assert not table_partition()


def test_the_command_lists_the_partitions_with_their_rows(orgs):
    _import(good_row())
    out = StringIO()
    call_command("partitions", stdout=out)
    text = out.getvalue()
    assert f"{TABLE}_y{last_month()[:4]}: 1" in text
    assert f"{DEFAULT}: 0" in text
