"""Each error code of the 5W import, with a minimal file, through the CLI's JSON contract."""

import datetime as dt
import json

import pytest
from django.core.management import call_command

from puente.core.testing import csv_bytes
from puente.reference.models import Country
from puente.reporting.models import ActivityRow, PeriodLock
from puente.reporting.tests.conftest import as_rows, good_row, last_month

pytestmark = pytest.mark.django_db


def run_cli(tmp_path, capsys, rows, *args, expect_exit=None):
    path = tmp_path / "5w.csv"
    path.write_bytes(csv_bytes(rows))
    if expect_exit is None:
        call_command("import_data", "5w", str(path), "--format", "json", *args)
    else:
        with pytest.raises(SystemExit) as exc_info:
            call_command("import_data", "5w", str(path), "--format", "json", *args)
        assert exc_info.value.code == expect_exit
    return json.loads(capsys.readouterr().out)


def next_month():
    first = dt.date.today().replace(day=1)
    return (first + dt.timedelta(days=32)).strftime("%Y-%m")


CASES = [
    ("missing_required", "indicator", good_row(indicator="")),
    ("missing_required", "admin1", good_row(admin1="")),
    ("missing_required", "total_monthly", good_row(total_monthly="")),
    (
        "missing_required",
        "quantity",
        good_row(
            indicator="HEA-01",
            total_monthly="",
            new_beneficiaries="",
            girls="",
            boys="",
            women="",
            men="",
            other="",
            disability="",
        ),
    ),
    ("invalid_month", "month", good_row(month="March")),
    ("invalid_month", "month", good_row(month="2025-13")),
    ("month_in_future", "month", good_row(month=next_month())),
    ("unknown_country", "country", good_row(country="VEN")),
    ("unknown_admin1", "admin1", good_row(admin1="Narnia")),
    ("admin1_not_in_country", "admin1", good_row(admin1="Lima")),
    ("unknown_org", "appealing_org", good_row(appealing_org="NOPE")),
    ("unknown_org", "implementing_org", good_row(implementing_org="NOPE")),
    ("org_not_in_country", "appealing_org", good_row(appealing_org="ORGB")),
    ("unknown_indicator", "indicator", good_row(indicator="XYZ-99")),
    ("unknown_population_group", "population_group", good_row(population_group="tourists")),
    ("unknown_modality", "modality", good_row(modality="teleport")),
    ("invalid_yes_no", "rmrp_activity", good_row(rmrp_activity="maybe")),
    ("not_a_number", "total_monthly", good_row(total_monthly="many")),
    ("negative_number", "girls", good_row(girls="-1", boys="21")),
    ("not_an_integer", "women", good_row(women="10.5")),
    ("new_exceeds_total", "new_beneficiaries", good_row(total_monthly="30")),
    ("breakdown_mismatch", "new_beneficiaries", good_row(girls="11")),
    ("disability_exceeds_new", "disability", good_row(disability="41")),
    ("cva_value_required", "cva_value_usd", good_row(modality="cva")),
]


@pytest.mark.parametrize("code,column,row", CASES, ids=[f"{c}-{col}" for c, col, _r in CASES])
def test_each_error_code_names_row_column_and_value(tmp_path, capsys, orgs, code, column, row):
    out = run_cli(tmp_path, capsys, as_rows(good_row(admin2="other place"), row), expect_exit=1)
    found = [(e["row"], e["column"], e["code"]) for e in out["errors"]]
    assert (3, column, code) in found
    assert all(e["row"] == 3 for e in out["errors"])
    error = next(e for e in out["errors"] if e["code"] == code)
    assert error["value"] == str(row.get(column, ""))
    assert error["message"]
    assert (out["rows"], out["imported"], out["updated"]) == (2, 0, 0)
    assert not ActivityRow.objects.exists()


def test_duplicate_row_in_one_file(tmp_path, capsys, orgs):
    out = run_cli(
        tmp_path,
        capsys,
        as_rows(good_row(), good_row(activity="atención  primaria")),
        expect_exit=1,
    )
    assert [(e["row"], e["code"]) for e in out["errors"]] == [(3, "duplicate_row")]


def test_period_locked(tmp_path, capsys, orgs):
    month = dt.date.fromisoformat(last_month() + "-01")
    PeriodLock.objects.create(country=Country.objects.get(iso3="COL"), month=month)
    out = run_cli(tmp_path, capsys, as_rows(good_row()), expect_exit=1)
    assert [(e["row"], e["column"], e["code"]) for e in out["errors"]] == [
        (2, "month", "period_locked")
    ]


def test_errors_come_in_the_requested_language(tmp_path, capsys, orgs):
    out = run_cli(
        tmp_path, capsys, as_rows(good_row(country="VEN")), "--language", "pt", expect_exit=1
    )
    assert out["errors"][0]["message"] == "“VEN” não é um dos países da resposta."


def test_warns_about_a_figure_far_above_the_usual(tmp_path, capsys, orgs):
    # given three validated months around 100 people
    first = dt.date.fromisoformat(last_month() + "-01")
    months = [(first - dt.timedelta(days=31 * n)).strftime("%Y-%m") for n in (1, 2, 3)]
    blank = dict.fromkeys(["girls", "boys", "women", "men", "other", "disability"], "")
    rows = [good_row(month=m, new_beneficiaries="0", **blank) for m in months]
    run_cli(tmp_path, capsys, as_rows(*rows), "--status", "validated")
    # when a month reports 5,000
    out = run_cli(tmp_path, capsys, as_rows(good_row(total_monthly="5.000")))
    # then it is imported with a warning
    assert out["imported"] == 1 and out["errors"] == []
    assert [(w["row"], w["code"]) for w in out["warnings"]] == [(2, "outlier")]


def _need(people: int, admin1: str | None = None):
    from puente.needs.models import NeedFigure
    from puente.reference.models import Admin1, PopulationGroup, Sector

    month = dt.date.fromisoformat(last_month() + "-01")
    country = Country.objects.get(iso3="COL")
    NeedFigure.objects.create(
        year=month.year,
        country=country,
        admin1=Admin1.objects.get(country=country, name=admin1) if admin1 else None,
        sector=Sector.objects.get(code="HEA"),
        population_group=PopulationGroup.objects.get(code="in-destination"),
        people_in_need=people,
    )


def test_warns_about_reach_above_people_in_need(tmp_path, capsys, orgs):
    # given 90 people in need of health in Colombia, country-wide
    _need(90)
    # when a row reports 100 and another 80
    out = run_cli(
        tmp_path, capsys, as_rows(good_row(), good_row(total_monthly="80", admin2="Malambo"))
    )
    # then the rows are kept, and the first is flagged
    assert out["imported"] == 2
    assert [(w["row"], w["code"]) for w in out["warnings"]] == [(2, "above_people_in_need")]


def test_compares_reach_with_the_need_of_its_admin1_area(tmp_path, capsys, orgs):
    # given the need of Atlántico (50) and of another area (1000)
    _need(50, admin1="Atlántico")
    _need(1000, admin1="Antioquia")
    # when a row in Atlántico reaches 80 people
    out = run_cli(tmp_path, capsys, as_rows(good_row(total_monthly="80")))
    # then it is above Atlántico's need, though below the country's 1,050
    assert [(w["row"], w["code"]) for w in out["warnings"]] == [(2, "above_people_in_need")]
    assert "Atlántico" in out["warnings"][0]["message"]
