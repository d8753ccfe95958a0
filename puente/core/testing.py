"""Builders of small import files for tests."""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
from typing import Any

import xlsxwriter


def csv_bytes(rows: list[list[Any]], *, delimiter: str = ",", encoding: str = "utf-8") -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\n").writerows(rows)
    return buffer.getvalue().encode(encoding)


def xlsx_bytes(rows: list[list[Any]]) -> bytes:
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = workbook.add_worksheet("data")
    date_format = workbook.add_format({"num_format": "yyyy-mm-dd"})
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if isinstance(value, dt.date):
                sheet.write_datetime(r, c, value, date_format)
            else:
                sheet.write(r, c, value)
    workbook.close()
    return buffer.getvalue()


def browser_path() -> str | None:
    for candidate in ("/usr/bin/chromium", "/usr/bin/chromium-browser"):
        if os.path.exists(candidate):
            return candidate
    return None


def run_import(
    tmp_path: Any, capsys: Any, kind: str, rows: list[list[Any]], *, ok: bool = True
) -> Any:
    """`puente import KIND FILE --format json` on a CSV of `rows` (header first): the
    report as a dict. With ok=False the command must exit 1."""
    import json

    import pytest
    from django.core.management import call_command

    path = tmp_path / f"{kind}.csv"
    path.write_bytes(csv_bytes(rows))
    if ok:
        call_command("import_data", kind, str(path), "--format", "json")
    else:
        with pytest.raises(SystemExit) as exc_info:
            call_command("import_data", kind, str(path), "--format", "json")
        if exc_info.value.code != 1:
            raise AssertionError(f"exit status {exc_info.value.code}, expected 1")
    return json.loads(capsys.readouterr().out)
