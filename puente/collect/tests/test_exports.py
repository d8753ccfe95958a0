"""Exports of collected data: `puente forms export` and the download, against files
written by hand for a small form with two versions (a field, a choice and a nested repeat
added in v2), a repeat group, a select_multiple, a geopoint, an `hxl` column and an edit."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from puente.collect.models import Form, Project, Submission
from puente.collect.services.publishing import form_publish
from puente.collect.services.submissions import submission_receive
from puente.collect.tests.conftest import DATA

EXPORTS = DATA / "exports"
EXPECTED = EXPORTS / "expected"
pytestmark = pytest.mark.django_db


def _xml(instance_id: str, version: str, body: str, deprecated: str = "") -> bytes:
    old = f"<deprecatedID>{deprecated}</deprecatedID>" if deprecated else ""
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><data id="exp" version="{version}">{body}'
        f"<meta><instanceID>{instance_id}</instanceID>{old}</meta></data>"
    ).encode()


def _at(instance_id: str, when: str) -> None:
    Submission.objects.filter(instance_id=instance_id).update(
        received_at=dt.datetime.fromisoformat(when)
    )


@pytest.fixture
def exp_form(project: Project, make_user: Any) -> Form:
    """v1 published; a1 (v1, two... one person) sent, b1 (v1) sent and approved; v2
    published; a2 (v2) replaces a1."""
    collector = make_user("data-collector", "project:fm-col", email="collector@example.org")
    for name in ("exp-v1.md",):
        form_publish(
            acting_user=None, project=project, name=name, content=(EXPORTS / name).read_bytes()
        )
    v1 = (
        "<point>p1</point><location>4.5 -72.25 100 5</location><needs>food</needs>"
        "<people><age>30</age></people>"
    )
    submission_receive(
        acting_user=collector, project=project, xml=_xml("uuid:a1", "1", v1), files=[]
    )
    b1 = "<point>=cmd</point><location/><needs/><people><age>40</age></people>"
    submission_receive(acting_user=None, project=project, xml=_xml("uuid:b1", "1", b1), files=[])
    Submission.objects.filter(instance_id="uuid:b1").update(status="approved")
    form_publish(
        acting_user=None,
        project=project,
        name="exp-v2.md",
        content=(EXPORTS / "exp-v2.md").read_bytes(),
    )
    a2 = (
        "<point>p1</point><amount>12.50</amount><location>4.5 -72.25 100 5</location>"
        "<needs>food shelter</needs>"
        "<people><age>31</age><visits><place>Cúcuta</place></visits>"
        "<visits><place>Ipiales</place></visits></people>"
        "<people><age>6</age></people>"
    )
    submission_receive(
        acting_user=collector,
        project=project,
        xml=_xml("uuid:a2", "2", a2, deprecated="uuid:a1"),
        files=[],
    )
    _at("uuid:a1", "2026-03-01T10:00:00+00:00")
    _at("uuid:a2", "2026-03-02T09:30:00+00:00")
    _at("uuid:b1", "2026-03-03T12:00:00+00:00")
    return Form.objects.get(form_id="exp")


def _read(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))


def _number(text: str) -> Any:
    """12.50 and 12.5 alike: a workbook keeps numbers, not how they were written."""
    try:
        return float(text)
    except ValueError:
        return text


def _export(tmp_path: Path, *args: str) -> list[str]:
    out = io.StringIO()
    call_command(
        "forms", "export", "exp", "--project", "fm-col", "--out", str(tmp_path), *args, stdout=out
    )
    return out.getvalue().split()


def test_csv_tables_are_the_expected_files(exp_form: Form, tmp_path: Path) -> None:
    # when
    written = _export(tmp_path, "--format", "csv")
    # then
    names = ["exp.csv", "exp-people.csv", "exp-visits.csv"]
    assert [Path(p).name for p in written] == names
    for name in names:
        assert _read(tmp_path / name) == _read(EXPECTED / name), name


def test_csv_is_utf8_with_bom_and_crlf(exp_form: Form, tmp_path: Path) -> None:
    _export(tmp_path)
    raw = (tmp_path / "exp-visits.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfPARENT_KEY,KEY,place\r\n")
    assert "Cúcuta".encode() in raw


def test_replaced_instance_is_left_out_and_keeps_its_key(exp_form: Form, tmp_path: Path) -> None:
    _export(tmp_path)
    main = _read(tmp_path / "exp.csv")
    assert [row[0] for row in main[2:]] == ["uuid:a1", "uuid:b1"]
    instance = main[0].index("__instance_id")
    assert [row[instance] for row in main[2:]] == ["uuid:a2", "uuid:b1"]
    ages = [row[2] for row in _read(tmp_path / "exp-people.csv")[2:]]
    assert "30" not in ages  # a1's answer, replaced by a2


@pytest.mark.parametrize(
    ("args", "keys"),
    [
        (["--status", "approved"], ["uuid:b1"]),
        (["--status", "received", "approved"], ["uuid:a1", "uuid:b1"]),
        (["--from", "2026-03-03"], ["uuid:b1"]),
        (["--to", "2026-03-02"], ["uuid:a1"]),
        (["--from", "2026-03-02", "--to", "2026-03-02"], ["uuid:a1"]),
    ],
)
def test_status_and_dates_filter_rows(
    exp_form: Form, tmp_path: Path, args: list[str], keys: list[str]
) -> None:
    _export(tmp_path, *args)
    assert [row[0] for row in _read(tmp_path / "exp.csv")[2:]] == keys
    assert {row[0] for row in _read(tmp_path / "exp-people.csv")[2:]} == set(keys)


def test_labels_in_spanish_as_headers(exp_form: Form, tmp_path: Path) -> None:
    _export(tmp_path, "--labels", "es")
    header = _read(tmp_path / "exp.csv")[0]
    assert header[:3] == ["KEY", "Punto", "Monto"]
    assert header[3].startswith("Ubicación (")
    assert header[7:11] == [
        "Necesidades",
        "Necesidades/Alimentos",
        "Necesidades/Agua",
        "Necesidades/Alojamiento",
    ]
    assert _read(tmp_path / "exp-people.csv")[0] == ["PARENT_KEY", "KEY", "Edad"]
    # The hashtag row and the rows do not change with the headers.
    assert _read(tmp_path / "exp.csv")[1:] == _read(EXPECTED / "exp.csv")[1:]


def test_labels_in_a_language_the_form_lacks_are_refused(exp_form: Form, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="fr"):
        _export(tmp_path, "--labels", "fr")
    assert list(tmp_path.glob("exp*")) == []


def test_bad_date_and_unknown_form_are_refused(exp_form: Form, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="2026-13-01"):
        _export(tmp_path, "--from", "2026-13-01")
    with pytest.raises(CommandError, match="nope"):
        call_command("forms", "export", "nope", "--project", "fm-col", "--out", str(tmp_path))


def test_xlsx_one_sheet_per_table_with_numbers(exp_form: Form, tmp_path: Path) -> None:
    # when
    written = _export(tmp_path, "--format", "xlsx")
    # then
    assert [Path(p).name for p in written] == ["exp.xlsx"]
    book = openpyxl.load_workbook(tmp_path / "exp.xlsx", read_only=True)
    assert book.sheetnames == ["exp", "people", "visits"]
    for sheet, name in zip(
        book.sheetnames, ["exp.csv", "exp-people.csv", "exp-visits.csv"], strict=True
    ):
        rows = [
            ["" if v is None else str(v) for v in row]
            for row in book[sheet].iter_rows(values_only=True)
        ]
        expected = _read(EXPECTED / name)
        assert [[_number(v) for v in r] for r in rows] == [
            [_number(v) for v in r] for r in expected
        ], sheet
    main = list(book["exp"].iter_rows(values_only=True))
    assert main[2][2] == 12.5  # a decimal as a number
    assert main[2][3] == 4.5
    assert main[2][8] == 1


def test_form_without_hxl_has_no_hashtag_row(published: Any, tmp_path: Path) -> None:
    from puente.collect.tests.conftest import submission_xml

    submission_receive(
        acting_user=None,
        project=published.form.project,
        xml=submission_xml("uuid:t1"),
        files=[],
    )
    call_command(
        "forms",
        "export",
        "tiny",
        "--project",
        "fm-col",
        "--out",
        str(tmp_path),
        stdout=io.StringIO(),
    )
    rows = _read(tmp_path / "tiny.csv")
    assert rows[0] == [
        "KEY",
        "name",
        "age",
        "photo",
        "town",
        "__instance_id",
        "__received_at",
        "__submitted_by",
        "__status",
        "__version",
    ]
    assert rows[1][:5] == ["uuid:t1", "Ana", "34", "photo.jpg", "cucuta"]
    assert len(rows) == 2


# The download


def _url(**query: str) -> str:
    url = reverse("collect:form_export", kwargs={"project": "fm-col", "form_id": "exp"})
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def _assert_expected_tables(response: Any) -> None:
    """The download is a ZIP of the form's three tables, as the expected files."""
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert sorted(archive.namelist()) == ["exp-people.csv", "exp-visits.csv", "exp.csv"]
    for name in archive.namelist():
        text = archive.read(name).decode("utf-8-sig")
        assert list(csv.reader(io.StringIO(text))) == _read(EXPECTED / name), name


