"""Reading tabular import files: CSV in any of the encodings and separators partners
use, and workbooks (XLSX, XLS, ODS) through calamine.

Every importer declares its columns; this module finds them in the header row (ignoring
case, accents, spaces and punctuation, in English, Spanish or Portuguese) and yields
rows numbered as a spreadsheet shows them: the header is row 1.
File-level problems raise `ImportFileError` carrying one `RowError`.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from python_calamine import CalamineError, CalamineWorkbook

from puente.core.imports import ImportFileError, ImportReport, RowError

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
WORKBOOK_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".ods"}
csv.field_size_limit(1024 * 1024)


def normalize_header(text: str) -> str:
    """'Población ' -> 'poblacion'; 'Admin 1' -> 'admin1'; 'appealing_org' -> 'appealingorg'."""
    decomposed = unicodedata.normalize("NFKD", str(text))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return "".join(ch for ch in stripped.casefold() if ch.isalnum())


def normalize_value(text: str) -> str:
    """Case- and accent-insensitive key for matching names: 'Atlántico ' -> 'atlantico'."""
    text = str(text)
    if text.isascii():
        return " ".join(text.lower().split())
    decomposed = unicodedata.normalize("NFKD", str(text))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.casefold().split())


@dataclass(frozen=True)
class Column:
    name: str
    required: bool = True
    aliases: tuple[str, ...] = ()

    def header_keys(self) -> set[str]:
        return {normalize_header(self.name), *(normalize_header(a) for a in self.aliases)}


def _is_blank(cells: list[Any]) -> bool:
    for cell in cells:
        if type(cell) is str:
            if cell and not cell.isspace():
                return False
        elif cell is not None:
            return False
    return True


def cell_text(value: Any) -> str:
    """A cell as the text a person would read in it."""
    if type(value) is str:
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


@dataclass
class Table:
    """The header mapping and a lazy iterator of (row number, {column: raw value})."""

    columns: dict[int, str]
    headers: list[str]
    _rows: Iterator[tuple[int, list[Any]]] = field(repr=False)
    estimated_rows: int = 0

    def __iter__(self) -> Iterator[tuple[int, dict[str, Any]]]:
        for number, cells in self._rows:
            if all(cell_text(c) == "" for c in cells):
                continue
            values = {
                name: (cells[i] if i < len(cells) else None) for i, name in self.columns.items()
            }
            yield number, values


def _file_error(
    code: str, message: Any, *, row: int | None = None, column: str | None = None, value: str = ""
) -> ImportFileError:
    return ImportFileError(
        RowError(row=row, column=column, code=code, message=message, value=value)
    )


def _read_bytes(source: Path | bytes | IO[bytes]) -> bytes:
    limit = settings.PUENTE_MAX_IMPORT_BYTES
    if isinstance(source, bytes):
        data = source
    elif isinstance(source, Path):
        if source.stat().st_size > limit:
            raise _file_error("file_too_large", _file_too_large(limit))
        data = source.read_bytes()
    else:
        data = source.read(limit + 1)
    if len(data) > limit:
        raise _file_error("file_too_large", _file_too_large(limit))
    return data


def _file_too_large(limit: int) -> Any:
    return _("The file is larger than the limit of %(megabytes)s MB.") % {
        "megabytes": limit // (1024 * 1024)
    }


def _decode(data: bytes) -> str:
    head = data[:65536]
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in head:
        raise _file_error(
            "unreadable_file",
            _("The file is not readable text. Save it as CSV (UTF-8) or as an Excel workbook."),
        )
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            text = data.decode("latin-1")
    sample = text[:65536]
    controls = sum(1 for ch in sample if unicodedata.category(ch) == "Cc" and ch not in "\r\n\t")
    if sample and controls > max(3, len(sample) // 100):
        raise _file_error(
            "unreadable_file",
            _("The file is not readable text. Save it as CSV (UTF-8) or as an Excel workbook."),
        )
    return text


def _sniff_delimiter(text: str) -> str:
    first = text.split("\n", 1)[0]
    counts = {d: first.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _csv_rows(text: str) -> Iterator[tuple[int, list[Any]]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_sniff_delimiter(text))
    try:
        yield from enumerate(reader, start=1)
    except csv.Error as exc:
        raise _file_error(
            "unreadable_file",
            _("Row %(row)s cannot be read as CSV: %(reason)s")
            % {"row": reader.line_num, "reason": str(exc)},
            row=reader.line_num,
        ) from exc


def _workbook_rows(data: bytes) -> tuple[Iterator[tuple[int, list[Any]]], int]:
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheet = workbook.get_sheet_by_index(0)
        rows = sheet.to_python(skip_empty_area=False)
    except (CalamineError, ValueError, OSError, IndexError) as exc:
        raise _file_error(
            "not_a_workbook",
            _("The file cannot be opened as a spreadsheet workbook (XLSX, XLS or ODS)."),
        ) from exc
    return iter(enumerate(rows, start=1)), len(rows)


def read_table(
    source: Path | bytes | IO[bytes],
    *,
    filename: str,
    columns: Sequence[Column],
    allow_unknown: bool = False,
) -> Table:
    """Open a CSV/XLSX/XLS/ODS file and locate the declared columns in its header row."""
    data = _read_bytes(source)
    if not data.strip():
        raise _file_error("empty_file", _("The file is empty."))
    suffix = Path(filename).suffix.lower()
    is_workbook = data.startswith(ZIP_MAGIC) or data.startswith(OLE_MAGIC)
    if suffix in WORKBOOK_SUFFIXES and not is_workbook:
        raise _file_error(
            "not_a_workbook",
            _("The file is named %(suffix)s but is not a spreadsheet workbook.")
            % {"suffix": suffix},
        )
    if is_workbook:
        rows, estimate = _workbook_rows(data)
    else:
        text = _decode(data)
        rows = _csv_rows(text)
        estimate = text.count("\n")

    header_row: list[Any] | None = None
    for _number, cells in rows:
        if any(cell_text(c) for c in cells):
            header_row = cells
            break
    if header_row is None:
        raise _file_error("empty_file", _("The file is empty."))
    table = _map_header(header_row, rows, columns, allow_unknown=allow_unknown)
    table.estimated_rows = estimate
    return table


def _map_header(
    header_row: list[Any],
    rows: Iterator[tuple[int, list[Any]]],
    columns: Sequence[Column],
    *,
    allow_unknown: bool,
) -> Table:
    lookup: dict[str, str] = {}
    for column in columns:
        for key in column.header_keys():
            lookup[key] = column.name
    headers = [cell_text(h) for h in header_row]
    mapped: dict[int, str] = {}
    errors: list[RowError] = []
    for index, header in enumerate(headers):
        if not header:
            continue
        name = lookup.get(normalize_header(header))
        if name is None:
            if not allow_unknown:
                errors.append(
                    RowError(
                        row=1,
                        column=header,
                        code="unknown_header",
                        value=header,
                        message=_("Unknown column “%(header)s”.") % {"header": header},
                    )
                )
            continue
        if name in mapped.values():
            errors.append(
                RowError(
                    row=1,
                    column=header,
                    code="duplicate_header",
                    value=header,
                    message=_("The column “%(header)s” appears twice.") % {"header": header},
                )
            )
            continue
        mapped[index] = name
    for column in columns:
        if column.required and column.name not in mapped.values():
            errors.append(
                RowError(
                    row=1,
                    column=column.name,
                    code="missing_header",
                    value="",
                    message=_("The required column “%(column)s” is missing.")
                    % {"column": column.name},
                )
            )
    if errors:
        raise ImportFileError(*errors)
    return Table(columns=mapped, headers=headers, _rows=rows)


def open_table(
    source: Path | bytes | IO[bytes],
    *,
    filename: str,
    columns: Sequence[Column],
    report: ImportReport,
) -> Table | None:
    """read_table for importers: file-level problems go into the report."""
    try:
        return read_table(source, filename=filename, columns=columns)
    except ImportFileError as exc:
        report.errors.extend(exc.errors)
        return None


THOUSANDS = re.compile(r"^-?\d{1,3}([.,\s\u00a0']\d{3})+$")


def parse_number(value: Any, *, integer: bool) -> tuple[int | Decimal | None, str | None]:
    """A number as people type it: '1,234', '1.234', '1 234', '1.234,50', '1,234.50'.
    Returns (value, None) or (None, error code); empty text is (None, None)."""
    if type(value) is str:
        value = value.strip()
        if value.isdigit() and value.isascii():
            return int(value), None
    if isinstance(value, bool):
        return None, "not_a_number"
    if isinstance(value, int):
        number: Decimal = Decimal(value)
    elif isinstance(value, float):
        number = Decimal(repr(value))
    else:
        text = cell_text(value).replace("\u00a0", " ").strip()
        if text == "":
            return None, None
        if THOUSANDS.match(text):
            text = re.sub(r"[.,\s']", "", text)
        elif "," in text and "." in text:
            decimal_mark = "," if text.rfind(",") > text.rfind(".") else "."
            text = text.replace("." if decimal_mark == "," else ",", "").replace(",", ".")
        else:
            text = text.replace(",", ".").replace(" ", "")
        try:
            number = Decimal(text)
        except InvalidOperation:
            return None, "not_a_number"
        if not number.is_finite():
            return None, "not_a_number"
    if number < 0:
        return None, "negative_number"
    if integer:
        if number != number.to_integral_value():
            return None, "not_an_integer"
        return int(number), None
    return number.quantize(Decimal("0.01")), None
