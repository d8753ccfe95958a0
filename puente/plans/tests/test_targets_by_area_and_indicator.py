"""Targets per admin-1 area and per indicator: the two optional columns of the targets
file, their errors, and the targets table of the API that imports again unchanged."""

import pytest
from django.urls import reverse
from django.utils import translation

from puente.core.testing import run_import
from puente.plans.models import PlanningFigure
from puente.plans.targets import targets_set
from puente.reference.models import Country, PopulationGroup, Sector

pytestmark = pytest.mark.django_db

HEADER = ["year", "country", "admin1", "sector", "indicator", "population_group", "people"]


def stored():
    return sorted(
        PlanningFigure.objects.values_list(
            "country__iso3",
            "admin1__iso_code",
            "sector__code",
            "indicator__code",
            "population_group__code",
            "people",
        ),
        key=str,
    )


def test_targets_by_area_and_indicator_are_stored(tmp_path, capsys):
    rows = [
        HEADER,
        [2025, "COL", "", "HEA", "", "in-destination", 1000],
        [2025, "COL", "CO-ATL", "HEA", "", "in-destination", 300],
        # an area by its name, an indicator of the sector
        [2025, "Colombia", "Antioquia", "HEA", "", "in-destination", 400],
        [2025, "COL", "", "HEA", "HEA-01", "in-destination", 5000],
        [2025, "COL", "CO-ATL", "HEA", "hea-02", "in-destination", 250],
        # an indicator of a sub-sector, with the sub-sector as the row's sector
        [2025, "PER", "PE-LIM", "PRO-GBV", "PRO-GBV-03", "in-destination", 80],
    ]
    out = run_import(tmp_path, capsys, "targets", rows)
    assert (out["imported"], out["updated"], out["errors"]) == (6, 0, [])
    assert stored() == sorted(
        [
            ("COL", None, "HEA", None, "in-destination", 1000),
            ("COL", "CO-ATL", "HEA", None, "in-destination", 300),
            ("COL", "CO-ANT", "HEA", None, "in-destination", 400),
            ("COL", None, "HEA", "HEA-01", "in-destination", 5000),
            ("COL", "CO-ATL", "HEA", "HEA-02", "in-destination", 250),
            ("PER", "PE-LIM", "PRO-GBV", "PRO-GBV-03", "in-destination", 80),
        ],
        key=str,
    )
    # a second file replaces the figures it names, and only those
    again = [HEADER, [2025, "COL", "CO-ATL", "HEA", "HEA-02", "in-destination", 260]]
    out = run_import(tmp_path, capsys, "targets", again)
    assert (out["imported"], out["updated"]) == (0, 1)
    assert PlanningFigure.objects.get(indicator__code="HEA-02").people == 260
    assert PlanningFigure.objects.count() == 6


def test_wrong_area_indicator_or_a_repeated_row_refuse_the_file(tmp_path, capsys):
    rows = [
        HEADER,
        [2025, "COL", "CO-ATL", "HEA", "HEA-02", "in-destination", 250],
        [2025, "COL", "PE-LIM", "HEA", "", "in-destination", 300],
        [2025, "COL", "", "HEA", "FSC-01", "in-destination", 300],
        [2025, "COL", "CO-ATL", "HEA", "HEA-02", "in-destination", 99],
        [2025, "COL", "", "HEA", "XYZ-99", "in-destination", 1],
        # the same key without the indicator is another figure, not a repeat
        [2025, "COL", "CO-ATL", "HEA", "", "in-destination", 300],
    ]
    with translation.override("en"):
        out = run_import(tmp_path, capsys, "targets", rows, ok=False)
    assert [(e["row"], e["column"], e["code"], e["message"]) for e in out["errors"]] == [
        (3, "admin1", "unknown_admin1", "“PE-LIM” is not an admin-1 area of Colombia."),
        (
            4,
            "indicator",
            "indicator_not_in_sector",
            "FSC-01 is an indicator of Food Security, not of Health.",
        ),
        (
            5,
            "population_group",
            "duplicate_row",
            "The same year, country, admin-1 area, sector, indicator and population group "
            "are already in row 2.",
        ),
        (6, "indicator", "unknown_indicator", "“XYZ-99” is not an indicator code of the registry."),
    ]
    assert not PlanningFigure.objects.exists()


def test_the_targets_table_of_the_api_has_both_columns_and_imports_again_unchanged(
    tmp_path, capsys, client, make_user
):
    rows = [
        HEADER,
        [2025, "COL", "", "HEA", "", "in-destination", 1000],
        [2025, "COL", "CO-ATL", "HEA", "", "in-destination", 300],
        [2025, "COL", "CO-ATL", "HEA", "HEA-02", "in-destination", 250],
        [2025, "COL", "", "EDU", "EDU-04", "in-destination", 12],
    ]
    run_import(tmp_path, capsys, "targets", rows)
    client.force_login(make_user("platform-im-officer", "platform:colombia"))
    table = client.get(reverse("api-targets"), {"year": "2025", "country": "COL"}).json()
    assert table == [
        {
            "year": 2025,
            "country": "COL",
            "admin1": admin1,
            "sector": sector,
            "indicator": indicator,
            "population_group": "in-destination",
            "people": people,
        }
        for admin1, sector, indicator, people in [
            ("", "EDU", "EDU-04", 12),
            ("", "HEA", "", 1000),
            ("CO-ATL", "HEA", "", 300),
            ("CO-ATL", "HEA", "HEA-02", 250),
        ]
    ]
    before = stored()
    download = [list(table[0]), *([row[c] for c in table[0]] for row in table)]
    out = run_import(tmp_path, capsys, "targets", download)
    assert (out["imported"], out["updated"], out["errors"]) == (0, 4, [])
    assert stored() == before


def test_targets_set_writes_the_whole_country_beside_the_areas(tmp_path, capsys):
    run_import(
        tmp_path, capsys, "targets", [HEADER, [2025, "COL", "CO-ATL", "HEA", "", "in-transit", 30]]
    )
    colombia = Country.objects.get(iso3="COL")
    group = PopulationGroup.objects.get(code="in-transit")
    health = Sector.objects.get(code="HEA")
    for people in (100, 120):
        targets_set(
            year=2025,
            country=colombia,
            population_group=group,
            people={health: people},
            acting_user=None,
            source="flows",
        )
    assert stored() == sorted(
        [
            ("COL", None, "HEA", None, "in-transit", 120),
            ("COL", "CO-ATL", "HEA", None, "in-transit", 30),
        ],
        key=str,
    )
