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

import codecs
import contextlib
import csv
import datetime as dt
import io
import re
import struct
import tempfile
import unicodedata
import zipfile
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


def _file_error(
    code: CoreCode,
    message: Any,
    *,
    row: int | None = None,
    column: str | None = None,
    value: str = "",
) -> ImportFileError:
    return ImportFileError(
        RowError(row=row, column=column, code=code, message=message, value=value)
    )


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
            raise _file_error(CoreCode.FILE_TOO_LARGE, _file_too_large(limit))
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
                    raise _file_error(CoreCode.FILE_TOO_LARGE, _file_too_large(limit))
                handle.write(chunk)
    size = handle.seek(0, io.SEEK_END)
    handle.seek(0)
    if size > limit:
        raise _file_error(CoreCode.FILE_TOO_LARGE, _file_too_large(limit))
    return handle  # type: ignore[no-any-return]


def _file_too_large(limit: int) -> Any:
    return CoreCode.FILE_TOO_LARGE.text(megabytes=limit // (1024 * 1024))


def _not_text() -> ImportFileError:
    return _file_error(
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
    raise _file_error(CoreCode.SHEET_TOO_LARGE, message % values)


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


def _check_archive(handle: IO[bytes]) -> None:
    """A workbook saved as a ZIP archive (XLSX, ODS): sizes and ratios of its members,
    then the extent of its sheets, all before the workbook reader sees it."""
    try:
        archive = zipfile.ZipFile(handle)
        members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError) as exc:
        # NotImplementedError: a ZIP version or compression Python does not read.
        raise _file_error(
            CoreCode.NOT_A_WORKBOOK,
            CoreCode.NOT_A_WORKBOOK.message,
        ) from exc
    max_bytes = settings.PUENTE_IMPORT_MAX_UNCOMPRESSED_BYTES
    max_ratio = settings.PUENTE_IMPORT_MAX_COMPRESSION_RATIO
    total = 0
    for member in members:
        total += member.file_size
        if total > max_bytes:
            raise _file_error(
                CoreCode.WORKBOOK_TOO_LARGE,
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
                CoreCode.COMPRESSION_RATIO,
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
            CoreCode.NOT_A_WORKBOOK,
            CoreCode.NOT_A_WORKBOOK.message,
        ) from exc


# An XLS workbook is an OLE compound file (a small file system of 512- or 4096-byte
# sectors) holding a "Workbook" stream of BIFF records.
CFB_END = 0xFFFFFFFE
BIFF_BOF = 0x0809
BIFF_DIMENSIONS = 0x0200
# Records of one cell: row and column are their first two 16-bit fields.
BIFF_CELLS = {0x0006, 0x00D6, 0x00FD, 0x0201, 0x0203, 0x0204, 0x0205, 0x027E}
# Records of a run of cells in one row: row, first column, ..., last column (the last
# 16-bit field).
BIFF_RUNS = {0x00BD, 0x00BE}


def _not_a_workbook() -> ImportFileError:
    return _file_error(
        CoreCode.NOT_A_WORKBOOK,
        CoreCode.NOT_A_WORKBOOK.message,
    )


def _cfb_stream(data: bytes, name: str) -> bytes | None:
    """The bytes of one stream of an OLE compound file (MS-CFB), or None."""
    sector_size = 1 << struct.unpack_from("<H", data, 0x1E)[0]
    mini_size = 1 << struct.unpack_from("<H", data, 0x20)[0]
    fat_count, directory_start = struct.unpack_from("<II", data, 0x2C)
    mini_cutoff, mini_fat_start, _mini_fat_count, difat_start, difat_count = struct.unpack_from(
        "<IIIII", data, 0x38
    )
    if sector_size not in (512, 4096) or mini_size != 64:
        raise _not_a_workbook()
    sectors = max(0, len(data) // sector_size - 1)
    per_sector = sector_size // 4

    def sector(number: int) -> bytes:
        if number >= sectors:
            raise _not_a_workbook()
        offset = (number + 1) * sector_size
        return data[offset : offset + sector_size]

    difat = list(struct.unpack_from("<109I", data, 0x4C))
    link = difat_start
    for _step in range(min(difat_count, sectors)):
        if link >= CFB_END:
            break
        entries = struct.unpack(f"<{per_sector}I", sector(link))
        difat.extend(entries[:-1])
        link = entries[-1]
    fat: list[int] = []
    for number in difat[:fat_count]:
        if number < CFB_END:
            fat.extend(struct.unpack(f"<{per_sector}I", sector(number)))

    def chain(start: int, table: list[int], limit: int) -> Iterator[int]:
        link = start
        for _step in range(limit):
            if link >= CFB_END or link >= len(table):
                return
            yield link
            link = table[link]

    def read(start: int) -> bytes:
        return b"".join(sector(n) for n in chain(start, fat, sectors))

    directory = read(directory_start)
    records = [directory[i : i + 128] for i in range(0, len(directory) - 127, 128)]
    if not records:
        raise _not_a_workbook()
    mini_stream = None
    for entry in records:
        length = struct.unpack_from("<H", entry, 0x40)[0]
        entry_name = entry[: max(0, length - 2)].decode("utf-16-le", errors="replace")
        kind = entry[0x42]
        start, size = struct.unpack_from("<IQ", entry, 0x74)
        size &= 0xFFFFFFFF
        if kind == 5:
            mini_stream = (start, size)
        if kind != 2 or entry_name != name:
            continue
        if size >= mini_cutoff:
            return read(start)[:size]
        if mini_stream is None:
            raise _not_a_workbook()
        mini_fat_bytes = read(mini_fat_start)
        mini_fat = list(struct.unpack(f"<{len(mini_fat_bytes) // 4}I", mini_fat_bytes))
        container = read(mini_stream[0])
        pieces = [
            container[n * mini_size : (n + 1) * mini_size]
            for n in chain(start, mini_fat, len(mini_fat))
        ]
        return b"".join(pieces)[:size]
    return None


def _check_xls(handle: IO[bytes]) -> None:
    """The declared and real extent of every sheet of an XLS workbook, read from its
    BIFF records before the workbook reader builds them (it reads every sheet at once,
    each as the whole rectangle up to its last cell)."""
    data = handle.read()
    try:
        stream = _cfb_stream(data, "Workbook")
        if stream is None:
            stream = _cfb_stream(data, "Book")
    except (struct.error, IndexError) as exc:
        raise _not_a_workbook() from exc
    if stream is None:
        raise _not_a_workbook()
    offset, end = 0, len(stream) - 4
    max_row = max_column = 0
    while offset <= end:
        kind, length = struct.unpack_from("<HH", stream, offset)
        body = stream[offset + 4 : offset + 4 + length]
        offset += 4 + length
        if kind == BIFF_BOF:
            max_row = max_column = 0
        elif kind == BIFF_DIMENSIONS and length >= 8:
            # First row, last row + 1 (32 bits each in BIFF8, 16 in BIFF5), first column,
            # last column + 1.
            layout = "<IIHH" if length >= 12 else "<HHHH"
            _first_row, rows, _first_column, columns = struct.unpack_from(layout, body)
            _check_extent(rows, columns, declared=True)
        elif kind in BIFF_CELLS and length >= 4:
            row, column = struct.unpack_from("<HH", body)
            max_row, max_column = max(max_row, row + 1), max(max_column, column + 1)
            _check_extent(max_row, max_column, declared=False)
        elif kind in BIFF_RUNS and length >= 6:
            row = struct.unpack_from("<H", body)[0]
            last_column = struct.unpack_from("<H", body, length - 2)[0]
            max_row, max_column = max(max_row, row + 1), max(max_column, last_column + 1)
            _check_extent(max_row, max_column, declared=False)


def expanded_size(source: bytes | IO[bytes]) -> int:
    """How many bytes reading the file means: a ZIP workbook's members uncompressed,
    otherwise the file itself. What decides whether an upload is imported while the
    page waits (PUENTE_INLINE_IMPORT_BYTES)."""
    handle = io.BytesIO(source) if isinstance(source, bytes) else source
    handle.seek(0)
    magic = handle.read(len(ZIP_MAGIC))
    size = handle.seek(0, io.SEEK_END)
    handle.seek(0)
    if magic != ZIP_MAGIC:
        return size
    try:
        with zipfile.ZipFile(handle) as archive:
            return max(size, sum(m.file_size for m in archive.infolist()))
    except (zipfile.BadZipFile, OSError, ValueError):
        return size
    finally:
        handle.seek(0)


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
        raise _file_error(
            CoreCode.WORKBOOK_TOO_LARGE_FOR_PAGE,
            _(
                "This workbook expands to more than %(megabytes)s MB when opened "
                "(PUENTE_INLINE_IMPORT_BYTES), too large to read while the page waits. "
                "Save it as CSV, which is read row by row whatever its size, or import it "
                "with the puente import command."
            )
            % {"megabytes": _megabytes(limit)},
        )


def _csv_rows(handle: IO[bytes], encoding: str, delimiter: str) -> Iterator[tuple[int, list[Any]]]:
    """Rows decoded as they are read: the file is never held as one text."""
    text = io.TextIOWrapper(handle, encoding=encoding, newline="")  # type: ignore[type-var]
    try:
        reader = csv.reader(text, delimiter=delimiter)
        try:
            yield from enumerate(reader, start=1)
        except csv.Error as exc:
            raise _file_error(
                CoreCode.UNREADABLE_FILE,
                _("Row %(row)s cannot be read as CSV: %(reason)s")
                % {"row": reader.line_num, "reason": str(exc)},
                row=reader.line_num,
            ) from exc
    finally:
        # The handle belongs to the caller: closing the text layer must not close it.
        with contextlib.suppress(ValueError):
            text.detach()


# Reads an XLS workbook in a child process and writes its first sheet's extent, then
# its rows, one pickle each, to standard output (the parent reads them as they come).
XLS_CHILD = """
import io, pickle, sys
from python_calamine import CalamineWorkbook
sheet = CalamineWorkbook.from_filelike(io.BytesIO(sys.stdin.buffer.read())).get_sheet_by_index(0)
out = sys.stdout.buffer
pickle.dump((sheet.start, sheet.end), out)
for row in sheet.iter_rows():
    pickle.dump(row, out)
out.flush()
"""


def _xls_rows(handle: IO[bytes]) -> tuple[Iterator[tuple[int, list[Any]]], int]:
    """An XLS workbook read in a child process under PUENTE_XLS_READER_MEMORY_BYTES of
    address space. Its records are too many kinds to check them all first, and a damaged
    one can make the reader ask for hundreds of gigabytes and abort the process (a Rust
    allocation failure is not an exception): only the child dies, and the file is
    refused as unreadable."""
    import pickle  # noqa: S403 (rows written by our own child process)
    import resource
    import subprocess  # noqa: S404
    import sys

    limit = settings.PUENTE_XLS_READER_MEMORY_BYTES

    def limited() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    child = subprocess.Popen(  # noqa: S603 (our own interpreter and script)
        [sys.executable, "-c", XLS_CHILD],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        preexec_fn=limited,  # noqa: PLW1509 (only sets a resource limit)
    )
    assert child.stdin is not None and child.stdout is not None  # noqa: S101
    output = child.stdout
    try:
        child.stdin.write(handle.read())
        child.stdin.close()
        start, end = pickle.load(output)  # noqa: S301
    except (EOFError, BrokenPipeError, pickle.UnpicklingError) as exc:
        child.kill()
        child.wait()
        raise _file_error(CoreCode.NOT_A_WORKBOOK, CoreCode.NOT_A_WORKBOOK.message) from exc
    if start is None or end is None:
        child.kill()
        child.wait()
        return iter(()), 0
    _check_extent(end[0] + 1, end[1] + 1, declared=False)

    def rows() -> Iterator[tuple[int, list[Any]]]:
        blank = [""] * start[1]
        number = 0
        try:
            while True:
                try:
                    cells = pickle.load(output)  # noqa: S301
                except EOFError:
                    break
                number += 1
                yield number, blank + cells if blank else cells
            if child.wait() != 0:
                raise _file_error(
                    CoreCode.NOT_A_WORKBOOK, CoreCode.NOT_A_WORKBOOK.message, row=number + 1
                )
        finally:
            if child.poll() is None:
                child.kill()
                child.wait()

    return rows(), end[0] + 1


def _workbook_rows(handle: IO[bytes], magic: bytes) -> tuple[Iterator[tuple[int, list[Any]]], int]:
    if magic.startswith(ZIP_MAGIC):
        _check_archive(handle)
    else:
        _check_xls(handle)
        handle.seek(0)
        return _xls_rows(handle)
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
        raise _file_error(
            CoreCode.NOT_A_WORKBOOK,
            CoreCode.NOT_A_WORKBOOK.message,
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
            raise _file_error(
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
        raise _file_error(CoreCode.EMPTY_FILE, CoreCode.EMPTY_FILE.message)
    handle.seek(0)
    suffix = Path(filename).suffix.lower()
    is_workbook = magic.startswith(ZIP_MAGIC) or magic.startswith(OLE_MAGIC)
    if suffix in WORKBOOK_SUFFIXES and not is_workbook:
        raise _file_error(
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
        raise _file_error(CoreCode.EMPTY_FILE, CoreCode.EMPTY_FILE.message)
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
