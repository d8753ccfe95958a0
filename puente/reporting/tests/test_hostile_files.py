"""Hostile files: workbooks that would make the reader allocate without bound (a cell at
XFD1048576, a zip bomb), a CSV cell of megabytes, and imports whose process died. Each
file is built here, byte by byte, the way an attacker would."""

import datetime as dt
import io
import json
import resource
import time
import zipfile

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from puente.core.testing import csv_bytes
from puente.reporting.models import ActivityRow, ImportBatch
from puente.reporting.services.imports import batch_fail_stale, heartbeat_key
from puente.reporting.tests.conftest import HEADER, as_rows, good_row

pytestmark = pytest.mark.django_db

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def xlsx_with_sheet(sheet_xml: str | bytes, *, compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    """A minimal XLSX whose only worksheet is `sheet_xml`."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/'
            '2006/content-types"><Default Extension="rels" ContentType="application/'
            'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" '
            'ContentType="application/xml"/><Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.'
            'sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType='
            '"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            "</Types>",
        )
        archive.writestr(
            "_rels/.rels",
            '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/'
            'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.'
            'openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
            'Target="xl/workbook.xml"/></Relationships>',
        )
        archive.writestr(
            "xl/workbook.xml",
            f'<?xml version="1.0"?><workbook xmlns="{MAIN_NS}" xmlns:r="{REL_NS}"><sheets>'
            '<sheet name="5W" sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        archive.writestr(
            "xl/_rels/workbook.xml.rels",
            '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/'
            'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.'
            'openxmlformats.org/officeDocument/2006/relationships/worksheet" '
            'Target="worksheets/sheet1.xml"/></Relationships>',
        )
        archive.writestr("xl/worksheets/sheet1.xml", sheet_xml)
    return buffer.getvalue()


def inline(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def header_cells() -> str:
    letters = [chr(65 + i) if i < 26 else "A" + chr(65 + i - 26) for i in range(len(HEADER))]
    return "".join(inline(f"{letter}1", name) for letter, name in zip(letters, HEADER, strict=True))


def far_cell_xlsx(*, dimension: str | None) -> bytes:
    """A header and one cell at XFD1048576: 1.5 KB that asks the reader for 512 GB."""
    declared = f'<dimension ref="{dimension}"/>' if dimension else ""
    return xlsx_with_sheet(
        f'<?xml version="1.0"?><worksheet xmlns="{MAIN_NS}">{declared}<sheetData>'
        f'<row r="1">{header_cells()}</row>'
        f'<row r="1048576">{inline("XFD1048576", "x")}</row>'
        "</sheetData></worksheet>"
    )


def bomb_xlsx(megabytes: int) -> bytes:
    """A header, then `megabytes` of one repeated empty row: a zip bomb."""
    row = b'<row><c t="inlineStr"><is><t>a</t></is></c></row>'
    body = row * (megabytes * 1024 * 1024 // len(row))
    sheet = (
        f'<?xml version="1.0"?><worksheet xmlns="{MAIN_NS}"><sheetData>'
        f'<row r="1">{header_cells()}</row>'
    ).encode()
    sheet += body + b"</sheetData></worksheet>"
    return xlsx_with_sheet(sheet)


def upload(client, content: bytes, name: str, policy: str = "reject-file"):
    file = io.BytesIO(content)
    file.name = name
    return client.post(
        reverse("reporting:upload"),
        {"file": file, "policy": policy, "status": "submitted"},
        follow=True,
    )


def cli(tmp_path, capsys, content: bytes, name: str, *args):
    path = tmp_path / name
    path.write_bytes(content)
    try:
        call_command("import_data", "5w", str(path), "--format", "json", *args)
        code = 0
    except SystemExit as exc:
        code = exc.code
    return code, json.loads(capsys.readouterr().out)


@pytest.mark.parametrize("dimension", ["A1:XFD1048576", None])
def test_a_cell_at_xfd1048576_is_refused_before_the_workbook_is_read(
    client, orgs, make_user, dimension
):
    # given a 1.5 KB workbook whose one cell makes the sheet 16,384 columns wide
    content = far_cell_xlsx(dimension=dimension)
    assert len(content) < 2000
    client.force_login(make_user("partner-reporter", "organisation:ORGA"))
    # when a partner uploads it (the web process reads a file this small itself)
    response = upload(client, content, "bomba.xlsx")
    # then the page answers (the process is alive) with the limit named
    assert response.status_code == 200
    batch = ImportBatch.objects.get()
    assert batch.state == "rejected"
    [error] = batch.report["errors"]
    assert error["code"] == "sheet_too_large"
    assert "16,384 columns" in error["message"]
    assert "PUENTE_IMPORT_MAX_COLUMNS" in error["message"]
    assert "sheet_too_large" in response.content.decode()


def test_a_declared_dimension_beyond_the_limit_is_refused(tmp_path, capsys, orgs):
    # given a workbook that declares A1:Z1048576 (27 million cells) but holds one row
    sheet = (
        f'<?xml version="1.0"?><worksheet xmlns="{MAIN_NS}"><dimension ref="A1:Z1048576"/>'
        f'<sheetData><row r="1">{header_cells()}</row></sheetData></worksheet>'
    )
    # when it is imported from the command line
    code, report = cli(tmp_path, capsys, xlsx_with_sheet(sheet), "declared.xlsx")
    # then the declared size is refused, naming the cell limit
    assert code == 1
    [error] = report["errors"]
    assert error["code"] == "sheet_too_large"
    assert "PUENTE_IMPORT_MAX_CELLS" in error["message"]


def test_a_sheet_of_cells_without_references_is_measured_too(tmp_path, capsys, orgs, settings):
    # given cells without an `r` attribute: each follows the one before it
    settings.PUENTE_IMPORT_MAX_COLUMNS = 100
    cells = '<c t="inlineStr"><is><t>x</t></is></c>' * 150
    sheet = (
        f'<?xml version="1.0"?><worksheet xmlns="{MAIN_NS}"><sheetData>'
        f'<row r="1">{header_cells()}</row><row>{cells}</row></sheetData></worksheet>'
    )
    code, report = cli(tmp_path, capsys, xlsx_with_sheet(sheet), "wide.xlsx")
    assert code == 1
    assert [e["code"] for e in report["errors"]] == ["sheet_too_large"]


def test_a_zip_bomb_is_refused_by_its_compression_ratio(tmp_path, capsys, orgs):
    # given 6 MB of XML compressed a thousand times over
    content = bomb_xlsx(6)
    assert len(content) < 60_000
    code, report = cli(tmp_path, capsys, content, "bomb.xlsx")
    assert code == 1
    [error] = report["errors"]
    assert error["code"] == "compression_ratio"
    assert "xl/worksheets/sheet1.xml" in error["message"]
    assert "PUENTE_IMPORT_MAX_COMPRESSION_RATIO" in error["message"]


def test_a_workbook_expanding_beyond_the_limit_is_refused(tmp_path, capsys, orgs, settings):
    # given a limit of 2 MB uncompressed and a workbook stored without compression
    settings.PUENTE_IMPORT_MAX_UNCOMPRESSED_BYTES = 2 * 1024 * 1024
    row = "<row>" + inline("", "a").replace(' r=""', "") + "</row>"
    sheet = (
        f'<?xml version="1.0"?><worksheet xmlns="{MAIN_NS}"><sheetData>'
        f'<row r="1">{header_cells()}</row>{row * 70_000}</sheetData></worksheet>'
    )
    content = xlsx_with_sheet(sheet, compression=zipfile.ZIP_STORED)
    code, report = cli(tmp_path, capsys, content, "big.xlsx")
    assert code == 1
    [error] = report["errors"]
    assert error["code"] == "workbook_too_large"
    assert "2 MB" in error["message"] and "PUENTE_IMPORT_MAX_UNCOMPRESSED_BYTES" in error["message"]


def ods(content_xml: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", content_xml)
    return buffer.getvalue()


def test_an_ods_sheet_repeating_a_value_without_end_is_refused(tmp_path, capsys, orgs):
    # given an ODS row holding a value repeated over 16,384 columns, repeated a million times
    table = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
    office = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
    text = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
    header = "".join(
        f'<table:table-cell office:value-type="string"><text:p>{h}</text:p></table:table-cell>'
        for h in HEADER
    )
    content = (
        f'<?xml version="1.0"?><office:document-content xmlns:office="{office}" '
        f'xmlns:table="{table}" xmlns:text="{text}"><office:body><office:spreadsheet>'
        f'<table:table table:name="5W"><table:table-row>{header}</table:table-row>'
        '<table:table-row table:number-rows-repeated="1048575"><table:table-cell '
        'table:number-columns-repeated="16384" office:value-type="float" office:value="1">'
        "</table:table-cell></table:table-row>"
        # a sheet's usual tail: empty rows repeated to the end are no data
        '<table:table-row table:number-rows-repeated="1048576"><table:table-cell '
        'table:number-columns-repeated="1024"/></table:table-row>'
        "</table:table></office:spreadsheet></office:body></office:document-content>"
    )
    code, report = cli(tmp_path, capsys, ods(content), "bomb.ods")
    assert code == 1
    assert [e["code"] for e in report["errors"]] == ["sheet_too_large"]


def test_an_ods_with_the_usual_empty_tail_is_not_refused_for_it(tmp_path, capsys, orgs):
    # given an ODS whose empty rows are repeated to the end of the sheet, as LibreOffice
    # saves them: only cells holding values count
    from puente.core.imports import ImportFileError
    from puente.core.workbooks import check_archive

    table = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
    office = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
    content = (
        f'<?xml version="1.0"?><office:document-content xmlns:office="{office}" '
        f'xmlns:table="{table}"><office:body><office:spreadsheet><table:table>'
        '<table:table-row><table:table-cell office:value-type="string"/></table:table-row>'
        '<table:table-row table:number-rows-repeated="1048575"><table:table-cell '
        'table:number-columns-repeated="16384"/></table:table-row>'
        "</table:table></office:spreadsheet></office:body></office:document-content>"
    )
    try:
        check_archive(io.BytesIO(ods(content)))
    except ImportFileError as exc:  # pragma: no cover - the failure message
        pytest.fail(f"refused: {exc}")


def test_a_small_workbook_expanding_beyond_the_inline_limit_goes_to_the_worker(
    client, orgs, make_user, settings, monkeypatch
):
    # given an upload of 40 KB that expands to more than the inline limit
    settings.PUENTE_INLINE_IMPORT_BYTES = 100_000
    rows = "".join(f'<row r="{n}">{inline(f"A{n}", "x" * 50)}</row>' for n in range(2, 5000))
    content = xlsx_with_sheet(
        f'<?xml version="1.0"?><worksheet xmlns="{MAIN_NS}"><sheetData>'
        f'<row r="1">{header_cells()}</row>{rows}</sheetData></worksheet>'
    )
    assert len(content) < settings.PUENTE_INLINE_IMPORT_BYTES
    queued = []
    monkeypatch.setattr(
        "puente.reporting.views.batch_import_task",
        type("QueuedTask", (), {"enqueue": staticmethod(queued.append)}),
    )
    client.force_login(make_user("partner-reporter", "organisation:ORGA"))
    # when it is uploaded
    upload(client, content, "grande.xlsx")
    # then the page queued it instead of reading it itself
    batch = ImportBatch.objects.get()
    assert queued == [batch.pk]
    assert batch.state == "queued"


def long_cell_csv() -> bytes:
    return csv_bytes(
        as_rows(
            good_row(),
            good_row(activity="A" * 2 * 1024 * 1024),
            good_row(admin1="Bolívar", admin2=""),
        )
    )


def test_a_csv_cell_of_two_megabytes_is_a_row_error_on_the_upload_page(
    client, orgs, make_user, settings
):
    settings.PUENTE_INLINE_IMPORT_BYTES = 4 * 1024 * 1024  # read while the page waits
    client.force_login(make_user("partner-reporter", "organisation:ORGA"))
    # when a partner uploads a CSV with one 2 MB cell, keeping the good rows
    response = upload(client, long_cell_csv(), "largo.csv", policy="keep-good-rows")
    # then the page answers, the row is refused with its own code, and the others are in
    assert response.status_code == 200
    assert "cell_too_large" in response.content.decode()
    batch = ImportBatch.objects.get()
    assert (batch.state, batch.imported, batch.rejected) == ("done", 2, 1)
    [error] = batch.report["errors"]
    assert (error["row"], error["column"], error["code"]) == (3, "activity", "cell_too_large")
    assert "2,097,152 characters" in error["message"] and "32,767" in error["message"]
    assert len(error["value"]) == 50
    assert ActivityRow.objects.count() == 2


def test_a_csv_cell_of_two_megabytes_rejects_the_file_under_reject_file(tmp_path, capsys, orgs):
    # when the same file is imported from the command line, rejecting the whole file
    code, report = cli(tmp_path, capsys, long_cell_csv(), "largo.csv")
    # then no traceback: a report with the row error, and nothing written
    assert code == 1
    assert [(e["row"], e["code"]) for e in report["errors"]] == [(3, "cell_too_large")]
    assert not ActivityRow.objects.exists()


def running_batch(make_user, *, minutes_ago: int) -> ImportBatch:
    batch = ImportBatch.objects.create(
        created_by=make_user("partner-reporter", "organisation:ORGA"),
        filename="grande.xlsx",
        state=ImportBatch.State.RUNNING,
    )
    ImportBatch.objects.filter(pk=batch.pk).update(
        created_at=timezone.now() - dt.timedelta(minutes=minutes_ago)
    )
    return batch


def test_the_worker_fails_imports_whose_process_died_and_the_page_shows_it(
    client, orgs, make_user, monkeypatch
):
    # given an import left running by a process that died ten minutes ago (no heartbeat)
    limits = []
    monkeypatch.setattr(resource, "setrlimit", lambda kind, value: limits.append((kind, value)))
    dead = running_batch(make_user, minutes_ago=10)
    # and one whose process still beats
    alive = running_batch(make_user, minutes_ago=10)
    cache.set(heartbeat_key(alive.pk), time.time(), 600)
    # when the worker starts (django-tasks-db's own loop, which manages its database
    # connections outside the test's transaction, is not what is tested here)
    from puente.site.management.commands import worker

    monkeypatch.setattr(worker.DbWorkerCommand, "handle", lambda self, *a, **o: None)
    call_command("worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    # then it runs under the memory limit
    assert limits and limits[0][0] == resource.RLIMIT_AS
    assert limits[0][1][0] == 4 * 1024 * 1024 * 1024
    # and the dead import is failed, the living one left alone
    dead.refresh_from_db()
    alive.refresh_from_db()
    assert (dead.state, alive.state) == ("failed", "running")
    assert dead.finished_at is not None
    assert [e["code"] for e in dead.report["errors"]] == ["import_died"]
    # and the import's page says so to the partner
    client.force_login(dead.created_by)
    page = client.get(reverse("reporting:batch", args=[dead.pk])).content.decode()
    assert "status-failed" in page and "import_died" in page


def test_an_import_that_just_started_is_not_failed_before_its_first_beat(orgs, make_user):
    batch = running_batch(make_user, minutes_ago=0)
    assert batch_fail_stale() == []
    batch.refresh_from_db()
    assert batch.state == "running"


def test_a_stale_heartbeat_fails_the_import(orgs, make_user, settings):
    batch = running_batch(make_user, minutes_ago=30)
    cache.set(heartbeat_key(batch.pk), time.time() - 3600, 7200)
    assert batch_fail_stale() == [batch.pk]


def test_a_finished_import_leaves_no_heartbeat(client, orgs, make_user):
    client.force_login(make_user("partner-reporter", "organisation:ORGA"))
    upload(client, csv_bytes(as_rows(good_row())), "mayo.csv")
    batch = ImportBatch.objects.get()
    assert batch.state == "done"
    assert cache.get(heartbeat_key(batch.pk)) is None


def test_an_xls_upload_is_always_read_by_the_worker(client, orgs, make_user, monkeypatch):
    # given a small file in the binary XLS format (an OLE container), which is not
    # measured before it is read
    content = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 2000
    queued = []
    monkeypatch.setattr(
        "puente.reporting.views.batch_import_task",
        type("QueuedTask", (), {"enqueue": staticmethod(queued.append)}),
    )
    client.force_login(make_user("partner-reporter", "organisation:ORGA"))
    # when it is uploaded, then the page leaves it to the worker
    upload(client, content, "viejo.xls")
    batch = ImportBatch.objects.get()
    assert (queued, batch.state) == ([batch.pk], "queued")
