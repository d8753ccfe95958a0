"""The import reader's limits on the files no other test builds: XLS workbooks (an OLE
container of BIFF records) whose sheets reach far, and CSV files read without holding
them in memory."""

import io
import tracemalloc

import pytest
import xlwt
from django.urls import reverse

from puente.core import tabular, workbooks
from puente.core.imports import ImportFileError
from puente.core.models import Upload
from puente.core.tabular import Column, cell_text, read_table
from puente.needs.models import NeedFigure

pytestmark = pytest.mark.django_db

COLUMNS = (Column("month"), Column("country"), Column("note", required=False))


def xls_bytes(*sheets: dict[tuple[int, int], object]) -> bytes:
    """An XLS workbook (BIFF8, as Excel 97-2003 writes it) with the given cells."""
    book = xlwt.Workbook()
    for number, cells in enumerate(sheets, start=1):
        sheet = book.add_sheet(f"Hoja{number}")
        for (row, column), value in cells.items():
            sheet.write(row, column, value)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


HEADER_CELLS = {(0, 0): "month", (0, 1): "country", (1, 0): "2025-01", (1, 1): "PER"}
FAR_CELL = {(65535, 255): "x"}  # the last cell an XLS sheet can hold: IV65536


class NoWorkbookReader:
    @staticmethod
    def from_filelike(handle):
        raise AssertionError("the workbook reader was called")


def test_an_ordinary_xls_is_read():
    table = read_table(xls_bytes(HEADER_CELLS), filename="f.xls", columns=COLUMNS)
    assert [(n, {k: cell_text(v) for k, v in r.items()}) for n, r in table] == [
        (2, {"month": "2025-01", "country": "PER"})
    ]


def test_an_xls_reaching_iv65536_is_refused_on_a_web_import_before_it_is_read(
    client, make_user, settings, monkeypatch
):
    # given a needs file in the XLS format whose one far cell makes a 16.7-million-cell
    # sheet, with a cell limit below that
    settings.PUENTE_IMPORT_MAX_CELLS = 1_000_000
    content = xls_bytes({**HEADER_CELLS, **FAR_CELL})
    monkeypatch.setattr(tabular, "CalamineWorkbook", NoWorkbookReader)
    client.force_login(make_user("regional-admin", "region"))
    upload = io.BytesIO(content)
    upload.name = "necesidades.xls"
    # when it is uploaded on the needs page (read by the web process itself)
    response = client.post(reverse("needs:needs"), {"import_kind": "needs", "file": upload})
    # then the page answers with the limit named, nothing is imported, and the file
    # is kept
    assert response.status_code == 200
    page = response.content.decode()
    assert "sheet_too_large" in page
    assert "PUENTE_IMPORT_MAX_CELLS" in page
    assert NeedFigure.objects.count() == 0
    stored = Upload.objects.get()
    assert not stored.accepted
    assert stored.report["errors"][0]["code"] == "sheet_too_large"


def test_the_cells_of_an_xls_are_measured_even_when_its_declared_extent_lies(settings, monkeypatch):
    # given a reader that ignores the sheet's declared extent (a file may lie in it)
    settings.PUENTE_IMPORT_MAX_COLUMNS = 100
    monkeypatch.setattr(workbooks, "BIFF_DIMENSIONS", -1)
    monkeypatch.setattr(tabular, "CalamineWorkbook", NoWorkbookReader)
    # then a cell at column 256 is found among the records
    with pytest.raises(ImportFileError) as caught:
        read_table(xls_bytes({**HEADER_CELLS, **FAR_CELL}), filename="f.xls", columns=COLUMNS)
    [error] = caught.value.errors
    assert error.code == "sheet_too_large"
    assert "spans" in str(error.message)


