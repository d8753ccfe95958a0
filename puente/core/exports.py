"""Tables out: CSV, XLSX and HXL-tagged CSV, with spreadsheet formula injection made inert.

A cell whose text starts with = + - @ or a tab/carriage return would be read as a formula
by a spreadsheet; such text gets a leading apostrophe (OWASP's advice)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

import xlsxwriter

DANGEROUS_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def inert(value: Any) -> Any:
    """Make a cell safe to open in a spreadsheet."""
    if isinstance(value, str) and value.startswith(DANGEROUS_PREFIXES):
        return "'" + value
    return value


def json_number(value: Any) -> Any:
    """Money (Decimal) as a JSON number, whole amounts as integers; anything else as text."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return str(value)


def _plain(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return inert(value)


def csv_bytes(
    headers: Sequence[str], rows: Iterable[Sequence[Any]], *, hxl: Sequence[str] | None = None
) -> bytes:
    """UTF-8 CSV with a BOM (so Excel reads accents); an optional second header row of
    HXL hashtags."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([inert(h) for h in headers])
    if hxl is not None:
        writer.writerow(hxl)
    for row in rows:
        writer.writerow([_plain(v) for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def xlsx_bytes(
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    sheet: str = "data",
    notes: dict[int, str] | None = None,
    notes_header: str = "",
) -> bytes:
    """An XLSX workbook of one sheet. `notes` maps a row index (0-based, data rows) to a
    message written in an extra column and highlighted."""
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(
        buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    )
    worksheet = workbook.add_worksheet(sheet[:31])
    bold = workbook.add_format({"bold": True, "bg_color": "#EEF1F5"})
    flagged = workbook.add_format({"bg_color": "#FCE4E4"})
    note_format = workbook.add_format(
        {"bg_color": "#FCE4E4", "font_color": "#A4161A", "text_wrap": True}
    )
    header_row = [*headers, notes_header] if notes is not None else list(headers)
    worksheet.write_row(0, 0, [inert(h) for h in header_row], bold)
    worksheet.freeze_panes(1, 0)
    for index, row in enumerate(rows):
        note = notes.get(index) if notes else None
        cells = [_xlsx_value(v) for v in row]
        worksheet.write_row(index + 1, 0, cells, flagged if note else None)
        if note:
            worksheet.write_string(index + 1, len(headers), note, note_format)
    worksheet.set_column(0, len(header_row) - 1, 16)
    if notes is not None:
        worksheet.set_column(len(headers), len(headers), 60)
    workbook.close()
    return buffer.getvalue()


def _xlsx_value(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return inert(value)


FORMATS = ("csv", "xlsx", "hxl")


def table_file(
    file_format: str,
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    hxl: Sequence[str],
    sheet: str = "data",
) -> tuple[bytes, str, str]:
    """(content, content type, file extension) of a table as CSV, XLSX or HXL-tagged CSV."""
    if file_format == "xlsx":
        return (
            xlsx_bytes(headers, rows, sheet=sheet),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "xlsx",
        )
    if file_format == "hxl":
        return csv_bytes(headers, rows, hxl=hxl), "text/csv", "hxl.csv"
    if file_format == "csv":
        return csv_bytes(headers, rows), "text/csv", "csv"
    raise ValueError(f"unknown format: {file_format}")


def download(content: tuple[bytes, str, str], filename: str) -> Any:
    """An HTTP response that saves `filename`.<extension>."""
    from django.http import HttpResponse

    data, content_type, extension = content
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}.{extension}"'
    return response
