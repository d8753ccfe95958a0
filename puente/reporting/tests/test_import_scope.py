"""A 5W file writes only rows within the uploader's reporting scope: a row of another
organisation or country is refused (`not_allowed`), and under reject-file the whole file
with it. Every file or API import that writes is audited (who, file name, counts)."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from rest_framework.test import APIClient

from puente.core.models import AuditRecord
from puente.core.testing import csv_bytes
from puente.reporting.models import ActivityRow
from puente.reporting.tests.conftest import as_rows, good_row

pytestmark = pytest.mark.django_db


def _upload(client, *rows, policy="reject-file"):
    upload = SimpleUploadedFile("5w.csv", csv_bytes(as_rows(*rows)), content_type="text/csv")
    return client.post(
        reverse("reporting:upload"),
        {"file": upload, "policy": policy, "status": "submitted"},
        follow=True,
    )


def test_a_reporter_uploads_the_organisations_rows_and_it_is_audited(orgs, client, make_user):
    reporter = make_user("partner-reporter", "organisation:ORGA")
    client.force_login(reporter)
    _upload(client, good_row(), good_row(country="PER", admin1="Lima"))
    assert ActivityRow.objects.count() == 2
    record = AuditRecord.objects.get(action="import.5w")
    assert record.actor == reporter
    assert record.data == {
        "via": "web",
        "file": "5w.csv",
        "rows": 2,
        "imported": 2,
        "updated": 0,
        "unchanged": 0,
    }


def test_a_row_of_another_organisation_refuses_the_file(orgs, client, make_user):
    client.force_login(make_user("partner-reporter", "organisation:ORGA"))
    page = _upload(client, good_row(), good_row(appealing_org="ORGB", country="PER"))
    assert "not_allowed" in page.content.decode()
    assert not ActivityRow.objects.exists()
    assert not AuditRecord.objects.filter(action="import.5w").exists()


def test_an_officer_cannot_report_for_another_country(orgs, client, make_user):
    client.force_login(make_user("platform-im-officer", "platform:colombia"))
    _upload(client, good_row(country="PER", admin1="Lima"))
    assert not ActivityRow.objects.exists()
    assert not AuditRecord.objects.filter(action="import.5w").exists()


def test_keeping_good_rows_audits_only_what_was_written(orgs, client, make_user):
    client.force_login(make_user("partner-reporter", "organisation:ORGA"))
    _upload(
        client,
        good_row(),
        good_row(appealing_org="ORGB", country="PER"),
        policy="keep-good-rows",
    )
    assert ActivityRow.objects.get().appealing_org.acronym == "ORGA"
    record = AuditRecord.objects.get(action="import.5w")
    assert (record.data["rows"], record.data["imported"]) == (2, 1)


def test_rows_posted_to_the_api_are_audited(orgs, make_user):
    reporter = make_user("partner-reporter", "organisation:ORGA")
    api = APIClient()
    api.force_authenticate(reporter)
    response = api.post(reverse("api-5w-rows"), {"rows": [good_row()]}, format="json")
    assert response.status_code == 200
    record = AuditRecord.objects.get(action="import.5w")
    assert (record.actor, record.data["file"]) == (reporter, "api")


def test_the_command_line_is_audited_as_the_operator(orgs, tmp_path, capsys):
    path = tmp_path / "5w.csv"
    path.write_bytes(csv_bytes(as_rows(good_row())))
    call_command("import_data", "5w", str(path), "--format", "json")
    assert json.loads(capsys.readouterr().out)["imported"] == 1
    record = AuditRecord.objects.get(action="import.5w")
    assert (record.actor, record.data["via"], record.data["file"]) == (
        None,
        "command line",
        "5w.csv",
    )
