"""The safety checks a workbook passes before the workbook reader opens it, and the
child process that reads an XLS workbook.

A workbook is a ZIP archive (XLSX, ODS) whose members are checked before any of it is
parsed: the uncompressed size of every member and of all of them together, and each
member's compression ratio (a "zip bomb" expands a few kilobytes to gigabytes). Then the
cells a sheet declares (`<dimension>`) and the cells it really holds are checked against
`PUENTE_IMPORT_MAX_COLUMNS` and `PUENTE_IMPORT_MAX_CELLS`: the workbook reader allocates
the whole rectangle from A1 to the last cell at once, so one cell at XFD1048576 would ask
for 512 GB and kill the process. An XLS workbook (an OLE compound file of BIFF records)
has its records scanned for the same extent, read from the file sector by sector, and is
then read in a child process under a memory limit (`xls_rows`).

`puente/core/tabular.py` reads the rows; every failure here is an `ImportFileError`."""

from __future__ import annotations

import io
import re
import shutil
import struct
import sys
import zipfile
from array import array
from collections.abc import Iterator, Sequence
from typing import IO, Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from puente.core.codes import CoreCode
from puente.core.imports import ImportFileError, RowError
from puente.core.templatetags.figures import figure_format

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ODS_NS = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"


def file_error(
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


def megabytes(size: int) -> str:
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


def check_extent(rows: int, columns: int, *, declared: bool) -> None:
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
    raise file_error(CoreCode.SHEET_TOO_LARGE, message % values)


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
                    check_extent(int(digits), _column_number(letters.decode()), declared=True)
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
                check_extent(max_row, max_column, declared=False)


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
                check_extent(max_row, max_column, declared=False)
            row += repeat
            element.clear()


def check_archive(handle: IO[bytes]) -> None:
    """A workbook saved as a ZIP archive (XLSX, ODS): sizes and ratios of its members,
    then the extent of its sheets, all before the workbook reader sees it."""
    try:
        archive = zipfile.ZipFile(handle)
        members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError) as exc:
        # NotImplementedError: a ZIP version or compression Python does not read.
        raise file_error(
            CoreCode.NOT_A_WORKBOOK,
            CoreCode.NOT_A_WORKBOOK.message,
        ) from exc
    max_bytes = settings.PUENTE_IMPORT_MAX_UNCOMPRESSED_BYTES
    max_ratio = settings.PUENTE_IMPORT_MAX_COMPRESSION_RATIO
    total = 0
    for member in members:
        total += member.file_size
        if total > max_bytes:
            raise file_error(
                CoreCode.WORKBOOK_TOO_LARGE,
                _(
                    "The workbook expands to more than %(megabytes)s MB when opened "
                    "(PUENTE_IMPORT_MAX_UNCOMPRESSED_BYTES). Save it as CSV or split it."
                )
                % {"megabytes": megabytes(max_bytes)},
            )
        # Small members compress as they like; a large one compressed beyond any real
        # spreadsheet's ratio is a bomb.
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > 1024 * 1024 and ratio > max_ratio:
            raise file_error(
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
        raise file_error(
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
    return file_error(
        CoreCode.NOT_A_WORKBOOK,
        CoreCode.NOT_A_WORKBOOK.message,
    )


class _Compound:
    """An OLE compound file (MS-CFB) read sector by sector from its handle: the file
    allocation table is held (four bytes per sector), never the file."""

    def __init__(self, handle: IO[bytes]) -> None:
        self.handle = handle
        handle.seek(0)
        header = handle.read(512)
        self.sector_size = 1 << struct.unpack_from("<H", header, 0x1E)[0]
        self.mini_size = 1 << struct.unpack_from("<H", header, 0x20)[0]
        fat_count, self.directory_start = struct.unpack_from("<II", header, 0x2C)
        self.mini_cutoff, self.mini_fat_start, _count, difat_start, difat_count = (
            struct.unpack_from("<IIIII", header, 0x38)
        )
        if self.sector_size not in (512, 4096) or self.mini_size != 64:
            raise _not_a_workbook()
        self.sectors = max(0, handle.seek(0, io.SEEK_END) // self.sector_size - 1)
        per_sector = self.sector_size // 4
        difat = list(struct.unpack_from("<109I", header, 0x4C))
        link = difat_start
        for _step in range(min(difat_count, self.sectors)):
            if link >= CFB_END:
                break
            entries = struct.unpack(f"<{per_sector}I", self.sector(link))
            difat.extend(entries[:-1])
            link = entries[-1]
        self.fat = array("I")
        for number in difat[:fat_count]:
            if number < CFB_END:
                self.fat.frombytes(self.sector(number))
        if sys.byteorder != "little":
            self.fat.byteswap()

    def sector(self, number: int) -> bytes:
        if number >= self.sectors:
            raise _not_a_workbook()
        self.handle.seek((number + 1) * self.sector_size)
        data = self.handle.read(self.sector_size)
        if len(data) != self.sector_size:
            raise _not_a_workbook()
        return data

    def chain(self, start: int, table: Sequence[int], limit: int) -> Iterator[int]:
        link = start
        for _step in range(limit):
            if link >= CFB_END or link >= len(table):
                return
            yield link
            link = table[link]

    def chunks(self, start: int, size: int | None = None) -> Iterator[bytes]:
        """A stream's sectors in order, the last cut to `size`."""
        remaining = size
        for number in self.chain(start, self.fat, self.sectors):
            piece = self.sector(number)
            if remaining is not None:
                if remaining <= 0:
                    return
                piece = piece[:remaining]
                remaining -= len(piece)
            yield piece

    def read(self, start: int) -> bytes:
        return b"".join(self.chunks(start))


def _cfb_stream(handle: IO[bytes], name: str) -> Iterator[bytes] | None:
    """The bytes of one stream of an OLE compound file, as chunks read when they are
    asked for, or None when the file has no stream of that name."""
    compound = _Compound(handle)
    directory = compound.read(compound.directory_start)
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
        if size >= compound.mini_cutoff:
            return compound.chunks(start, size)
        # A stream below the cutoff (4 KB) lives in the mini stream: small, read whole.
        if mini_stream is None:
            raise _not_a_workbook()
        mini_fat_bytes = compound.read(compound.mini_fat_start)
        mini_fat = list(struct.unpack(f"<{len(mini_fat_bytes) // 4}I", mini_fat_bytes))
        container = compound.read(mini_stream[0])
        mini_size = compound.mini_size
        pieces = [
            container[n * mini_size : (n + 1) * mini_size]
            for n in compound.chain(start, mini_fat, len(mini_fat))
        ]
        return iter([b"".join(pieces)[:size]])
    return None


def _biff_records(chunks: Iterator[bytes]) -> Iterator[tuple[int, int, bytes]]:
    """(kind, declared length, body) of each BIFF record of a stream read in chunks; a
    record is at most 8,224 bytes, so only one chunk and one record are held at a time.
    The last record may be cut short, as the file is."""
    buffer = b""
    for chunk in chunks:
        buffer += chunk
        offset = 0
        while len(buffer) - offset >= 4:
            kind, length = struct.unpack_from("<HH", buffer, offset)
            if len(buffer) - offset - 4 < length:
                break
            yield kind, length, buffer[offset + 4 : offset + 4 + length]
            offset += 4 + length
        buffer = buffer[offset:]
    if len(buffer) >= 4:
        kind, length = struct.unpack_from("<HH", buffer)
        yield kind, length, buffer[4 : 4 + length]


def check_xls(handle: IO[bytes]) -> None:
    """The declared and real extent of every sheet of an XLS workbook, read from its
    BIFF records before the workbook reader builds them (it reads every sheet at once,
    each as the whole rectangle up to its last cell). The records are read from the
    handle as they are scanned: the file is never held whole."""
    try:
        stream = _cfb_stream(handle, "Workbook")
        if stream is None:
            stream = _cfb_stream(handle, "Book")
    except (struct.error, IndexError) as exc:
        raise _not_a_workbook() from exc
    if stream is None:
        raise _not_a_workbook()
    max_row = max_column = 0
    try:
        for kind, length, body in _biff_records(stream):
            if kind == BIFF_BOF:
                max_row = max_column = 0
            elif kind == BIFF_DIMENSIONS and length >= 8:
                # First row, last row + 1 (32 bits each in BIFF8, 16 in BIFF5), first
                # column, last column + 1.
                layout = "<IIHH" if length >= 12 else "<HHHH"
                _first_row, rows, _first_column, columns = struct.unpack_from(layout, body)
                check_extent(rows, columns, declared=True)
            elif kind in BIFF_CELLS and length >= 4:
                row, column = struct.unpack_from("<HH", body)
                max_row, max_column = max(max_row, row + 1), max(max_column, column + 1)
                check_extent(max_row, max_column, declared=False)
            elif kind in BIFF_RUNS and length >= 6:
                row = struct.unpack_from("<H", body)[0]
                last_column = struct.unpack_from("<H", body, length - 2)[0]
                max_row, max_column = max(max_row, row + 1), max(max_column, last_column + 1)
                check_extent(max_row, max_column, declared=False)
    except struct.error as exc:  # a record cut short at the end of a damaged file
        raise _not_a_workbook() from exc


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


def xls_rows(handle: IO[bytes]) -> tuple[Iterator[tuple[int, list[Any]]], int]:
    """An XLS workbook read in a child process under PUENTE_XLS_READER_MEMORY_BYTES of
    address space. Its records are too many kinds to check them all first, and a damaged
    one can make the reader ask for hundreds of gigabytes and abort the process (a Rust
    allocation failure is not an exception): only the child dies, and the file is
    refused as unreadable."""
    import pickle  # noqa: S403 (rows written by our own child process)
    import resource
    import subprocess  # noqa: S404

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
        shutil.copyfileobj(handle, child.stdin, 1024 * 1024)
        child.stdin.close()
        start, end = pickle.load(output)  # noqa: S301
    except (EOFError, BrokenPipeError, pickle.UnpicklingError) as exc:
        child.kill()
        child.wait()
        raise file_error(CoreCode.NOT_A_WORKBOOK, CoreCode.NOT_A_WORKBOOK.message) from exc
    if start is None or end is None:
        child.kill()
        child.wait()
        return iter(()), 0
    check_extent(end[0] + 1, end[1] + 1, declared=False)

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
                raise file_error(
                    CoreCode.NOT_A_WORKBOOK, CoreCode.NOT_A_WORKBOOK.message, row=number + 1
                )
        finally:
            if child.poll() is None:
                child.kill()
                child.wait()

    return rows(), end[0] + 1
