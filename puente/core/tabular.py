"""Reading tabular import files: CSV in any of the encodings and separators partners
use, and workbooks (XLSX, XLS, ODS) through calamine.

Every importer declares its columns; this module finds them in the header row (ignoring
case, accents, spaces and punctuation, in English, Spanish or Portuguese) and yields
rows numbered as a spreadsheet shows them: the header is row 1.
File-level problems raise `ImportFileError` carrying one `RowError`.

Hostile files: a workbook is a ZIP archive (XLSX, ODS) whose members are checked before
any of it is parsed: the uncompressed size of every member and of all of them together,
and each member's compression ratio (a "zip bomb" expands a few kilobytes to gigabytes).
Then the cells a sheet declares (`<dimension>`) and the cells it really holds are checked
against `PUENTE_IMPORT_MAX_COLUMNS` and `PUENTE_IMPORT_MAX_CELLS`: the workbook reader
allocates the whole rectangle from A1 to the last cell at once, so one cell at
XFD1048576 would ask for 512 GB and kill the process. A cell longer than
`PUENTE_IMPORT_MAX_CELL_CHARS` is a row error (`cell_too_large`), not a file error.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from python_calamine import CalamineError, CalamineWorkbook

from puente.core.imports import ImportFileError, ImportReport, RowError
from puente.core.templatetags.figures import figure_format

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
WORKBOOK_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".ods"}
# The CSV reader's own limit is as large as a file may be: a long cell is reported by
# `Table` as a row error (cell_too_large), never as a csv.Error ending the file.
csv.field_size_limit(2**31 - 1)
ODS_NS = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"


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
    # Where rows with a cell above PUENTE_IMPORT_MAX_CELL_CHARS are reported (and then
    # skipped, so the rest of the file follows the import's policy). Without a report,
    # such a cell is cut to the limit (the errors workbook of an import shows it so).
    report: ImportReport | None = None

    def __iter__(self) -> Iterator[tuple[int, dict[str, Any]]]:
        limit = settings.PUENTE_IMPORT_MAX_CELL_CHARS
        for number, cells in self._rows:
            if all(cell_text(c) == "" for c in cells):
                continue
            values = {
                name: (cells[i] if i < len(cells) else None) for i, name in self.columns.items()
            }
            long_cells: dict[str, str] = {
                name: value
                for name, value in values.items()
                if type(value) is str and len(value) > limit
            }
            if long_cells and self.report is not None:
                self.report.rows += 1
                for name, text in long_cells.items():
                    self.report.error(
                        number,
                        name,
                        "cell_too_large",
                        _(
                            "This cell holds %(length)s characters; a cell may hold at most "
                            "%(limit)s (PUENTE_IMPORT_MAX_CELL_CHARS)."
                        )
                        % {
                            "length": figure_format(len(text)),
                            "limit": figure_format(limit),
                        },
                        text[:50],
                    )
                continue
            for name, text in long_cells.items():
                values[name] = text[:limit]
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


def _megabytes(size: int) -> str:
    return figure_format(size / (1024 * 1024), decimals=0 if size >= 1024 * 1024 else 2)


def _column_number(letters: str) -> int:
    number = 0
    for letter in letters.upper():
        number = number * 26 + ord(letter) - 64
    return number


CELL_REF = re.compile(rb"([A-Za-z]{1,3})(\d{1,7})")
XLSX_TAG = re.compile(rb"<(?:\w+:)?(row|c|dimension)\b([^>]*)>")
REF_ATTR = re.compile(rb"\br=\"([^\"]*)\"")
DIMENSION_ATTR = re.compile(rb"\bref=\"([^\"]*)\"")


def _check_extent(rows: int, columns: int, *, declared: bool) -> None:
    """The rectangle from A1 to (rows, columns) must fit the limits."""
    max_columns = settings.PUENTE_IMPORT_MAX_COLUMNS
    max_cells = settings.PUENTE_IMPORT_MAX_CELLS
    if columns <= max_columns and rows * columns <= max_cells:
        return
    values = {
        "rows": figure_format(rows),
        "columns": figure_format(columns),
        "max_columns": figure_format(max_columns),
        "max_cells": figure_format(max_cells),
    }
    if declared:
        message = _(
            "The sheet declares %(rows)s rows by %(columns)s columns; the limit is "
            "%(max_columns)s columns (PUENTE_IMPORT_MAX_COLUMNS) and %(max_cells)s cells "
            "(PUENTE_IMPORT_MAX_CELLS). Delete the empty rows and columns after the data "
            "or split the file."
        )
    else:
        message = _(
            "The sheet spans %(rows)s rows by %(columns)s columns; the limit is "
            "%(max_columns)s columns (PUENTE_IMPORT_MAX_COLUMNS) and %(max_cells)s cells "
            "(PUENTE_IMPORT_MAX_CELLS). Delete the empty rows and columns after the data "
            "or split the file."
        )
    raise _file_error("sheet_too_large", message % values)


def _scan_xlsx_sheet(handle: IO[bytes]) -> None:
    """Stream a worksheet's XML and check its declared and real extent, without parsing
    it: cells without an `r` attribute follow the previous one, as Excel reads them."""
    row = column = max_row = max_column = 0
    tail = b""
    while chunk := handle.read(1024 * 1024):
        buffer = tail + chunk
        cut = buffer.rfind(b"<")
        if cut == -1:
            tail = b""
            continue
        body, tail = buffer[:cut], buffer[cut:]
        for match in XLSX_TAG.finditer(body):
            tag, attributes = match.group(1), match.group(2)
            if tag == b"dimension":
                found = DIMENSION_ATTR.search(attributes)
                last = CELL_REF.findall(found.group(1)) if found else []
                if last:
                    letters, digits = last[-1]
                    _check_extent(int(digits), _column_number(letters.decode()), declared=True)
                continue
            ref = REF_ATTR.search(attributes)
            if tag == b"row":
                row = int(ref.group(1)) if ref and ref.group(1).isdigit() else row + 1
                column = 0
                continue
            cell = CELL_REF.fullmatch(ref.group(1)) if ref else None
            if cell:
                column = _column_number(cell.group(1).decode())
                row = int(cell.group(2))
            else:
                column += 1
            max_row, max_column = max(max_row, row), max(max_column, column)
            if max_column > settings.PUENTE_IMPORT_MAX_COLUMNS or (
                max_row * max_column > settings.PUENTE_IMPORT_MAX_CELLS
            ):
                _check_extent(max_row, max_column, declared=False)


def _scan_ods_content(handle: IO[bytes]) -> None:
    """The extent of every table in an ODS file: repeated rows and cells count as many
    times as they are repeated, up to the last one holding a value."""
    from xml.etree.ElementTree import iterparse  # noqa: S405 (no entities are expanded)

    row_tag, cell_tag = f"{{{ODS_NS}}}table-row", f"{{{ODS_NS}}}table-cell"
    covered_tag, table_tag = f"{{{ODS_NS}}}covered-table-cell", f"{{{ODS_NS}}}table"
    rows_repeated = f"{{{ODS_NS}}}number-rows-repeated"
    columns_repeated = f"{{{ODS_NS}}}number-columns-repeated"
    value_type = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}value-type"
    row = column = max_row = max_column = row_last_column = 0
    # ElementTree resolves no external entity, and expat refuses entity expansion bombs.
    for event, element in iterparse(handle, events=("start", "end")):  # noqa: S314
        tag = element.tag
        if event == "start":
            if tag == table_tag:
                row = 0
            elif tag == row_tag:
                column = row_last_column = 0
            continue
        if tag in (cell_tag, covered_tag):
            repeat = int(element.get(columns_repeated) or 1)
            if element.get(value_type) or len(element) or (element.text or "").strip():
                row_last_column = column + repeat
            column += repeat
            element.clear()
        elif tag == row_tag:
            repeat = int(element.get(rows_repeated) or 1)
            if row_last_column:
                max_row = max(max_row, row + repeat)
                max_column = max(max_column, row_last_column)
                _check_extent(max_row, max_column, declared=False)
            row += repeat
            element.clear()


def _check_archive(data: bytes) -> None:
    """A workbook saved as a ZIP archive (XLSX, ODS): sizes and ratios of its members,
    then the extent of its sheets, all before the workbook reader sees it."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise _file_error(
            "not_a_workbook",
            _("The file cannot be opened as a spreadsheet workbook (XLSX, XLS or ODS)."),
        ) from exc
    max_bytes = settings.PUENTE_IMPORT_MAX_UNCOMPRESSED_BYTES
    max_ratio = settings.PUENTE_IMPORT_MAX_COMPRESSION_RATIO
    total = 0
    for member in members:
        total += member.file_size
        if total > max_bytes:
            raise _file_error(
                "workbook_too_large",
                _(
                    "The workbook expands to more than %(megabytes)s MB when opened "
                    "(PUENTE_IMPORT_MAX_UNCOMPRESSED_BYTES). Save it as CSV or split it."
                )
                % {"megabytes": _megabytes(max_bytes)},
            )
        # Small members compress as they like; a large one compressed beyond any real
        # spreadsheet's ratio is a bomb.
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > 1024 * 1024 and ratio > max_ratio:
            raise _file_error(
                "compression_ratio",
                _(
                    "A part of the workbook (%(member)s) expands %(ratio)s times when "
                    "opened; the limit is %(limit)s (PUENTE_IMPORT_MAX_COMPRESSION_RATIO)."
                )
                % {
                    "member": member.filename[:100],
                    "ratio": figure_format(int(ratio)),
                    "limit": figure_format(max_ratio),
                },
            )
    try:
        for member in members:
            name = member.filename
            if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                with archive.open(member) as handle:
                    _scan_xlsx_sheet(handle)
            elif name == "content.xml":
                with archive.open(member) as handle:
                    _scan_ods_content(handle)
    except ImportFileError:
        raise
    except Exception as exc:  # noqa: BLE001 (a damaged archive or XML is one file error)
        raise _file_error(
            "not_a_workbook",
            _("The file cannot be opened as a spreadsheet workbook (XLSX, XLS or ODS)."),
        ) from exc


