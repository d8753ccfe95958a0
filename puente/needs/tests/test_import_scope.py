"""Needs and population files write only the countries the uploader may load needs for:
one figure of another country and the whole file is refused, naming it; a written file
is audited (who, kind, file name, counts)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from puente.core.models import AuditRecord
from puente.core.testing import csv_bytes, run_import
from puente.needs.models import NeedFigure, PopulationFigure

pytestmark = pytest.mark.django_db

NEEDS = ["year", "country", "admin1", "sector", "population_group", "people_in_need"]
POPULATION = ["year", "country", "population_group", "population"]


def _upload(client, kind, rows, name):
    upload = SimpleUploadedFile(name, csv_bytes(rows), content_type="text/csv")
    return client.post(reverse("needs:needs"), {"import_kind": kind, "file": upload})


def test_needs_of_the_officers_country_are_loaded_and_audited(client, make_user):
    # given
    officer = make_user("platform-im-officer", "platform:colombia")
    client.force_login(officer)
    # when
    _upload(client, "needs", [NEEDS, [2025, "COL", "", "HEA", "in-destination", 10]], "rmna.csv")
    # then
    assert NeedFigure.objects.get().people_in_need == 10
    record = AuditRecord.objects.get(action="import.needs")
    assert record.actor == officer
    assert record.data == {
        "via": "web",
        "file": "rmna.csv",
        "rows": 1,
        "imported": 1,
        "updated": 0,
        "unchanged": 0,
    }


def test_needs_of_another_country_refuse_the_whole_file(client, make_user):
    client.force_login(make_user("platform-im-officer", "platform:colombia"))
    rows = [
        NEEDS,
        [2025, "COL", "", "HEA", "in-destination", 10],
        [2025, "PER", "", "HEA", "in-destination", 5],
    ]
    page = _upload(client, "needs", rows, "rmna.csv").content.decode()
    assert "import_not_allowed" in page
    assert "Peru" in page
    assert not NeedFigure.objects.exists()
    assert not AuditRecord.objects.filter(action="import.needs").exists()


def test_population_of_another_country_is_refused(client, make_user):
    client.force_login(make_user("platform-im-officer", "country:COL"))
    page = _upload(
        client, "population", [POPULATION, [2025, "ECU", "in-destination", 100]], "pop.csv"
    ).content.decode()
    assert "import_not_allowed" in page
    assert not PopulationFigure.objects.exists()
    assert not AuditRecord.objects.filter(action="import.population").exists()


def test_population_in_scope_is_loaded_and_audited(client, make_user):
    officer = make_user("platform-im-officer", "country:COL")
    client.force_login(officer)
    _upload(client, "population", [POPULATION, [2025, "COL", "in-destination", 100]], "pop.csv")
    assert PopulationFigure.objects.get().population == 100
    record = AuditRecord.objects.get(action="import.population")
    assert (record.actor, record.data["file"], record.data["imported"]) == (officer, "pop.csv", 1)


def test_the_needs_service_refuses_a_user_without_the_role(make_user, organisation):
    from puente.needs.services import needs_import

    viewer = make_user("partner-viewer", "organisation:FPRU")
    source = csv_bytes([NEEDS, [2025, "COL", "", "HEA", "in-destination", 10]])
    report = needs_import(source=source, filename="rmna.csv", acting_user=viewer)
    assert [e.code for e in report.errors] == ["import_not_allowed"]
    assert not NeedFigure.objects.exists()


def test_the_command_line_loads_any_country_and_is_audited(tmp_path, capsys):
    out = run_import(
        tmp_path, capsys, "needs", [NEEDS, [2025, "PER", "", "HEA", "in-destination", 5]]
    )
    assert out["imported"] == 1
    record = AuditRecord.objects.get(action="import.needs")
    assert (record.actor, record.data["via"]) == (None, "command line")
