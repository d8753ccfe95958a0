import datetime as dt
import json

import pytest
from django.core.management import call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from puente.core.tabular import parse_number
from puente.core.testing import csv_bytes, xlsx_bytes
from puente.reporting.models import ActivityRow, RowChange
from puente.reporting.services.columns import parse_month
from puente.reporting.services.imports import file_import
from puente.reporting.tests.conftest import HEADER, as_rows, good_row, last_month

pytestmark = pytest.mark.django_db


def cli(tmp_path, capsys, content, *args, name="5w.csv"):
    path = tmp_path / name
    path.write_bytes(content)
    try:
        call_command("import_data", "5w", str(path), "--format", "json", *args)
        code = 0
    except SystemExit as exc:
        code = exc.code
    return code, json.loads(capsys.readouterr().out)


def test_imports_a_good_file_with_flexible_values(tmp_path, capsys, orgs):
    rows = as_rows(
        good_row(),
        good_row(
            country="Colômbia",
            admin1="CO-ATL",
            population_group="Comunidad de acogida",
            modality="Transferencias monetarias",
            cva_value_usd="1.234,50",
            total_monthly="1,200",
            new_beneficiaries="1 000",
            girls="250",
            boys="250",
            women="250",
            men="250",
            disability="",
            rmrp_activity="sí",
        ),
        good_row(
            country="ABW",
            admin1="",
            indicator="SHE-03",
            total_monthly="",
            new_beneficiaries="",
            girls="",
            boys="",
            women="",
            men="",
            other="",
            disability="",
            quantity="35",
            modality="in-kind",
        ),
    )
    code, out = cli(tmp_path, capsys, csv_bytes(rows, delimiter=";", encoding="latin-1"))
    assert code == 0, out
    assert out == {
        "rows": 3,
        "imported": 3,
        "updated": 0,
        "unchanged": 0,
        "errors": [],
        "warnings": [],
    }
    cash = ActivityRow.objects.get(modality="cva")
    assert cash.cva_value_usd == pytest.approx(1234.5)
    assert (cash.total_monthly, cash.new_beneficiaries) == (1200, 1000)
    assert cash.population_group.code == "host-community"
    assert cash.implementing_org == cash.appealing_org
    aruba = ActivityRow.objects.get(country__iso3="ABW")
    assert aruba.admin1.iso_code == "AW" and aruba.quantity == 35
    assert aruba.total_monthly is None
    assert ActivityRow.objects.get(modality="service").sector.code == "HEA"


def test_spanish_and_portuguese_headers_and_excel_dates(tmp_path, capsys, orgs):
    spanish = [
        "Mes",
        "País",
        "Departamento",
        "Municipio",
        "Organización solicitante",
        "Organización implementadora",
        "Indicador",
        "Actividad",
        "Actividad RMRP",
        "Modalidad",
        "Valor CVA USD",
        "Mecanismo de entrega",
        "Condicionalidad",
        "Restricción",
        "Grupo poblacional",
        "Cantidad",
        "Total mensual",
        "Nuevos beneficiarios",
        "Niñas",
        "Niños",
        "Mujeres",
        "Hombres",
        "Otro",
        "Discapacidad",
    ]
    month = dt.date.fromisoformat(last_month() + "-15")
    values = [good_row()[h] for h in HEADER]
    values[0] = month
    code, out = cli(tmp_path, capsys, xlsx_bytes([spanish, values]), name="5w.xlsx")
    assert code == 0 and out["imported"] == 1
    assert ActivityRow.objects.get().month == month.replace(day=1)


def test_corrected_file_replaces_rows_and_keeps_history(tmp_path, capsys, orgs):
    cli(tmp_path, capsys, csv_bytes(as_rows(good_row(), good_row(population_group="in-transit"))))
    code, out = cli(
        tmp_path,
        capsys,
        csv_bytes(as_rows(good_row(total_monthly="120"), good_row(population_group="in-transit"))),
    )
    assert code == 0
    assert (out["imported"], out["updated"], out["unchanged"]) == (0, 1, 1)
    assert ActivityRow.objects.count() == 2
    row = ActivityRow.objects.get(population_group__code="in-destination")
    assert row.total_monthly == 120
    change = RowChange.objects.get(row=row, action="import-replace")
    assert change.changes == {"total_monthly": [100, 120]}
    assert not RowChange.objects.filter(row__population_group__code="in-transit").exists()


def test_keep_good_rows_policy_writes_the_valid_rows(tmp_path, capsys, orgs):
    rows = as_rows(good_row(), good_row(country="VEN"), good_row(population_group="pendular"))
    code, out = cli(tmp_path, capsys, csv_bytes(rows), "--policy", "keep-good-rows")
    assert code == 1
    assert (out["rows"], out["imported"]) == (3, 2)
    assert [e["row"] for e in out["errors"]] == [3]
    assert ActivityRow.objects.count() == 2


def test_reject_file_policy_writes_nothing(tmp_path, capsys, orgs):
    code, out = cli(tmp_path, capsys, csv_bytes(as_rows(good_row(), good_row(country="VEN"))))
    assert code == 1 and out["imported"] == 0
    assert not ActivityRow.objects.exists()