def expanded_size(data: bytes) -> int:
    """How many bytes reading the file means: a ZIP workbook's members uncompressed,
    otherwise the file itself. What decides whether an upload is imported while the
    page waits (PUENTE_INLINE_IMPORT_BYTES)."""
    if not data.startswith(ZIP_MAGIC):
        return len(data)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return max(len(data), sum(m.file_size for m in archive.infolist()))
    except (zipfile.BadZipFile, OSError, ValueError):
        return len(data)


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
    if data.startswith(ZIP_MAGIC):
        _check_archive(data)
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheet = workbook.get_sheet_by_index(0)
        start, end = sheet.start, sheet.end
    except (CalamineError, ValueError, OSError, IndexError) as exc:
        raise _file_error(
            "not_a_workbook",
            _("The file cannot be opened as a spreadsheet workbook (XLSX, XLS or ODS)."),
        ) from exc
    if start is None or end is None:
        return iter(()), 0
    _check_extent(end[0] + 1, end[1] + 1, declared=False)
    return _sheet_rows(sheet, pad=start[1]), end[0] + 1


def _sheet_rows(sheet: Any, *, pad: int) -> Iterator[tuple[int, list[Any]]]:
    """Row by row, as Python values only one row at a time. The reader starts rows at
    row 1 but columns at the first one used: the empty ones before it are put back, so
    columns keep their places."""
    blank = [""] * pad
    for number, cells in enumerate(sheet.iter_rows(), start=1):
        yield number, blank + cells if pad else cells


def read_table(
    source: Path | bytes | IO[bytes],
    *,
    filename: str,
    columns: Sequence[Column],
    allow_unknown: bool = False,
    report: ImportReport | None = None,
) -> Table:
    """Open a CSV/XLSX/XLS/ODS file and locate the declared columns in its header row.
    With a `report`, rows holding a cell that is too long are reported there."""
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
    table.report = report
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
        return read_table(source, filename=filename, columns=columns, report=report)
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
