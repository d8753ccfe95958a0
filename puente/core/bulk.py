"""Inserting many rows at once: PostgreSQL's COPY in its text format, or batched INSERTs
on SQLite. The caller owns the transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from itertools import islice
from typing import Any

from django.db import connection

_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def copy_value(value: Any) -> str:
    """One value in PostgreSQL's COPY text format."""
    if value is None:
        return "\\N"
    kind = type(value)
    if kind is str:
        return value.translate(_COPY_ESCAPES)  # type: ignore[arg-type]
    if kind is bool:
        return "t" if value else "f"
    if kind is dt.datetime:
        return value.isoformat()
    return str(value)


def copy_line(row: Sequence[Any]) -> str:
    return "\t".join(map(copy_value, row)) + "\n"


def _batches(rows: Iterable[Sequence[Any]], size: int) -> Iterable[list[Sequence[Any]]]:
    iterator = iter(rows)
    while batch := list(islice(iterator, size)):
        yield batch


def rows_insert(
    table: str,
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Insert `rows` (tuples in the order of `columns`) into `table`; the count."""
    names = ", ".join(columns)
    done = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            raw = cursor.cursor  # psycopg 3 cursor under Django's wrapper
            with raw.copy(f"COPY {table} ({names}) FROM STDIN") as copy:  # noqa: S608
                for batch in _batches(rows, 50000):
                    copy.write("".join(map(copy_line, batch)))
                    done += len(batch)
                    if progress:
                        progress(done)
            return done
        placeholders = ", ".join(["%s"] * len(columns))
        sql = f"INSERT INTO {table} ({names}) VALUES ({placeholders})"  # noqa: S608
        for batch in _batches(rows, 20000):
            cursor.executemany(sql, batch)
            done += len(batch)
            if progress:
                progress(done)
    return done