def test_manager_downloads_a_zip_of_the_csv_tables(
    exp_form: Form, client: Any, make_user: Any
) -> None:
    # given
    manager = make_user(email="manager@example.org")
    exp_form.project.managers.add(manager)
    client.force_login(manager)
    # when
    response = client.get(_url(format="csv"))
    # then
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert 'filename="exp.zip"' in response["Content-Disposition"]
    _assert_expected_tables(response)


def test_officer_of_the_country_downloads_the_workbook_with_labels(
    exp_form: Form, client: Any, make_user: Any
) -> None:
    client.force_login(make_user("platform-im-officer", "country:COL"))
    response = client.get(_url(format="xlsx", labels="es"))
    assert response.status_code == 200
    assert 'filename="exp.xlsx"' in response["Content-Disposition"]
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert [c.value for c in book["exp"][1]][:3] == ["KEY", "Punto", "Monto"]


@pytest.mark.parametrize(
    ("role", "scope"),
    [
        ("platform-im-officer", "country:PER"),
        ("data-collector", "project:fm-col"),
        ("partner-viewer", "organisation:FPRU"),
    ],
)
def test_others_are_answered_404(
    exp_form: Form, client: Any, make_user: Any, organisation: Any, role: str, scope: str
) -> None:
    client.force_login(make_user(role, scope))
    assert client.get(_url(format="csv")).status_code == 404


