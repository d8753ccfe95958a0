"""Where each population group applies and when and where each indicator is in force:
the shipped reference data, the regional admin's page, and the indicator registry as a
file that goes out and comes back."""

import io

import openpyxl
import pytest
from django.urls import reverse

from puente.core.errors import PermissionDenied
from puente.core.exports import csv_bytes
from puente.core.models import AuditRecord
from puente.reference.models import Country, Indicator, PopulationGroup
from puente.reference.services import (
    indicators_import,
    indicators_table,
    population_group_countries_set,
    reference_load,
)

pytestmark = pytest.mark.django_db

CARIBBEAN = {"ABW", "CUW", "DOM", "GUY", "TTO"}


def countries_of(code: str) -> set[str]:
    return set(PopulationGroup.objects.get(code=code).countries.values_list("iso3", flat=True))


def test_shipped_groups_apply_where_the_appeal_says():
    every = set(Country.objects.values_list("iso3", flat=True))
    assert len(every) == 17
    assert countries_of("in-transit") == every - CARIBBEAN  # 12 countries
    assert "TTO" not in countries_of("in-transit") and "PRY" in countries_of("in-transit")
    assert countries_of("colombian-returnees") == {"COL"}
    assert countries_of("pendular") == {"COL"}
    assert countries_of("in-destination") == every
    assert countries_of("host-community") == every


def test_shipped_indicators_are_in_force_from_2025_everywhere():
    # From the RMRP 2025-2026 cycle on, until a later cycle's registry gives them an end.
    indicators = Indicator.objects.all()
    assert indicators.count() == 43
    assert set(indicators.values_list("first_year", "last_year")) == {(2025, None)}
    assert not Indicator.countries.through.objects.exists()
    assert not Indicator.platforms.through.objects.exists()


def test_a_reload_keeps_the_regional_admins_choice(make_user):
    # given a regional admin who limits in-transit to Panama and Colombia
    admin = make_user("regional-admin", "region")
    group = PopulationGroup.objects.get(code="in-transit")
    changed = population_group_countries_set(
        acting_user=admin,
        group=group,
        countries=list(Country.objects.filter(iso3__in=["PAN", "COL"])),
    )
    # when the reference data is loaded again
    reference_load(boundaries=None)
    # then the choice stays, and it was audited with before and after
    assert changed is True
    assert countries_of("in-transit") == {"PAN", "COL"}
    record = AuditRecord.objects.get(action="population_group.countries")
    assert record.actor == admin
    assert record.data["after"] == ["COL", "PAN"]
    assert len(record.data["before"]) == 12


def test_a_country_im_officer_may_not_change_where_a_group_applies(make_user):
    officer = make_user("platform-im-officer", "country:COL")
    group = PopulationGroup.objects.get(code="colombian-returnees")
    with pytest.raises(PermissionDenied):
        population_group_countries_set(
            acting_user=officer, group=group, countries=list(Country.objects.all())
        )
    assert countries_of("colombian-returnees") == {"COL"}


def test_the_regional_admin_changes_a_group_on_its_page(client, make_user):
    client.force_login(make_user("regional-admin", "region"))
    url = reverse("reference:population_group_edit", args=["colombian-returnees"])
    page = client.get(url).content.decode()
    assert 'name="countries"' in page and "Paraguay" in page
    ecuador, colombia = Country.objects.get(iso3="ECU"), Country.objects.get(iso3="COL")
    response = client.post(url, {"countries": [colombia.pk, ecuador.pk]})
    assert response.status_code == 302
    assert countries_of("colombian-returnees") == {"COL", "ECU"}
    listing = client.get(reverse("reference:population_groups")).content.decode()
    assert "Colombia, Ecuador" in listing


def test_a_group_needs_at_least_one_country(client, make_user):
    client.force_login(make_user("regional-admin", "region"))
    url = reverse("reference:population_group_edit", args=["pendular"])
    response = client.post(url, {})
    assert response.status_code == 200
    assert "Choose at least one country." in response.content.decode()
    assert countries_of("pendular") == {"COL"}


def test_a_country_im_officer_gets_403_on_the_edit_page(client, make_user):
    client.force_login(make_user("platform-im-officer", "country:COL"))
    url = reverse("reference:population_group_edit", args=["pendular"])
    assert client.get(url).status_code == 403
    peru = Country.objects.get(iso3="PER")
    assert client.post(url, {"countries": [peru.pk]}).status_code == 403
    assert countries_of("pendular") == {"COL"}
    listing = client.get(reverse("reference:population_groups")).content.decode()
    assert "Pendular" in listing and url not in listing


def _table_file() -> bytes:
    headers, rows = indicators_table()
    return csv_bytes(headers, rows)


def test_the_registry_goes_out_and_comes_back_unchanged():
    # given one indicator kept by the Caribbean platform and Peru from 2026 on
    indicator = Indicator.objects.get(code="HEA-02")
    indicator.first_year, indicator.last_year = 2026, None
    indicator.save()
    indicator.platforms.set(indicator.platforms.model.objects.filter(code="caribbean"))
    indicator.countries.set(Country.objects.filter(iso3__in=["PER", "ECU"]))
    content = _table_file()
    # when the exported file is imported again
    report = indicators_import(source=content, filename="indicators.csv", audit=False)
    # then nothing changes, and the file says what the registry says
    assert report.errors == []
    assert (report.rows, report.imported, report.updated) == (43, 0, 0)
    text = content.decode("utf-8-sig")
    header = text.splitlines()[0].split(",")
    assert header[-4:] == ["first_year", "last_year", "countries", "platforms"]
    line = next(line for line in text.splitlines() if line.startswith("HEA-02,"))
    assert line.endswith(",2026,,ECU;PER,caribbean")
    assert _table_file() == content


