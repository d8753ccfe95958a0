"""Where a population group applies and when and where an indicator is in force, as the
5W validation checks them (docs/methodology.md, "Where each population group and
indicator applies")."""

import pytest

from puente.partners.models import Organisation
from puente.reference.models import Country, Indicator, Platform
from puente.reporting.models import ActivityRow
from puente.reporting.tests.conftest import as_rows, good_row
from puente.reporting.tests.test_import_errors import run_cli

pytestmark = pytest.mark.django_db


@pytest.fixture
def orgs_south(orgs):
    """ORGA (Colombia, Peru, Aruba) and ORGP, which works in Paraguay."""
    paraguay = Organisation.objects.create(
        name="Organización Paraguaya", acronym="ORGP", type="national-ngo", appealing=True
    )
    paraguay.countries.set(Country.objects.filter(iso3="PRY"))
    return orgs


def errors(out):
    return [(e["row"], e["column"], e["code"], e["message"]) for e in out["errors"]]


def test_colombian_returnees_in_paraguay_are_refused_naming_row_and_column(
    tmp_path, capsys, orgs_south
):
    # given a file whose second data row reports Colombian returnees in Paraguay
    rows = as_rows(
        good_row(),
        good_row(
            country="PRY",
            admin1="Asunción",
            appealing_org="ORGP",
            population_group="Colombian returnees",
        ),
    )
    # when it is imported
    out = run_cli(tmp_path, capsys, rows, expect_exit=1)
    # then row 3 is refused on its population group, naming the group and the country
    assert errors(out) == [
        (
            3,
            "population_group",
            "population_group_not_in_country",
            "“Colombian returnees” is not a population group of Paraguay.",
        )
    ]
    assert out["errors"][0]["value"] == "Colombian returnees"
    assert not ActivityRow.objects.exists()


def test_colombian_returnees_in_colombia_pass(tmp_path, capsys, orgs_south):
    out = run_cli(tmp_path, capsys, as_rows(good_row(population_group="colombian-returnees")))
    assert out["errors"] == [] and out["imported"] == 1
    assert ActivityRow.objects.get().population_group.code == "colombian-returnees"


def test_people_in_transit_are_refused_in_the_caribbean_and_pass_in_peru(
    tmp_path, capsys, orgs_south
):
    rows = as_rows(
        good_row(country="ABW", admin1="", population_group="in-transit"),
        good_row(country="PER", admin1="Lima", population_group="in-transit"),
    )
    out = run_cli(tmp_path, capsys, rows, expect_exit=1)
    assert [(r, c, code) for r, c, code, _m in errors(out)] == [
        (2, "population_group", "population_group_not_in_country")
    ]


def test_a_group_follows_a_changed_reference(tmp_path, capsys, orgs_south):
    # given a regional admin who added Paraguay to the Colombian returnees' countries
    from puente.reference.models import PopulationGroup

    PopulationGroup.objects.get(code="colombian-returnees").countries.add(
        Country.objects.get(iso3="PRY")
    )
    row = good_row(
        country="PRY",
        admin1="Asunción",
        appealing_org="ORGP",
        population_group="colombian-returnees",
    )
    out = run_cli(tmp_path, capsys, as_rows(row))
    assert out["errors"] == [] and out["imported"] == 1


def test_an_indicator_in_force_from_2026_is_refused_for_a_2025_row(tmp_path, capsys, orgs):
    # given HEA-02 in force from 2026 only
    Indicator.objects.filter(code="HEA-02").update(first_year=2026, last_year=None)
    rows = as_rows(good_row(month="2025-06"), good_row(month="2026-03"))
    out = run_cli(tmp_path, capsys, rows, expect_exit=1)
    assert errors(out) == [
        (
            2,
            "indicator",
            "indicator_not_in_force",
            "HEA-02 is not in force in Colombia in 2025.",
        )
    ]
    assert out["errors"][0]["value"] == "HEA-02"


def test_the_shipped_indicators_are_in_force_2025_and_2026_only(tmp_path, capsys, orgs):
    rows = as_rows(good_row(month="2024-12"), good_row(month="2025-01"))
    out = run_cli(tmp_path, capsys, rows, expect_exit=1)
    assert [(r, c, code) for r, c, code, _m in errors(out)] == [
        (2, "indicator", "indicator_not_in_force")
    ]


def test_an_indicator_of_some_platforms_and_countries_is_refused_elsewhere(tmp_path, capsys, orgs):
    # given HEA-02 kept by the Caribbean platform and by Peru
    indicator = Indicator.objects.get(code="HEA-02")
    indicator.platforms.set(Platform.objects.filter(code="caribbean"))
    indicator.countries.set(Country.objects.filter(iso3="PER"))
    rows = as_rows(
        good_row(),  # Colombia: refused
        good_row(country="PER", admin1="Lima"),
        good_row(country="ABW", admin1=""),  # Aruba, of the Caribbean platform
    )
    out = run_cli(tmp_path, capsys, rows, expect_exit=1)
    assert errors(out) == [
        (
            2,
            "indicator",
            "indicator_not_in_force",
            "HEA-02 is not in force in Colombia in " + good_row()["month"][:4] + ".",
        )
    ]


def test_a_countrys_template_offers_only_its_groups_and_indicators(client, orgs, make_user):
    # given HEA-02 kept by Peru only
    import io

    import openpyxl
    from django.urls import reverse

    Indicator.objects.get(code="HEA-02").countries.set(Country.objects.filter(iso3="PER"))
    client.force_login(make_user("partner-reporter", "organisation:ORGA"))

    def lists(iso3):
        response = client.get(reverse("reporting:template", args=[iso3]))
        sheet = openpyxl.load_workbook(io.BytesIO(response.content))["lists"]
        columns = {
            column[0].value: [c.value for c in column[1:] if c.value] for column in sheet.columns
        }
        return columns["population_group"], columns["indicator"]

    # when Trinidad and Tobago's and Colombia's templates are downloaded
    tto_groups, tto_indicators = lists("TTO")
    col_groups, col_indicators = lists("COL")
    # then each offers the groups that apply there and the indicators in force there
    assert tto_groups == ["in-destination", "host-community"]
    assert col_groups == [
        "in-destination",
        "in-transit",
        "pendular",
        "colombian-returnees",
        "host-community",
    ]
    assert "HEA-02" not in col_indicators and "HEA-01" in col_indicators
    assert len(col_indicators) == Indicator.objects.count() - 1