def test_unknown_form_and_bad_query_are_refused(
    exp_form: Form, client: Any, make_user: Any
) -> None:
    client.force_login(make_user("regional-admin", "region"))
    missing = reverse("collect:form_export", kwargs={"project": "fm-col", "form_id": "nope"})
    assert client.get(missing).status_code == 404
    assert client.get(_url(format="pdf")).status_code == 400
    assert client.get(_url(status="lost")).status_code == 400
    assert client.get(_url(**{"from": "yesterday"})).status_code == 400


def test_without_its_workbook_a_version_is_exported_from_its_xform(
    exp_form: Form, tmp_path: Path
) -> None:
    # given: the stored XLSForms are gone (the XForm is kept in the database)
    for version in exp_form.versions.all():
        version.xlsform.delete(save=False)
    # when
    _export(tmp_path)
    # then: the same rows under the field names, without choice columns nor hashtags
    main = _read(tmp_path / "exp.csv")
    assert main[0] == [
        "KEY",
        "point",
        "amount",
        "location-Latitude",
        "location-Longitude",
        "location-Altitude",
        "location-Accuracy",
        "needs",
        "__instance_id",
        "__received_at",
        "__submitted_by",
        "__status",
        "__version",
    ]
    assert main[1][:8] == ["uuid:a1", "p1", "12.50", "4.5", "-72.25", "100", "5", "food shelter"]
    assert _read(tmp_path / "exp-visits.csv") == [
        row for i, row in enumerate(_read(EXPECTED / "exp-visits.csv")) if i != 1
    ]


