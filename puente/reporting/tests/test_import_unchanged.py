"""Re-importing an unchanged 5W file writes nothing: its rows are counted as unchanged,
on the CLI, the upload page and the API, and get no history record."""

import io
import json

import pytest
from django.core.management import call_command
from django.urls import reverse
from rest_framework.test import APIClient

from puente.core.testing import csv_bytes
from puente.reporting.models import ActivityRow, ImportBatch, RowChange
from puente.reporting.tests.conftest import as_rows, good_row

pytestmark = pytest.mark.django_db

ROWS = [good_row(), good_row(population_group="in-transit")]


def _cli(tmp_path, capsys, rows, *args):
    path = tmp_path / "5w.csv"
    path.write_bytes(csv_bytes(as_rows(*rows)))
    call_command("import_data", "5w", str(path), *args)
    return capsys.readouterr().out


def test_reimporting_an_unchanged_file_writes_no_history(tmp_path, capsys, orgs):
    # given: the file imported once
    _cli(tmp_path, capsys, ROWS, "--format", "json")
    stamps = list(ActivityRow.objects.order_by("pk").values_list("updated_at", flat=True))
    # when: the same file again
    out = json.loads(_cli(tmp_path, capsys, ROWS, "--format", "json"))
    # then
    assert (out["imported"], out["updated"], out["unchanged"]) == (0, 0, 2)
    assert not RowChange.objects.exists()
    assert list(ActivityRow.objects.order_by("pk").values_list("updated_at", flat=True)) == stamps


def test_the_cli_says_how_many_rows_were_unchanged(tmp_path, capsys, orgs):
    _cli(tmp_path, capsys, ROWS)
    out = _cli(tmp_path, capsys, [good_row(total_monthly="120"), ROWS[1]], "--language", "en")
    assert "2 rows read: 0 created, 1 updated." in out
    assert "1 row was already up to date: nothing written for it." in out


def test_a_dry_run_counts_unchanged_rows(tmp_path, capsys, orgs):
    _cli(tmp_path, capsys, ROWS)
    out = json.loads(_cli(tmp_path, capsys, ROWS, "--format", "json", "--dry-run"))
    assert (out["updated"], out["unchanged"]) == (0, 2)


def test_the_upload_page_and_the_api_report_unchanged_rows(client, orgs, make_user):
    reporter = make_user("partner-reporter", "organisation:ORGA")
    api = APIClient()
    api.force_authenticate(reporter)
    assert api.post("/api/5w/rows/", {"rows": ROWS}, format="json").json()["imported"] == 2
    # the API
    body = api.post("/api/5w/rows/", {"rows": ROWS}, format="json").json()
    assert (body["updated"], body["unchanged"]) == (0, 2)
    # the upload page
    client.force_login(reporter)
    upload = io.BytesIO(csv_bytes(as_rows(*ROWS)))
    upload.name = "5w.csv"
    response = client.post(
        reverse("reporting:upload"),
        {"file": upload, "policy": "reject-file", "status": "submitted"},
        follow=True,
    )
    batch = ImportBatch.objects.order_by("pk").last()
    assert batch.report["unchanged"] == 2
    page = response.content.decode()
    assert "<dt>Rows unchanged</dt><dd>2</dd>" in page
    assert not RowChange.objects.exists()
