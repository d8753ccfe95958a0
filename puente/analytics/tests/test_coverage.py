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


def test_an_admin1_area_shows_its_own_needs_and_no_country_target(
    tmp_path,
    capsys,
    client,
    make_user,
    world,  # noqa: F811
):
    # given: Colombia's targets, and needs given per admin-1 area
    add(world["A"], "HEA-02", 100, admin1="CO-ATL")
    add(world["B"], "HEA-02", 50, admin1="CO-ANT")
    cube_refresh(country_ids=list(Country.objects.values_list("id", flat=True)), year=YEAR)
    load(
        tmp_path,
        capsys,
        "targets",
        [
            [YEAR, "COL", "HEA", "in-destination", "400"],
            [YEAR, "COL", "FSC", "in-destination", "1000"],
        ],
    )
    pin = ["year", "country", "admin1", "sector", "population_group", "people_in_need"]
    run_import(
        tmp_path,
        capsys,
        "pin",
        [
            pin,
            [YEAR, "COL", "CO-ATL", "HEA", "in-destination", "2000"],
            [YEAR, "COL", "CO-ANT", "HEA", "in-destination", "500"],
        ],
    )
    client.force_login(make_user("platform-im-officer", "country:COL"))
    url = reverse("analytics:data")
    # when
    country = client.get(url, {"year": YEAR, "month": 1, "country": "COL"}).json()
    area = client.get(url, {"year": YEAR, "month": 1, "admin1": "CO-ATL"}).json()
    # then: the country's figures at the country
    assert (country["headline"]["targeted"], country["headline"]["in_need"]) == (1000, 2500)
    # the area's own need, and no target rather than the country's
    assert area["headline"]["consolidated"] == 100
    assert (area["headline"]["targeted"], area["headline"]["coverage"]) == (None, None)
    assert (area["headline"]["in_need"], area["headline"]["reach_of_need"]) == (2000, 0.05)
    health = next(r for r in area["by_sector"] if r["code"] == "HEA")
    assert (health["targeted"], health["in_need"]) == (None, 2000)
    assert area["targets_level"] is None and country["targets_level"] == "country"
    # the map marks the area chosen
    assert area["selected_area"] == "CO-ATL" and country["selected_area"] is None
    page = client.get(
        reverse("analytics:dashboard"), {"year": YEAR, "month": 1, "admin1": "CO-ATL"}
    )
    assert "No target is set for this admin-1 area" in page.content.decode()


def test_a_chosen_sector_is_compared_with_its_own_target(
    tmp_path,
    capsys,
    client,
    make_user,
    world,  # noqa: F811
):
    add(world["A"], "HEA-02", 100)
    cube_refresh(country_ids=list(Country.objects.values_list("id", flat=True)), year=YEAR)
    load(
        tmp_path,
        capsys,
        "targets",
        [
            [YEAR, "COL", "HEA", "in-destination", "400"],
            [YEAR, "COL", "FSC", "in-destination", "1000"],
        ],
    )
    client.force_login(make_user("platform-im-officer", "country:COL"))
    data = client.get(
        reverse("analytics:data"), {"year": YEAR, "month": 1, "country": "COL", "sector": "HEA"}
    ).json()
    assert (data["headline"]["targeted"], data["headline"]["coverage"]) == (400, 0.25)


def test_imported_targets_and_needs_show_at_once_on_cached_dashboards(
    tmp_path,
    capsys,
    client,
    make_user,
    world,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    add(world["A"], "HEA-02", 100)
    cube_refresh(country_ids=list(Country.objects.values_list("id", flat=True)), year=YEAR)
    client.force_login(make_user("platform-im-officer", "country:COL"))
    query = {"year": YEAR, "month": 1, "country": "COL"}
    assert client.get(reverse("analytics:data"), query).json()["headline"]["targeted"] is None
    with django_capture_on_commit_callbacks(execute=True):
        load(tmp_path, capsys, "targets", [[YEAR, "COL", "HEA", "in-destination", "400"]])
    assert client.get(reverse("analytics:data"), query).json()["headline"]["targeted"] == 400
    # and so do people in need
    with django_capture_on_commit_callbacks(execute=True):
        load(tmp_path, capsys, "pin", [[YEAR, "COL", "HEA", "in-destination", "2000"]])
    assert client.get(reverse("analytics:data"), query).json()["headline"]["in_need"] == 2000
