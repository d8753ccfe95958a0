"""A target names a population group only in a country where the group applies."""

import pytest

from puente.core.testing import run_import
from puente.plans.models import PlanningFigure

pytestmark = pytest.mark.django_db

HEADER = ["year", "country", "sector", "population_group", "people"]


def test_a_target_for_colombian_returnees_in_paraguay_refuses_the_file(tmp_path, capsys):
    rows = [
        HEADER,
        [2025, "COL", "HEA", "colombian-returnees", 100],
        [2025, "Paraguay", "HEA", "colombian-returnees", 10],
    ]
    out = run_import(tmp_path, capsys, "targets", rows, ok=False)
    assert [(e["row"], e["column"], e["code"], e["message"]) for e in out["errors"]] == [
        (
            3,
            "population_group",
            "population_group_not_in_country",
            "“Colombian returnees” is not a population group of Paraguay.",
        )
    ]
    assert not PlanningFigure.objects.exists()


def test_a_target_for_colombian_returnees_in_colombia_is_set(tmp_path, capsys):
    out = run_import(
        tmp_path, capsys, "targets", [HEADER, [2025, "COL", "HEA", "colombian-returnees", 100]]
    )
    assert (out["imported"], out["errors"]) == (1, [])
    assert PlanningFigure.objects.get().people == 100
