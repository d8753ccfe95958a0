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
