"""Admin-2 areas in 5W rows: resolved by P-code or name where the country has a list
(docs/reporting.md, "Admin-2 areas"), kept as written where it has none."""

import pytest

from puente.reference.models import Admin1, Admin2, Country
from puente.reporting.models import ActivityRow
from puente.reporting.tests.conftest import as_rows, good_row
from puente.reporting.tests.test_import_errors import run_cli

pytestmark = pytest.mark.django_db


@pytest.fixture
def colombia_admin2(orgs):
    """Two municipalities of Atlántico and one of Antioquia: Colombia has a list."""
    colombia = Country.objects.get(iso3="COL")
    atlantico = Admin1.objects.get(iso_code="CO-ATL")
    antioquia = Admin1.objects.get(iso_code="CO-ANT")
    for pcode, name, admin1 in (
        ("CO08758", "Soledad", atlantico),
        ("CO08001", "Barranquilla", atlantico),
        ("CO05001", "Medellín", antioquia),
    ):
        Admin2.objects.create(country=colombia, admin1=admin1, pcode=pcode, name=name)
    return orgs


def errors(out):
    return [(e["row"], e["column"], e["code"], e["value"], e["message"]) for e in out["errors"]]


def test_admin2_is_resolved_by_pcode_or_name_ignoring_accents_and_case(
    tmp_path, capsys, colombia_admin2
):
    # given rows naming municipalities by P-code, by name in capitals, and one without
    rows = as_rows(
        good_row(admin2="co08001", indicator="HEA-02"),
        good_row(admin2="SOLEDAD", activity="Vacunación"),
        good_row(admin1="Antioquia", admin2="medellin"),
        good_row(admin2="", activity="Sin municipio"),
    )
    # when
    out = run_cli(tmp_path, capsys, rows)
    # then every row is stored with its area and the area's name
    assert out["errors"] == [] and out["imported"] == 4
    stored = sorted(
        ActivityRow.objects.values_list("admin2", "admin2_area__pcode", "admin1__iso_code")
    )
    assert stored == [
        ("", None, "CO-ATL"),
        ("Barranquilla", "CO08001", "CO-ATL"),
        ("Medellín", "CO05001", "CO-ANT"),
        ("Soledad", "CO08758", "CO-ATL"),
    ]


def test_unknown_admin2_is_refused_naming_the_value_admin1_and_country(
    tmp_path, capsys, colombia_admin2
):
    # given a town that is not in the list, and Medellín put in Atlántico
    rows = as_rows(
        good_row(),
        good_row(admin2="Villa Imaginaria", activity="Otra"),
        good_row(admin2="Medellín", activity="Tercera"),
    )
    out = run_cli(tmp_path, capsys, rows, expect_exit=1)
    assert errors(out) == [
        (
            3,
            "admin2",
            "unknown_admin2",
            "Villa Imaginaria",
            "“Villa Imaginaria” is not an admin-2 area of Atlántico (Colombia).",
        ),
        (
            4,
            "admin2",
            "unknown_admin2",
            "Medellín",
            "“Medellín” is not an admin-2 area of Atlántico (Colombia).",
        ),
    ]
    assert not ActivityRow.objects.exists()


def test_a_pcode_and_a_name_of_one_area_are_the_same_row(tmp_path, capsys, colombia_admin2):
    # given the same activity in Soledad written once by name and once by P-code
    rows = as_rows(good_row(admin2="Soledad"), good_row(admin2="CO08758"))
    out = run_cli(tmp_path, capsys, rows, expect_exit=1)
    assert [(e["row"], e["code"]) for e in out["errors"]] == [(3, "duplicate_row")]


def test_a_country_without_a_list_keeps_the_text(tmp_path, capsys, colombia_admin2):
    # given Peru, which has no admin-2 areas loaded
    rows = as_rows(good_row(country="PER", admin1="Lima", admin2="Distrito de Ninguna Parte"))
    out = run_cli(tmp_path, capsys, rows)
    assert out["errors"] == [] and out["imported"] == 1
    row = ActivityRow.objects.get()
    assert (row.admin2, row.admin2_area_id) == ("Distrito de Ninguna Parte", None)


def test_a_row_stored_before_the_list_is_replaced_when_imported_again(tmp_path, capsys, orgs):
    # given a row of Soledad stored while Colombia had no admin-2 areas
    out = run_cli(tmp_path, capsys, as_rows(good_row(admin2="soledad", total_monthly="100")))
    assert out["imported"] == 1
    # when the list is loaded and the row comes again by P-code with another figure
    Admin2.objects.create(
        country=Country.objects.get(iso3="COL"),
        admin1=Admin1.objects.get(iso_code="CO-ATL"),
        pcode="CO08758",
        name="Soledad",
    )
    out = run_cli(tmp_path, capsys, as_rows(good_row(admin2="CO08758", total_monthly="120")))
    # then the stored row is replaced and now names the area
    assert (out["imported"], out["updated"]) == (0, 1)
    row = ActivityRow.objects.get()
    assert (row.admin2, row.admin2_area.pcode, row.total_monthly) == ("Soledad", "CO08758", 120)
