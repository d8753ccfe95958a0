"""Indicators are reference data of the whole region: only a region-wide reference role
imports them (the command line is the server's operator); a written file is audited."""

import pytest

from puente.core.models import AuditRecord
from puente.core.testing import csv_bytes, run_import
from puente.reference.models import Indicator
from puente.reference.services import indicators_import

pytestmark = pytest.mark.django_db

ROWS = [
    ["code", "sector", "name_en", "unit", "counts_people"],
    ["HEA-TEST-1", "HEA", "People given a test", "people", "yes"],
]


def test_a_regional_admin_imports_indicators_and_it_is_audited(make_user):
    admin = make_user("regional-admin", "region")
    report = indicators_import(source=csv_bytes(ROWS), filename="ind.csv", acting_user=admin)
    assert report.errors == []
    assert Indicator.objects.filter(code="HEA-TEST-1").exists()
    record = AuditRecord.objects.get(action="import.indicators")
    assert (record.actor, record.data["file"], record.data["imported"]) == (admin, "ind.csv", 1)


def test_a_country_officer_cannot_import_indicators(make_user):
    officer = make_user("platform-im-officer", "platform:colombia")
    report = indicators_import(source=csv_bytes(ROWS), filename="ind.csv", acting_user=officer)
    assert [e.code for e in report.errors] == ["import_not_allowed"]
    assert not Indicator.objects.filter(code="HEA-TEST-1").exists()
    assert not AuditRecord.objects.filter(action="import.indicators").exists()


def test_the_command_line_imports_indicators_as_the_operator(tmp_path, capsys):
    assert run_import(tmp_path, capsys, "indicators", ROWS)["imported"] == 1
    record = AuditRecord.objects.get(action="import.indicators")
    assert (record.actor, record.data["via"]) == (None, "command line")
