"""Reading tabular import files: CSV in any of the encodings and separators partners
use, and workbooks (XLSX, XLS, ODS) through calamine.

Every importer declares its columns; this module finds them in the header row (ignoring
case, accents, spaces and punctuation, in English, Spanish or Portuguese) and yields
rows numbered as a spreadsheet shows them: the header is row 1.
File-level problems raise `ImportFileError` carrying one `RowError`.

Hostile files: a workbook passes the checks of `puente/core/workbooks.py` (its archive's
sizes and ratios, the extent of its sheets) before the workbook reader opens it, and an
XLS workbook is read in a child process. A cell longer than `PUENTE_IMPORT_MAX_CELL_CHARS`
is a row error (`cell_too_large`), not a file error.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import datetime as dt
import io
import re
import tempfile
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from python_calamine import CalamineWorkbook

from puente.core.codes import CoreCode
from puente.core.imports import ImportFileError, ImportReport, RowError
from puente.core.templatetags.figures import figure_format
from puente.core.workbooks import (
    OLE_MAGIC,
    ZIP_MAGIC,
    check_archive,
    check_extent,
    check_xls,
    expanded_size,
    file_error,
    megabytes,
    xls_rows,
)

WORKBOOK_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".ods"}
# The CSV reader's own limit is as large as a file may be: a long cell is reported by
# `Table` as a row error (cell_too_large), never as a csv.Error ending the file.
csv.field_size_limit(2**31 - 1)


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
                        CoreCode.CELL_TOO_LARGE,
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


def _open_source(source: Path | bytes | IO[bytes]) -> IO[bytes]:
    """A seekable binary handle on the file, at its start, after checking its size
    against PUENTE_MAX_IMPORT_BYTES. Nothing is read into memory here: a CSV file is
    then decoded as it is read, row by row."""
    limit = settings.PUENTE_MAX_IMPORT_BYTES
    handle: Any
    if isinstance(source, bytes):
        handle = io.BytesIO(source)  # shares the bytes, no copy
    elif isinstance(source, Path):
        if source.stat().st_size > limit:
            raise file_error(CoreCode.FILE_TOO_LARGE, _file_too_large(limit))
        handle = source.open("rb")
    else:
        handle = source
        # A stored file (Django's File and FieldFile) wraps the operating system's file.
        while not isinstance(handle, io.IOBase) and getattr(handle, "file", None) is not None:
            handle = handle.file
        if not (isinstance(handle, io.IOBase) and handle.seekable()):
            # Any other file-like object: copied to a temporary file, in memory while small.
            handle = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115
            copied = 0
            while chunk := source.read(1024 * 1024):
                copied += len(chunk)
                if copied > limit:
                    raise file_error(CoreCode.FILE_TOO_LARGE, _file_too_large(limit))
                handle.write(chunk)
    size = handle.seek(0, io.SEEK_END)
    handle.seek(0)
    if size > limit:
        raise file_error(CoreCode.FILE_TOO_LARGE, _file_too_large(limit))
    return handle  # type: ignore[no-any-return]


def _file_too_large(limit: int) -> Any:
    return CoreCode.FILE_TOO_LARGE.text(megabytes=limit // (1024 * 1024))


def _not_text() -> ImportFileError:
    return file_error(
        CoreCode.UNREADABLE_FILE,
        CoreCode.UNREADABLE_FILE.message,
    )


CP1252_UNDEFINED = re.compile(rb"[\x81\x8d\x8f\x90\x9d]")


def _text_encoding(handle: IO[bytes]) -> tuple[str, int, str]:
    """Read the file once, in chunks: its encoding (UTF-8, else Windows-1252, else
    Latin-1), how many lines it has, and the delimiter its first line uses. Refuses
    UTF-16 and binary files. Leaves the handle at the start."""
    head = handle.read(65536)
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in head:
        raise _not_text()
    utf8 = codecs.getincrementaldecoder("utf-8")()
    is_utf8 = True
    cp1252 = True
    lines = 0
    handle.seek(0)
    while chunk := handle.read(1024 * 1024):
        lines += chunk.count(b"\n")
        if is_utf8:
            try:
                utf8.decode(chunk)
            except UnicodeDecodeError:
                is_utf8 = False
        # Checked in every chunk: UTF-8 may fail only in a later one, or at the end.
        if cp1252 and CP1252_UNDEFINED.search(chunk):
            cp1252 = False
    if is_utf8:
        try:
            utf8.decode(b"", final=True)
        except UnicodeDecodeError:
            is_utf8 = False
    handle.seek(0)
    encoding = "utf-8-sig" if is_utf8 else "cp1252" if cp1252 else "latin-1"
    sample = head.decode(encoding, errors="ignore")
    controls = sum(1 for ch in sample if unicodedata.category(ch) == "Cc" and ch not in "\r\n\t")
    if sample and controls > max(3, len(sample) // 100):
        raise _not_text()
    return encoding, lines, _sniff_delimiter(sample)


def _sniff_delimiter(text: str) -> str:
    first = text.split("\n", 1)[0]
    counts = {d: first.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def check_page_readable(source: IO[bytes]) -> None:
    """A file imported while a page waits: a CSV file is read row by row, whatever its
    size; a workbook is opened whole by the workbook reader, so it must expand to at
    most PUENTE_INLINE_IMPORT_BYTES. The 5W upload sends larger files to the worker;
    the other imports refuse them with a file-level error."""
    handle = _open_source(source)
    magic = handle.read(len(OLE_MAGIC))
    handle.seek(0)
    if not (magic.startswith(ZIP_MAGIC) or magic.startswith(OLE_MAGIC)):
        return
    limit = settings.PUENTE_INLINE_IMPORT_BYTES
    if expanded_size(handle) > limit:
        raise file_error(
            CoreCode.WORKBOOK_TOO_LARGE_FOR_PAGE,
            _(
                "This workbook expands to more than %(megabytes)s MB when opened "
                "(PUENTE_INLINE_IMPORT_BYTES), too large to read while the page waits. "
                "Save it as CSV, which is read row by row whatever its size, or import it "
                "with the puente import command."
            )
            % {"megabytes": megabytes(limit)},
        )


def _csv_rows(handle: IO[bytes], encoding: str, delimiter: str) -> Iterator[tuple[int, list[Any]]]:
    """Rows decoded as they are read: the file is never held as one text."""
    text = io.TextIOWrapper(handle, encoding=encoding, newline="")  # type: ignore[type-var]
    try:
        reader = csv.reader(text, delimiter=delimiter)
        try:
            yield from enumerate(reader, start=1)
        except csv.Error as exc:
            raise file_error(
                CoreCode.UNREADABLE_FILE,
                _("Row %(row)s cannot be read as CSV: %(reason)s")
                % {"row": reader.line_num, "reason": str(exc)},
                row=reader.line_num,
            ) from exc
    finally:
        # The handle belongs to the caller: closing the text layer must not close it.
        with contextlib.suppress(ValueError):
            text.detach()


def _workbook_rows(handle: IO[bytes], magic: bytes) -> tuple[Iterator[tuple[int, list[Any]]], int]:
    if magic.startswith(ZIP_MAGIC):
        check_archive(handle)
    else:
        check_xls(handle)
        handle.seek(0)
        return xls_rows(handle)
    handle.seek(0)
    try:
        workbook = CalamineWorkbook.from_filelike(handle)
        sheet = workbook.get_sheet_by_index(0)
        start, end = sheet.start, sheet.end
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:  # noqa: BLE001
        # The workbook reader refuses a damaged file with CalamineError, or with a Rust
        # panic (PanicException, a BaseException) on some damaged XLS files.
        raise file_error(
            CoreCode.NOT_A_WORKBOOK,
            CoreCode.NOT_A_WORKBOOK.message,
        ) from exc
    if start is None or end is None:
        return iter(()), 0
    check_extent(end[0] + 1, end[1] + 1, declared=False)
    return _sheet_rows(sheet, pad=start[1]), end[0] + 1


def _sheet_rows(sheet: Any, *, pad: int) -> Iterator[tuple[int, list[Any]]]:
    """Row by row, as Python values only one row at a time. The reader starts rows at
    row 1 but columns at the first one used: the empty ones before it are put back, so
    columns keep their places."""
    blank = [""] * pad
    rows = sheet.iter_rows()
    number = 0
    while True:
        try:
            cells = next(rows)
        except StopIteration:
            return
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException as exc:  # noqa: BLE001 (a panic of the reader, as above)
            raise file_error(
                CoreCode.NOT_A_WORKBOOK, CoreCode.NOT_A_WORKBOOK.message, row=number + 1
            ) from exc
        number += 1
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
    handle = _open_source(source)
    magic = handle.read(len(OLE_MAGIC))
    handle.seek(0)
    if not handle.read(1024 * 1024).strip():
        raise file_error(CoreCode.EMPTY_FILE, CoreCode.EMPTY_FILE.message)
    handle.seek(0)
    suffix = Path(filename).suffix.lower()
    is_workbook = magic.startswith(ZIP_MAGIC) or magic.startswith(OLE_MAGIC)
    if suffix in WORKBOOK_SUFFIXES and not is_workbook:
        raise file_error(
            CoreCode.NOT_A_WORKBOOK,
            _("The file is named %(suffix)s but is not a spreadsheet workbook.")
            % {"suffix": suffix},
        )
    if is_workbook:
        rows, estimate = _workbook_rows(handle, magic)
    else:
        encoding, estimate, delimiter = _text_encoding(handle)
        rows = _csv_rows(handle, encoding, delimiter)

    header_row: list[Any] | None = None
    for _number, cells in rows:
        if any(cell_text(c) for c in cells):
            header_row = cells
            break
    if header_row is None:
        raise file_error(CoreCode.EMPTY_FILE, CoreCode.EMPTY_FILE.message)
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
                        code=CoreCode.UNKNOWN_HEADER,
                        value=header,
                        message=CoreCode.UNKNOWN_HEADER.text(header=header),
                    )
                )
            continue
        if name in mapped.values():
            errors.append(
                RowError(
                    row=1,
                    column=header,
                    code=CoreCode.DUPLICATE_HEADER,
                    value=header,
                    message=CoreCode.DUPLICATE_HEADER.text(header=header),
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
                    code=CoreCode.MISSING_HEADER,
                    value="",
                    message=CoreCode.MISSING_HEADER.text(column=column.name),
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


def parse_number(value: Any, *, integer: bool) -> tuple[int | Decimal | None, CoreCode | None]:
    """A number as people type it: '1,234', '1.234', '1 234', '1.234,50', '1,234.50'.
    Returns (value, None) or (None, error code); empty text is (None, None)."""
    if type(value) is str:
        value = value.strip()
        if value.isdigit() and value.isascii():
            return int(value), None
    if isinstance(value, bool):
        return None, CoreCode.NOT_A_NUMBER
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
            return None, CoreCode.NOT_A_NUMBER
        if not number.is_finite():
            return None, CoreCode.NOT_A_NUMBER
    if number < 0:
        return None, CoreCode.NEGATIVE_NUMBER
    if integer:
        if number != number.to_integral_value():
            return None, CoreCode.NOT_AN_INTEGER
        return int(number), None
    return number.quantize(Decimal("0.01")), None