# A download larger than the page makes while waiting: written by the worker


def _run_worker(monkeypatch: Any) -> None:
    from django_tasks_db.management.commands import db_worker

    # The worker closes connections it finds out of autocommit: here, the test's own.
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)
    call_command("worker", batch=True, verbosity=0)


@pytest.fixture
def officer(exp_form: Form, make_user: Any, settings: Any) -> Any:
    settings.PUENTE_INLINE_EXPORT_SUBMISSIONS = 1  # the form's 2 current submissions: large
    return make_user("platform-im-officer", "country:COL", email="officer@example.org")


def test_a_large_export_is_written_by_the_worker_and_offered_on_its_page(
    exp_form: Form, officer: Any, client: Any, monkeypatch: Any
) -> None:
    # given an officer asking for the tables of a form too large to export at once
    client.force_login(officer)
    response = client.get(_url(format="csv"))
    # then they are sent to the export's page, which waits for the worker
    assert response.status_code == 302
    export = exp_form.exports.get()
    assert response["Location"] == reverse("collect:export_detail", args=[export.pk])
    assert (export.state, export.submissions, export.requested_by) == ("queued", 2, officer)
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert b'http-equiv="refresh"' in page.content
    assert b'id="export-download"' not in page.content
    download = reverse("collect:export_download", args=[export.pk])
    assert client.get(download)["Location"] == response["Location"]  # not ready: back
    # when the worker runs
    _run_worker(monkeypatch)
    # then the page offers the file, the same tables as a download made at once
    page = client.get(response["Location"])
    assert b'http-equiv="refresh"' not in page.content
    assert f'href="{download}"'.encode() in page.content
    file = client.get(download)
    assert file.status_code == 200
    assert file["Content-Type"] == "application/zip"
    assert 'filename="exp.zip"' in file["Content-Disposition"]
    _assert_expected_tables(file)
    # and the form's page lists it
    listed = client.get(reverse("collect:form_submissions", args=["fm-col", "exp"]))
    assert f'href="{response["Location"]}"'.encode() in listed.content


def test_a_background_export_keeps_the_filters_labels_and_the_asker_s_language(
    exp_form: Form, officer: Any, client: Any, monkeypatch: Any, settings: Any
) -> None:
    # given an officer reading Spanish asking for the received submissions, labels in Spanish
    settings.PUENTE_INLINE_EXPORT_SUBMISSIONS = 0
    client.force_login(officer)
    client.cookies["django_language"] = "es"
    response = client.get(_url(format="xlsx", labels="es", status="received"))
    assert response.status_code == 302
    export = exp_form.exports.get()
    assert (export.statuses, export.labels, export.language) == (["received"], "es", "es")
    # when the worker writes it
    _run_worker(monkeypatch)
    file = client.get(reverse("collect:export_download", args=[export.pk]))
    # then the workbook holds the received submission alone, headed in Spanish
    book = openpyxl.load_workbook(io.BytesIO(b"".join(file.streaming_content)))
    rows = list(book["exp"].iter_rows(values_only=True))
    assert list(rows[0][:3]) == ["KEY", "Punto", "Monto"]
    # (under the HXL hashtags) a2 alone, keyed by its chain's first instance ID
    assert [row[0] for row in rows[2:]] == ["uuid:a1"]


