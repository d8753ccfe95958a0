"""5W files uploaded through the API (`POST /api/5w/imports/`): recorded, queued for
`puente worker`, read back at the batch's URL."""

import csv
import io

import openpyxl
import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from django_tasks_db.management.commands import db_worker
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from puente.reporting.models import ActivityRow, ImportBatch
from puente.reporting.tests.conftest import as_rows, good_row

pytestmark = pytest.mark.django_db


def api(user):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client


def csv_file(*rows: dict, name: str = "5w.csv") -> io.BytesIO:
    text = io.StringIO()
    csv.writer(text).writerows(as_rows(*rows))
    upload = io.BytesIO(text.getvalue().encode())
    upload.name = name
    return upload


def xlsx_file(*rows: dict, name: str = "5w.xlsx") -> io.BytesIO:
    book = openpyxl.Workbook()
    sheet = book.active
    for values in as_rows(*rows):
        sheet.append(values)
    upload = io.BytesIO()
    book.save(upload)
    upload.seek(0)
    upload.name = name
    return upload


def run_worker(monkeypatch) -> None:
    # The worker closes connections it finds out of autocommit: here, the test's own.
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)
    call_command("worker", batch=True, verbosity=0)


@pytest.fixture
def reporter(orgs, make_user):
    return make_user("partner-reporter", "organisation:ORGA")


def test_csv_and_xlsx_are_queued_then_imported_by_the_worker(reporter, monkeypatch):
    client = api(reporter)
    # given two files posted: each answered at once, queued, nothing read yet
    answers = [
        client.post("/api/5w/imports/", {"file": csv_file(good_row(admin2="Soledad"))}),
        client.post(
            "/api/5w/imports/",
            {"file": xlsx_file(good_row(admin2="Malambo"), good_row(admin2="Galapa"))},
        ),
    ]
    for answer in answers:
        assert answer.status_code == 202, answer.json()
        assert answer.json()["state"] == "queued"
        assert answer.json()["report"] is None
        assert answer["Location"] == answer.json()["url"]
    assert ActivityRow.objects.count() == 0
    # when the worker runs
    run_worker(monkeypatch)
    # then each batch is done, with the report the JSON endpoint would have answered
    first, second = (client.get(a.json()["url"]).json() for a in answers)
    assert first["state"] == second["state"] == "done"
    assert first["report"] == {
        "rows": 1,
        "imported": 1,
        "updated": 0,
        "unchanged": 0,
        "errors": [],
        "warnings": [],
    }
    assert second["report"]["imported"] == 2
    assert first["progress"]["phase"] == "done"
    assert sorted(ActivityRow.objects.values_list("admin2", flat=True)) == [
        "Galapa",
        "Malambo",
        "Soledad",
    ]
    assert set(ImportBatch.objects.values_list("source", flat=True)) == {"api"}
    assert all(batch.file for batch in ImportBatch.objects.all())


def test_a_bad_row_is_reported_with_row_and_column_and_nothing_written(reporter, monkeypatch):
    client = api(reporter)
    posted = client.post(
        "/api/5w/imports/",
        {
            "file": csv_file(good_row(admin2="Soledad"), good_row(modality="teleport")),
            "policy": "reject-file",
        },
    )
    assert posted.status_code == 202
    run_worker(monkeypatch)
    status = client.get(posted.json()["url"]).json()
    assert status["state"] == "rejected"
    errors = status["report"]["errors"]
    assert [(e["row"], e["column"], e["code"]) for e in errors] == [
        (3, "modality", "unknown_modality")
    ]
    assert ActivityRow.objects.count() == 0


def test_a_partner_reporter_cannot_import_another_organisations_rows(reporter, monkeypatch):
    client = api(reporter)
    posted = client.post(
        "/api/5w/imports/",
        {"file": csv_file(good_row(appealing_org="ORGB", country="PER", admin1="Lima"))},
    )
    assert posted.status_code == 202
    run_worker(monkeypatch)
    status = client.get(posted.json()["url"]).json()
    assert status["state"] == "rejected"
    assert [e["code"] for e in status["report"]["errors"]] == ["not_allowed"]
    assert ActivityRow.objects.count() == 0


def test_a_viewer_may_not_upload(orgs, make_user):
    client = api(make_user("partner-viewer", "organisation:ORGA"))
    response = client.post("/api/5w/imports/", {"file": csv_file(good_row())})
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
    assert not ImportBatch.objects.exists()


def test_another_users_batch_is_not_found(reporter, orgs, make_user):
    posted = api(reporter).post("/api/5w/imports/", {"file": csv_file(good_row())})
    batch_url = posted.json()["url"]
    # another reporter of another organisation
    stranger = api(make_user("partner-reporter", "organisation:ORGB"))
    response = stranger.get(batch_url)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    # its uploader reads it
    assert api(reporter).get(batch_url).status_code == 200


def test_a_file_above_the_limit_is_refused_and_not_recorded(reporter, settings):
    settings.PUENTE_MAX_IMPORT_BYTES = 100
    with translation.override("en"):
        response = api(reporter).post(
            "/api/5w/imports/", {"file": csv_file(good_row(), good_row(admin2="Malambo"))}
        )
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "file_too_large"
    assert "larger than the limit" in response.json()["error"]["message"]
    assert not ImportBatch.objects.exists()


def test_a_missing_file_or_a_wrong_policy_is_invalid(reporter):
    client = api(reporter)
    missing = client.post("/api/5w/imports/", {"policy": "reject-file"})
    assert missing.status_code == 400
    assert set(missing.json()["error"]["detail"]) == {"file"}
    wrong = client.post("/api/5w/imports/", {"file": csv_file(good_row()), "policy": "maybe"})
    assert wrong.status_code == 400
    assert set(wrong.json()["error"]["detail"]) == {"policy"}
    assert not ImportBatch.objects.exists()


def test_an_unreadable_file_is_rejected_by_the_worker_as_on_the_page(reporter, monkeypatch):
    upload = io.BytesIO(b"not a workbook")
    upload.name = "roto.xlsx"
    client = api(reporter)
    posted = client.post("/api/5w/imports/", {"file": upload})
    assert posted.status_code == 202
    run_worker(monkeypatch)
    status = client.get(posted.json()["url"]).json()
    assert status["state"] == "rejected"
    assert [e["code"] for e in status["report"]["errors"]] == ["not_a_workbook"]


def test_an_upload_is_answered_without_reading_the_organisations_countries(reporter):
    # The upload's gate asks whether the user may report anywhere: the organisation's
    # countries are read by the worker's row checks, not for the answer (month-end peak).
    client = api(reporter)
    with CaptureQueriesContext(connection) as seen:
        answer = client.post("/api/5w/imports/", {"file": csv_file(good_row())})
    assert answer.status_code == 202
    statements = [q["sql"] for q in seen.captured_queries if "SAVEPOINT" not in q["sql"]]
    assert not [sql for sql in statements if "partners_organisation_countries" in sql]
    # the token with its user, the roles with their organisation, the batch, the task
    assert len(statements) == 4, statements
