"""A needs or population figure names a population group only in a country where the
group applies (reference data: Colombian returnees are Colombia's, people in transit are
nowhere in the Caribbean)."""

import pytest

from puente.core.testing import run_import
from puente.needs.models import NeedFigure, PopulationFigure

pytestmark = pytest.mark.django_db

NEEDS = ["year", "country", "admin1", "sector", "population_group", "people_in_need", "severity"]
POPULATION = ["year", "country", "population_group", "population"]


def test_needs_of_colombian_returnees_in_paraguay_refuse_the_file(tmp_path, capsys):
    rows = [
        NEEDS,
        [2025, "COL", "", "HEA", "colombian-returnees", 900, ""],
        [2025, "PRY", "", "HEA", "Colombianos retornados", 40, ""],
    ]
    out = run_import(tmp_path, capsys, "needs", rows, ok=False)
    assert [
        (e["row"], e["column"], e["code"], e["message"], e["value"]) for e in out["errors"]
    ] == [
        (
            3,
            "population_group",
            "population_group_not_in_country",
            "“Colombian returnees” is not a population group of Paraguay.",
            "Colombianos retornados",
        )
    ]
    assert not NeedFigure.objects.exists()


def test_needs_of_colombian_returnees_in_colombia_are_imported(tmp_path, capsys):
    rows = [NEEDS, [2025, "COL", "CO-ATL", "HEA", "colombian-returnees", 900, 3]]
    out = run_import(tmp_path, capsys, "needs", rows)
    assert (out["imported"], out["errors"]) == (1, [])
    assert NeedFigure.objects.get().people_in_need == 900


def test_population_in_transit_in_trinidad_and_tobago_refuses_the_file(tmp_path, capsys):
    rows = [POPULATION, [2025, "PER", "in-transit", 5000], [2025, "TTO", "in-transit", 300]]
    out = run_import(tmp_path, capsys, "population", rows, ok=False)
    assert [(e["row"], e["column"], e["code"]) for e in out["errors"]] == [
        (3, "population_group", "population_group_not_in_country")
    ]
    assert not PopulationFigure.objects.exists()


def test_figures_computed_for_people_in_transit_in_trinidad_and_tobago_are_refused():
    # given flow monitoring's figures for people in transit in Trinidad and Tobago
    from puente.core.errors import ApplicationError
    from puente.needs.services import transit_figures_set
    from puente.reference.models import Country, PopulationGroup, Sector

    group = PopulationGroup.objects.get(code="in-transit")
    health = Sector.objects.get(code="HEA")
    # when they are set, then nothing is written
    with pytest.raises(ApplicationError) as refused:
        transit_figures_set(
            year=2025,
            country=Country.objects.get(iso3="TTO"),
            population_group=group,
            population=300,
            people_in_need={health: 200},
            acting_user=None,
            source="flows-planning",
        )
    assert refused.value.code == "population_group_not_in_country"
    assert (
        str(refused.value.message)
        == "“In transit” is not a population group of Trinidad and Tobago."
    )
    assert not PopulationFigure.objects.exists() and not NeedFigure.objects.exists()
    # and in Peru they are
    transit_figures_set(
        year=2025,
        country=Country.objects.get(iso3="PER"),
        population_group=group,
        population=300,
        people_in_need={health: 200},
        acting_user=None,
        source="flows-planning",
    )
    assert PopulationFigure.objects.get().population == 300