def test_an_export_is_seen_by_whoever_asked_for_it_only(
    exp_form: Form, officer: Any, client: Any, make_user: Any, monkeypatch: Any
) -> None:
    # given an export an officer asked for, written
    client.force_login(officer)
    client.get(_url(format="csv"))
    export = exp_form.exports.get()
    _run_worker(monkeypatch)
    pages = [
        reverse("collect:export_detail", args=[export.pk]),
        reverse("collect:export_download", args=[export.pk]),
    ]
    # then another officer of the same country, who sees the same data, gets 404
    client.force_login(make_user("platform-im-officer", "country:COL"))
    assert [client.get(page).status_code for page in pages] == [404, 404]
    # and so does the officer who asked, once they no longer see the project's data
    officer.role_assignments.all().delete()
    client.force_login(officer)
    assert [client.get(page).status_code for page in pages] == [404, 404]


def test_an_export_asked_for_by_someone_who_lost_access_is_not_written(
    exp_form: Form, officer: Any, client: Any, monkeypatch: Any
) -> None:
    client.force_login(officer)
    client.get(_url(format="csv"))
    officer.role_assignments.all().delete()
    _run_worker(monkeypatch)
    export = exp_form.exports.get()
    assert (export.state, bool(export.file)) == ("failed", False)
    assert export.error == "You no longer see this project's data."


def test_an_export_whose_task_failed_shows_the_failure(
    exp_form: Form, officer: Any, client: Any
) -> None:
    from django_tasks_db.models import DBTaskResult

    from puente.core.task_recovery import WorkerDied

    # given an export whose worker died on its last attempt (task_recovery fails it)
    client.force_login(officer)
    page = client.get(_url(format="csv"))["Location"]
    DBTaskResult.objects.get().set_failed(WorkerDied("worker w1 stopped"))
    # then its page says so instead of waiting for ever
    response = client.get(page)
    assert b'http-equiv="refresh"' not in response.content
    assert b"The export could not be written. Ask for it again." in response.content
    assert exp_form.exports.get().state == "failed"


def test_exports_expire_with_their_files(
    exp_form: Form, officer: Any, client: Any, monkeypatch: Any, settings: Any
) -> None:
    from django.core.files.storage import default_storage

    from puente.collect.models import FormExport

    # given an export written two days ago
    client.force_login(officer)
    client.get(_url(format="csv"))
    _run_worker(monkeypatch)
    old = FormExport.objects.get()
    assert default_storage.exists(old.file.name)
    FormExport.objects.filter(pk=old.pk).update(
        created_at=old.created_at - dt.timedelta(hours=settings.PUENTE_EXPORT_KEEP_HOURS + 1)
    )
    # when another export is asked for
    client.get(_url(format="xlsx"))
    # then the old one is gone, its file too, and the new one is queued
    assert list(FormExport.objects.values_list("file_format", "state")) == [("xlsx", "queued")]
    assert not default_storage.exists(old.file.name)
    assert client.get(reverse("collect:export_detail", args=[old.pk])).status_code == 404


def test_a_small_export_is_still_made_at_once(
    exp_form: Form, officer: Any, client: Any, settings: Any
) -> None:
    settings.PUENTE_INLINE_EXPORT_SUBMISSIONS = 2
    client.force_login(officer)
    response = client.get(_url(format="csv"))
    assert response.status_code == 200
    assert not exp_form.exports.exists()


def test_the_form_s_page_offers_the_download_with_its_filters(
    exp_form: Form, officer: Any, client: Any
) -> None:
    client.force_login(officer)
    client.cookies["django_language"] = "es"
    page = client.get(
        reverse("collect:form_submissions", args=["fm-col", "exp"]),
        {"received_from": "2026-03-02", "status": "received"},
    ).content.decode()
    assert f'action="{_url()}"' in page
    assert '<input type="hidden" name="from" value="2026-03-02">' in page
    assert '<input type="hidden" name="status" value="received">' in page
    assert 'name="to"' not in page
    assert '<option value="es">' in page  # the form's labels are in Spanish
