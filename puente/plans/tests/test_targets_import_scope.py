"""Targets are set beside the needs analysis: through a service with an acting user,
only for the countries the user may load needs for; a written file is audited."""

import pytest

from puente.core.models import AuditRecord
from puente.core.testing import csv_bytes, run_import
from puente.plans.models import PlanningFigure
from puente.plans.targets import targets_import

pytestmark = pytest.mark.django_db

HEADER = ["year", "country", "sector", "population_group", "people"]


def test_an_officer_sets_targets_of_the_country_and_it_is_audited(make_user):
    officer = make_user("platform-im-officer", "platform:colombia")
    source = csv_bytes([HEADER, [2025, "COL", "HEA", "in-destination", 100]])
    report = targets_import(source=source, filename="metas.csv", acting_user=officer)
    assert report.errors == []
    assert PlanningFigure.objects.get().people == 100
    record = AuditRecord.objects.get(action="import.targets")
    assert (record.actor, record.data["file"], record.data["imported"]) == (
        officer,
        "metas.csv",
        1,
    )


def test_targets_of_another_country_refuse_the_file(make_user):
    officer = make_user("platform-im-officer", "platform:colombia")
    source = csv_bytes(
        [
            HEADER,
            [2025, "COL", "HEA", "in-destination", 100],
            [2025, "PER", "HEA", "in-destination", 50],
        ]
    )
    report = targets_import(source=source, filename="metas.csv", acting_user=officer)
    assert [e.code for e in report.errors] == ["import_not_allowed"]
    assert "Peru" in str(report.errors[0].message)
    assert not PlanningFigure.objects.exists()
    assert not AuditRecord.objects.filter(action="import.targets").exists()


def test_the_command_line_sets_any_target_and_is_audited(tmp_path, capsys):
    out = run_import(
        tmp_path, capsys, "targets", [HEADER, [2025, "PER", "HEA", "in-destination", 5]]
    )
    assert out["imported"] == 1
    assert AuditRecord.objects.get(action="import.targets").data["via"] == "command line"