def test_every_sheet_of_an_xls_is_measured(settings, monkeypatch):
    # the workbook reader builds every sheet when it opens an XLS, not only the first
    settings.PUENTE_IMPORT_MAX_CELLS = 1_000_000
    monkeypatch.setattr(tabular, "CalamineWorkbook", NoWorkbookReader)
    with pytest.raises(ImportFileError) as caught:
        read_table(xls_bytes(HEADER_CELLS, FAR_CELL), filename="f.xls", columns=COLUMNS)
    assert [e.code for e in caught.value.errors] == ["sheet_too_large"]


def test_a_damaged_xls_is_one_file_error():
    content = xls_bytes(HEADER_CELLS)
    with pytest.raises(ImportFileError) as caught:
        read_table(content[:1500], filename="f.xls", columns=COLUMNS)
    assert [e.code for e in caught.value.errors] == ["not_a_workbook"]


def test_an_xls_is_measured_from_its_file_never_held_whole(tmp_path, settings):
    # given an XLS workbook of about 3.5 MB on disk (40,000 rows of 10 numbers)
    book = xlwt.Workbook()
    sheet = book.add_sheet("Hoja1")
    for row in range(40_000):
        for column in range(10):
            sheet.write(row, column, row * 10 + column + 0.5)
    path = tmp_path / "grande.xls"
    book.save(str(path))
    size = path.stat().st_size
    assert size > 3 * 1024 * 1024
    # when its records are scanned for the sheet's extent
    with path.open("rb") as handle:
        tracemalloc.start()
        try:
            workbooks.check_xls(handle)
            _current, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    # then the sheet fits the limits and the scan held a small part of the file
    assert peak < size // 4, f"peak {peak} bytes of a {size}-byte file"
    # and the same scan finds a sheet beyond the limits in it
    settings.PUENTE_IMPORT_MAX_CELLS = 100_000
    with path.open("rb") as handle, pytest.raises(ImportFileError) as caught:
        workbooks.check_xls(handle)
    assert [e.code for e in caught.value.errors] == ["sheet_too_large"]


