"""Writing validated 5W rows in bulk. New rows go in with PostgreSQL's COPY (or a
batched INSERT on SQLite); rows whose key exists are replaced in place and their old
values kept in RowChange. The caller owns the transaction."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.db import connection
from django.utils import timezone

from puente.accounts.permissions import Actor
from puente.core.bulk import rows_insert
from puente.reporting.models import ActivityRow, ImportBatch, RowChange
from puente.reporting.services.columns import COMPARED_FIELDS, STORED_FIELDS, ValidRow

TABLE = ActivityRow._meta.db_table
EXTRA_FIELDS = ("status", "review_comment", "created_batch_id", "updated_by_id", "updated_at")
INSERT_FIELDS = (*STORED_FIELDS, *EXTRA_FIELDS)
COMPARED = COMPARED_FIELDS
CHUNK = 5000


def _chunks(items: Sequence[Any], size: int = CHUNK) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def existing_rows(rows: Sequence[ValidRow]) -> dict[str, tuple[Any, ...]]:
    """Stored rows sharing a key with `rows`: key -> (id, status, *COMPARED values).

    Keys are matched first with a light query returning keys only: a scan of the file's
    months and countries when they hold few other rows, else lookups by key through the
    unique index. Only the matches are then read in full."""
    if not rows:
        return {}
    keys = {r.key for r in rows}
    months = sorted({r.month for r in rows})
    countries = sorted({r.country_id for r in rows})
    stored = ActivityRow.objects.filter(month__in=months, country_id__in=countries)
    matched: set[str] = set()
    with connection.cursor() as cursor:
        if stored.count() <= 4 * len(keys):
            sql, params = stored.values_list("row_key").query.sql_with_params()
            cursor.execute(sql, params)
            found = (row[0] for row in cursor.fetchall())
            matched = {k for k in map(_key_hex, found) if k in keys}
        else:
            ordered = sorted(keys)
            for chunk in _chunks(ordered, 2000):
                placeholders = ", ".join(["%s"] * len(chunk))
                cursor.execute(
                    f"SELECT row_key FROM {TABLE} WHERE row_key IN ({placeholders})",  # noqa: S608
                    [_key_param(k) for k in chunk],
                )
                matched.update(_key_hex(row[0]) for row in cursor.fetchall())
    existing: dict[str, tuple[Any, ...]] = {}
    for chunk in _chunks(sorted(matched), 2000):
        for key, *rest in ActivityRow.objects.filter(row_key__in=chunk).values_list(
            "row_key", "id", "status", *COMPARED
        ):
            existing[key.hex] = tuple(rest)
    return existing


def _key_hex(value: Any) -> str:
    return value.hex if isinstance(value, uuid.UUID) else str(value).replace("-", "").lower()


def _key_param(key: str) -> Any:
    return uuid.UUID(key) if connection.vendor == "postgresql" else key


def rows_write(
    *,
    rows: Sequence[ValidRow],
    status: str,
    acting_user: Actor | None,
    batch: ImportBatch | None,
    progress: Callable[[int], None] | None = None,
) -> tuple[int, int, int]:
    """Insert new rows and replace existing ones that differ. Returns (inserted,
    replaced, unchanged): a row equal to the stored one is neither written nor given a
    history record, so re-importing an unchanged file writes nothing."""
    now = timezone.now()
    user_id = getattr(acting_user, "pk", None)
    batch_id = batch.pk if batch else None
    existing = existing_rows(rows)
    new_rows = [
        r.values + (status, "", batch_id, user_id, now) for r in rows if r.key not in existing
    ]
    _insert(new_rows, progress)
    matched = [r for r in rows if r.key in existing]
    replaced = [r for r in matched if not row_unchanged(r, existing[r.key], status=status)]
    replace_rows(replaced, existing, status=status, user_id=user_id, batch_id=batch_id, now=now)
    return len(new_rows), len(replaced), len(matched) - len(replaced)


def row_unchanged(row: ValidRow, stored: tuple[Any, ...], *, status: str) -> bool:
    """True when the stored row (id, status, *COMPARED values) already holds `row` with
    `status`."""
    _row_id, old_status, *old_values = stored
    return old_status == status and not any(
        _differs(old, new) for old, new in zip(old_values, row.values[1:], strict=True)
    )


def _insert(rows: list[tuple[Any, ...]], progress: Callable[[int], None] | None) -> None:
    if rows:
        rows_insert(TABLE, INSERT_FIELDS, rows, progress=progress)


def replace_rows(
    rows: list[ValidRow],
    existing: dict[str, tuple[Any, ...]],
    *,
    status: str,
    user_id: int | None,
    batch_id: int | None,
    now: dt.datetime,
    action: str = "import-replace",
) -> None:
    """Overwrite stored rows (existing: key -> (id, status, *old values)) and record the
    differences."""
    if not rows:
        return
    assignments = ", ".join(
        f"{f} = %s"
        for f in (*COMPARED, "row_key", "status", "review_comment", "updated_by_id", "updated_at")
    )
    sql = f"UPDATE {TABLE} SET {assignments} WHERE id = %s"  # noqa: S608
    params = []
    changes = []
    for row in rows:
        row_id, old_status, *old_values = existing[row.key]
        new_values = row.values[1:]
        diff = {
            field: [_jsonable(old), _jsonable(new)]
            for field, old, new in zip(COMPARED, old_values, new_values, strict=True)
            if _differs(old, new)
        }
        if old_status != status:
            diff["status"] = [old_status, status]
        params.append((*new_values, row.key, status, "", user_id, now, row_id))
        changes.append(
            RowChange(
                row_id=row_id,
                batch_id=batch_id,
                changed_by_id=user_id,
                changed_at=now,
                action=action,
                changes=diff,
            )
        )
    with connection.cursor() as cursor:
        for chunk in _chunks(params, 20000):
            cursor.executemany(sql, chunk)
    RowChange.objects.bulk_create(changes, batch_size=5000)


def _differs(old: Any, new: Any) -> bool:
    if isinstance(old, Decimal) or isinstance(new, Decimal):
        return (Decimal(old) if old is not None else None) != (
            Decimal(new) if new is not None else None
        )
    return old != new