def test_an_edited_registry_file_changes_years_countries_and_platforms():
    # given the exported registry with EDU-01 limited to Brazil and the Southern Cone
    # from 2025 to 2025
    text = _table_file().decode("utf-8-sig")
    lines = [
        line.replace(",2025,,,", ",2025,2025,Brasil,Southern Cone Sub-regional Platform")
        if line.startswith("EDU-01,")
        else line
        for line in text.splitlines()
    ]
    # when it is imported
    report = indicators_import(
        source="\n".join(lines).encode(), filename="indicators.csv", audit=False
    )
    # then only EDU-01 changed
    assert report.errors == [] and (report.imported, report.updated) == (0, 1)
    indicator = Indicator.objects.get(code="EDU-01")
    assert (indicator.first_year, indicator.last_year) == (2025, 2025)
    assert list(indicator.countries.values_list("iso3", flat=True)) == ["BRA"]
    assert list(indicator.platforms.values_list("code", flat=True)) == ["southern-cone"]


def test_the_registry_downloads_as_xlsx(client, make_user):
    client.force_login(make_user("cfm-operator", "country:COL"))
    response = client.get(reverse("reference:indicators_export", args=["xlsx"]))
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.values)
    assert rows[0][-4:] == ("first_year", "last_year", "countries", "platforms")
    assert len(rows) == 44
    assert client.get(reverse("reference:indicators_export", args=["pdf"])).status_code == 404


@pytest.mark.parametrize(
    ("cells", "column", "code", "value"),
    [
        (["2026", "2025", "", ""], "last_year", "years_reversed", "2025"),
        (["", "", "COL;Narnia", ""], "countries", "unknown_country", "Narnia"),
        (["", "", "", "andes"], "platforms", "unknown_platform", "andes"),
        (["twenty", "", "", ""], "first_year", "invalid_year", "twenty"),
    ],
)
def test_a_wrong_in_force_cell_is_named_by_row_and_column(cells, column, code, value):
    header = (
        "code,sector,subsector,name_en,unit,counts_people,first_year,last_year,countries,platforms"
    )
    row = ",".join(["EDU-98", "EDU", "", "Test", "people", "yes", *cells])
    report = indicators_import(
        source=f"{header}\nEDU-97,EDU,,Good,people,yes,,,,\n{row}\n".encode(),
        filename="indicators.csv",
        audit=False,
    )
    assert [(e.row, e.column, e.code, e.value) for e in report.errors] == [(3, column, code, value)]
    assert not Indicator.objects.filter(code__in=["EDU-97", "EDU-98"]).exists()


def test_the_api_says_where_groups_apply_and_indicators_are_in_force(client, make_user):
    Indicator.objects.get(code="HEA-02").platforms.set(
        Indicator.platforms.field.related_model.objects.filter(code="caribbean")
    )
    client.force_login(make_user("cfm-operator", "country:COL"))
    groups = {g["code"]: g["countries"] for g in client.get("/api/population-groups/").json()}
    assert groups["colombian-returnees"] == ["COL"]
    assert len(groups["in-transit"]) == 12 and "TTO" not in groups["in-transit"]
    indicators = {i["code"]: i for i in client.get("/api/indicators/").json()}
    health = indicators["HEA-02"]
    assert (health["first_year"], health["last_year"]) == (2025, None)
    assert (health["countries"], health["platforms"]) == ([], ["caribbean"])


def test_the_sectors_page_says_when_and_where_each_indicator_is_in_force(client, make_user):
    indicator = Indicator.objects.get(code="HEA-02")
    indicator.first_year, indicator.last_year = 2026, None
    indicator.save()
    indicator.countries.set(Country.objects.filter(iso3="PER"))
    client.force_login(make_user("cfm-operator", "country:COL"))
    page = client.get(reverse("reference:sectors")).content.decode()
    rows = {row.split("</td>")[0]: row for row in page.split("<tr><td>")[1:]}
    assert "from 2026, Peru</td>" in rows["HEA-02"]
    assert "from 2025, every country</td>" in rows["HEA-01"]


def test_a_database_migrated_before_gets_the_shipped_countries_of_a_group_without_any():
    # given a group left without countries (as the migration adding them leaves every
    # group of an existing database) and one a regional admin limited
    import importlib

    from django.apps import apps

    migration = importlib.import_module(
        "puente.reference.migrations.0006_population_group_shipped_countries"
    )
    PopulationGroup.objects.get(code="colombian-returnees").countries.clear()
    PopulationGroup.objects.get(code="in-transit").countries.set(Country.objects.filter(iso3="PAN"))
    # when the data migration runs
    migration.shipped_countries_set(apps, None)
    # then the first gets the shipped countries and the second keeps its own
    assert countries_of("colombian-returnees") == {"COL"}
    assert countries_of("in-transit") == {"PAN"}