def test_a_csv_file_is_read_row_by_row_never_held_whole(tmp_path):
    # given a 32 MB CSV file in Windows-1252 (the encoding is found by reading it once)
    line = "2025-01;Perú;" + "x" * 100 + "\n"
    path = tmp_path / "grande.csv"
    with path.open("w", encoding="cp1252", newline="") as handle:
        handle.write("month;country;note\n")
        for _ in range(32 * 1024 * 1024 // len(line)):
            handle.write(line)
    # when every row is read
    tracemalloc.start()
    try:
        table = read_table(path, filename=path.name, columns=COLUMNS)
        rows = sum(1 for _row in table)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # then all are read, in a small part of the file's size
    assert rows == 32 * 1024 * 1024 // len(line)
    assert table.estimated_rows == rows + 1
    assert peak < 8 * 1024 * 1024, f"peak {peak} bytes"


NEEDS_HEADER = [
    "year",
    "country",
    "admin1",
    "sector",
    "population_group",
    "people_in_need",
    "severity",
]


def _post_needs(client, content, name):
    upload = io.BytesIO(content)
    upload.name = name
    return client.post(reverse("needs:needs"), {"import_kind": "needs", "file": upload})


def test_a_workbook_too_large_to_read_while_the_page_waits_is_refused_with_the_way_out(
    client, make_user, settings
):
    from puente.core.testing import xlsx_bytes

    # given an inline limit of 4 KB, and a needs workbook expanding beyond it
    settings.PUENTE_INLINE_IMPORT_BYTES = 4096
    rows = [NEEDS_HEADER] + [
        [2025, "COL", "CO-ATL", "HEA", "in-destination", n, 3] for n in range(300)
    ]
    client.force_login(make_user("regional-admin", "region"))
    # when it is uploaded on the needs page
    response = _post_needs(client, xlsx_bytes(rows), "necesidades.xlsx")
    # then it is refused, naming the limit and saying how to import it, and kept
    assert response.status_code == 200
    stored = Upload.objects.get()
    [error] = stored.report["errors"]
    assert error["code"] == "workbook_too_large_for_page"
    assert "PUENTE_INLINE_IMPORT_BYTES" in error["message"]
    assert "CSV" in error["message"]
    assert stored.file.size > 0
    assert NeedFigure.objects.count() == 0


def test_a_csv_file_larger_than_the_inline_limit_is_read_on_the_page(client, make_user, settings):
    from puente.core.testing import csv_bytes

    # given the same limit and a CSV file above it (read row by row, so any size is read)
    settings.PUENTE_INLINE_IMPORT_BYTES = 64
    content = csv_bytes([NEEDS_HEADER, [2025, "COL", "CO-ATL", "HEA", "in-destination", 1200, 3]])
    assert len(content) > settings.PUENTE_INLINE_IMPORT_BYTES
    client.force_login(make_user("regional-admin", "region"))
    response = _post_needs(client, content, "necesidades.csv")
    assert response.status_code == 200
    assert Upload.objects.get().accepted, Upload.objects.get().report
    assert NeedFigure.objects.get().people_in_need == 1200


def _damaged_xls() -> bytes:
    """An XLS workbook with one byte changed in a record the workbook reader parses: it
    made the reader ask for 342 GB and abort the process that ran it."""
    content = bytearray(xls_bytes(HEADER_CELLS))
    content[1576] = 0xE8
    return bytes(content)


def test_a_damaged_xls_that_aborts_the_reader_is_refused_and_the_process_lives(client, make_user):
    # given a needs file in XLS whose damage aborts whatever process reads it
    client.force_login(make_user("regional-admin", "region"))
    # when it is uploaded on the needs page
    response = _post_needs(client, _damaged_xls(), "necesidades.xls")
    # then the page answers (the reader ran in a child process) and the file is refused
    assert response.status_code == 200
    stored = Upload.objects.get()
    assert [e["code"] for e in stored.report["errors"]] == ["not_a_workbook"]
    assert NeedFigure.objects.count() == 0


@pytest.mark.parametrize(
    "child",
    [
        "import os; os.abort()",
        "import sys; sys.stdin.buffer.read(); x = bytearray(8 * 1024 ** 3)",
    ],
    ids=["abort", "beyond-the-memory-limit"],
)
def test_whatever_ends_the_xls_reader_is_a_file_error(monkeypatch, settings, child):
    settings.PUENTE_XLS_READER_MEMORY_BYTES = 1024**3
    monkeypatch.setattr(workbooks, "XLS_CHILD", child)
    with pytest.raises(ImportFileError) as caught:
        read_table(xls_bytes(HEADER_CELLS), filename="f.xls", columns=COLUMNS)
    assert [e.code for e in caught.value.errors] == ["not_a_workbook"]


@pytest.mark.parametrize("name", ["f.xls", "f.xlsx"])
def test_damaged_workbooks_are_read_or_refused_with_a_code(name):
    # given a valid workbook with up to eight random bytes changed, or cut short (seeded,
    # so a failure can be replayed)
    import random

    from puente.core.testing import xlsx_bytes

    rows = [["month", "country"], ["2025-01", "PER"]]
    original = xls_bytes(HEADER_CELLS) if name == "f.xls" else xlsx_bytes(rows)
    generator = random.Random(2026)
    for _attempt in range(60):
        content = bytearray(original)
        for _change in range(generator.randint(1, 8)):
            content[generator.randrange(len(content))] = generator.randrange(256)
        if generator.random() < 0.2:
            content = content[: generator.randrange(len(content))]
        # then each is read, or refused with a coded file error, never anything else
        try:
            list(read_table(bytes(content), filename=name, columns=COLUMNS))
        except ImportFileError as exc:
            assert exc.errors and all(e.code for e in exc.errors)


def test_a_csv_whose_utf8_breaks_only_at_its_end_is_read_as_latin1():
    # a byte Windows-1252 leaves undefined (0x8D), and UTF-8 cut short at the very end
    content = b"month,country\n2025-01,P\x8dR\xc3"
    [(_number, row)] = list(read_table(content, filename="f.csv", columns=COLUMNS))
    assert row["country"] == "P\x8dRÃ"
