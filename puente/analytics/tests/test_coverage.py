import pytest
from django.urls import reverse

from puente.analytics.services.cube import cube_refresh
from puente.analytics.tests.test_consolidation import YEAR, add, world  # noqa: F401
from puente.core.testing import run_import
from puente.reference.models import Country

pytestmark = pytest.mark.django_db
HEADER = ["year", "country", "sector", "population_group", "people"]


def load(tmp_path, capsys, kind, rows, ok=True):
    return run_import(tmp_path, capsys, kind, [HEADER, *rows], ok=ok)


def test_coverage_against_targets_and_people_in_need(tmp_path, capsys, client, make_user, world):  # noqa: F811
    add(world["A"], "HEA-02", 100)
    add(world["B"], "FSC-01", 80)
    cube_refresh(country_ids=list(Country.objects.values_list("id", flat=True)), year=YEAR)
    out = load(
        tmp_path,
        capsys,
        "targets",
        [
            [YEAR, "COL", "HEA", "in-destination", "400"],
            [YEAR, "Colombia", "Seguridad Alimentaria", "En destino", "1,000"],
        ],
    )
    assert (out["imported"], out["errors"]) == (2, [])
    load(tmp_path, capsys, "pin", [[YEAR, "COL", "HEA", "in-destination", "2000"]])
    client.force_login(make_user("platform-im-officer", "country:COL"))
    data = client.get(reverse("analytics:data"), {"year": YEAR, "month": 1}).json()
    sectors = {r["code"]: r for r in data["by_sector"]}
    assert (sectors["HEA"]["targeted"], sectors["HEA"]["coverage"]) == (400, 0.25)
    assert (sectors["HEA"]["in_need"], sectors["HEA"]["reach_of_need"]) == (2000, 0.05)
    assert sectors["FSC"]["coverage"] == 0.08 and sectors["FSC"]["in_need"] is None
    # inter-sector: the largest sector's target per country and group
    assert (data["headline"]["targeted"], data["headline"]["coverage"]) == (1000, 0.1)


def test_bad_planning_rows_are_refused(tmp_path, capsys):
    out = load(
        tmp_path,
        capsys,
        "targets",
        [[YEAR, "VEN", "HEA", "in-destination", "5"], ["20x", "COL", "XXX", "tourists", "-1"]],
        ok=False,
    )
    codes = {(e["row"], e["code"]) for e in out["errors"]}
    assert codes == {
        (2, "unknown_country"),
        (3, "invalid_year"),
        (3, "unknown_sector"),
        (3, "unknown_population_group"),
        (3, "negative_number"),
    }