def test_dry_run_and_status_validated(tmp_path, capsys, orgs):
    code, out = cli(tmp_path, capsys, csv_bytes(as_rows(good_row())), "--dry-run")
    assert code == 0 and out["imported"] == 1
    assert not ActivityRow.objects.exists()
    cli(tmp_path, capsys, csv_bytes(as_rows(good_row())), "--status", "validated")
    assert ActivityRow.objects.get().status == "validated"


def test_bad_files(tmp_path, capsys, orgs):
    for content, name, expected in [
        (b"", "5w.csv", "empty_file"),
        (b"month,country\n2025-01,COL\n", "5w.csv", "missing_header"),
        (b"garbage", "5w.xlsx", "not_a_workbook"),
        (",".join(HEADER).encode() + b"\n", "5w.csv", "empty_file"),
    ]:
        code, out = cli(tmp_path, capsys, content, name=name)
        assert code == 1 and expected in [e["code"] for e in out["errors"]]
    assert not ActivityRow.objects.exists()


def test_cli_draws_a_progress_bar(tmp_path, capsys, orgs):
    code, _out = cli(tmp_path, capsys, csv_bytes(as_rows(good_row())), "--progress")
    assert code == 0
    # the bar went to stderr, stdout stayed pure JSON
    path = tmp_path / "5w.csv"
    call_command("import_data", "5w", str(path), "--progress")
    assert "100%" in capsys.readouterr().err


@pytest.mark.parametrize(
    "text,expected",
    [
        ("2025-03", "2025-03-01"),
        ("2025-3", "2025-03-01"),
        ("2025-03-17", "2025-03-01"),
        ("17/03/2025", "2025-03-01"),
        ("03/2025", "2025-03-01"),
        ("2025/03", "2025-03-01"),
        (dt.date(2025, 3, 9), "2025-03-01"),
        (dt.datetime(2025, 3, 9, 10), "2025-03-01"),
        ("2025-02-30", None),
        ("marzo", None),
    ],
)
def test_parse_month(text, expected):
    parsed = parse_month(text)
    assert (parsed.isoformat() if parsed else None) == expected


@pytest.mark.parametrize(
    "text,integer,expected",
    [
        ("1,234", True, (1234, None)),
        ("1.234", True, (1234, None)),
        ("1 234", True, (1234, None)),
        ("1.234.567", True, (1234567, None)),
        ("12", True, (12, None)),
        ("", True, (None, None)),
        ("12.5", True, (None, "not_an_integer")),
        ("-3", True, (None, "negative_number")),
        ("abc", True, (None, "not_a_number")),
        (7.0, True, (7, None)),
        ("1.234,50", False, (pytest.approx(1234.5), None)),
        ("1,234.50", False, (pytest.approx(1234.5), None)),
        ("12,5", False, (pytest.approx(12.5), None)),
    ],
)
def test_parse_number(text, integer, expected):
    assert parse_number(text, integer=integer) == expected


cell = st.one_of(
    st.text(max_size=6),
    st.sampled_from(
        ["", "COL", "PER", "ORGA", "HEA-02", "-1", "1,5", "in-transit", "cva", "2025-01"]
    ),
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(st.lists(cell, min_size=len(HEADER), max_size=len(HEADER)), max_size=4), st.booleans()
)
def test_any_file_is_imported_whole_or_rejected_whole(orgs, junk_rows, include_good):
    # given a file mixing good rows and arbitrary ones
    rows = (
        [[good_row(admin2=f"place {i}")[h] for h in HEADER] for i in range(2)]
        if include_good
        else []
    )
    before = ActivityRow.objects.count()
    # when it is imported with the default policy
    report = file_import(source=csv_bytes([HEADER, *rows, *junk_rows]), filename="f.csv")
    after = ActivityRow.objects.count()
    # then either every row was written, or none and there are errors
    if report.errors:
        assert after == before and report.imported == 0
    else:
        assert after - before == report.imported
        assert report.imported + report.updated == report.rows


def _ods_bytes(rows):
    import io

    import pandas as pd

    buffer = io.BytesIO()
    pd.DataFrame(rows[1:], columns=rows[0]).to_excel(buffer, engine="odf", index=False)
    return buffer.getvalue()


def _xls_bytes(rows):
    import io

    import xlwt

    book = xlwt.Workbook()
    sheet = book.add_sheet("5W")
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            sheet.write(r, c, value)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize("builder,name", [(_ods_bytes, "5w.ods"), (_xls_bytes, "5w.xls")])
def test_reads_ods_and_xls_workbooks(tmp_path, capsys, orgs, builder, name):
    code, out = cli(
        tmp_path, capsys, builder(as_rows(good_row(), good_row(admin2="Malambo"))), name=name
    )
    assert code == 0, out
    assert out["imported"] == 2
    assert sorted(ActivityRow.objects.values_list("admin2", flat=True)) == ["Malambo", "Soledad"]
