"""Coverage against targets given per admin-1 area and for the whole country, and the
indicator progress table, read through the dashboard's JSON and its export. The figures
are worked out by hand beside each assertion."""

import csv
import io

import openpyxl
import pytest
from django.urls import reverse
from django.utils import translation

from puente.analytics.services.cube import cube_refresh
from puente.analytics.tests.test_consolidation import YEAR, add, world  # noqa: F401
from puente.core.testing import run_import
from puente.reference.models import Country

pytestmark = pytest.mark.django_db

HEADER = ["year", "country", "admin1", "sector", "indicator", "population_group", "people"]
GROUP = "in-destination"


@pytest.fixture
def response(tmp_path, capsys, world):  # noqa: F811
    a, b = world["A"], world["B"]
    # people reached, January and February
    add(a, "HEA-02", 100, admin1="CO-ATL")
    add(a, "HEA-04", 120, admin1="CO-ATL")
    add(b, "HEA-02", 30, admin1="CO-ATL")
    add(b, "HEA-02", 50, admin1="CO-ANT")
    add(a, "FSC-01", 80, admin1="CO-ATL")
    # an output (learning spaces) and a stock (support spaces operating)
    add(a, "EDU-04", 0, quantity=4, admin1="CO-ATL")
    add(a, "EDU-04", 0, quantity=3, month=2, admin1="CO-ANT")
    add(a, "CSS-03", 0, quantity=3, admin1="CO-ATL")
    add(a, "CSS-03", 0, quantity=2, month=2, admin1="CO-ATL")
    add(b, "CSS-03", 0, quantity=1, admin1="CO-ANT")
    cube_refresh(country_ids=list(Country.objects.values_list("id", flat=True)), year=YEAR)
    rows = [
        # Health per area only; Food Security for the whole country and one area;
        # Shelter and Common Services for the whole country
        [YEAR, "COL", "CO-ATL", "HEA", "", GROUP, 300],
        [YEAR, "COL", "CO-ANT", "HEA", "", GROUP, 400],
        [YEAR, "COL", "", "FSC", "", GROUP, 600],
        [YEAR, "COL", "CO-ATL", "FSC", "", GROUP, 200],
        [YEAR, "COL", "", "SHE", "", GROUP, 550],
        [YEAR, "COL", "", "CSS", "", GROUP, 9000],
        # indicators' own targets, never a sector's
        [YEAR, "COL", "CO-ATL", "HEA", "HEA-02", GROUP, 250],
        [YEAR, "COL", "", "EDU", "EDU-04", GROUP, 12],
        [YEAR, "COL", "", "CSS", "CSS-03", GROUP, 5],
    ]
    out = run_import(tmp_path, capsys, "targets", [HEADER, *rows])
    assert (out["imported"], out["errors"]) == (9, [])
    return world


def data(client, **params):
    with translation.override("en"):
        return client.get(reverse("analytics:data"), {"year": YEAR, "month": 2, **params}).json()


def sectors(document):
    return {
        r["code"]: (r["consolidated"], r["targeted"], r["coverage"]) for r in document["by_sector"]
    }


def test_coverage_uses_the_targets_of_each_grouping(client, make_user, response):
    client.force_login(make_user("platform-im-officer", "country:COL"))
    country = data(client, country="COL")
    # Health: areas 300 + 400 = 700; reached: Atlántico A max(100, 120) + B 30 = 150,
    # Antioquia 50 -> 200
    # Food Security: max(area 200, whole country 600) = 600, never 800; reached 80
    # Shelter 550, no reach; Common Services keep their own 9,000; indicator targets
    # (HEA-02 250, EDU-04 12) take no part: Education has none
    assert sectors(country) == {
        "HEA": (200, 700, round(200 / 700, 4)),
        "FSC": (80, 600, round(80 / 600, 4)),
        "EDU": (0, None, None),
        "CSS": (0, 9000, 0.0),
    }
    # inter-sector: per area the largest sector, Atlántico max(300, 200) = 300,
    # Antioquia 400, summed 700; the largest whole-country sector max(600, 550) = 600
    # (Common Services out): max(700, 600) = 700. Reached: max(150, 80) + 50 = 200.
    assert country["headline"]["targeted"] == 700
    assert country["headline"]["coverage"] == round(200 / 700, 4)
    assert country["targets_level"] == "country"

    area = data(client, admin1="CO-ATL")
    # the area's own targets: Health 300, Food Security 200, inter-sector max = 300
    assert sectors(area) == {
        "HEA": (150, 300, 0.5),
        "FSC": (80, 200, 0.4),
        "EDU": (0, None, None),
        "CSS": (0, None, None),
    }
    assert (area["headline"]["consolidated"], area["headline"]["targeted"]) == (150, 300)
    assert area["headline"]["coverage"] == 0.5
    assert area["targets_level"] == "admin1"
    antioquia = data(client, admin1="CO-ANT")
    assert sectors(antioquia) == {
        "HEA": (50, 400, 0.125),
        "EDU": (0, None, None),
        "CSS": (0, None, None),
    }
    page = client.get(reverse("analytics:dashboard"), {"year": YEAR, "month": 2})
    assert 'id="indicator-table"' in page.content.decode()


def progress(document):
    return {
        r["code"]: (r["measure"], r["unit"], r["target"], r["reached"], r["progress"])
        for r in document["indicators"]
    }


def test_the_indicator_progress_table(client, make_user, response):
    client.force_login(make_user("regional-admin", "region"))
    country = data(client, country="COL")
    assert progress(country) == {
        # the rule within HEA-02: A 100 + B 30 in Atlántico, B 50 in Antioquia; its
        # target is Atlántico's 250
        "HEA-02": ("people-reached", "", 250, 180, 0.72),
        "HEA-04": ("people-reached", "", None, 120, None),
        "FSC-01": ("people-reached", "", None, 80, None),
        # quantities of January and February, in their unit
        "EDU-04": ("output", "spaces", 12, 7, round(7 / 12, 4)),
        # A's latest level (February: 2) and B's (January: 1)
        "CSS-03": ("stock", "spaces", 5, 3, 0.6),
    }
    stock = next(r for r in country["indicators"] if r["code"] == "CSS-03")
    assert (stock["as_of"], stock["measure_label"]) == ("2025-02", "Stock")
    # an area: its own figures and targets (EDU-04 and CSS-03 are targeted for the
    # whole country only)
    area = data(client, admin1="CO-ATL")
    assert progress(area)["HEA-02"] == ("people-reached", "", 250, 130, 0.52)
    assert progress(area)["EDU-04"] == ("output", "spaces", None, 4, None)
    # a sector: its indicators only; one organisation: its own reach
    health = data(client, country="COL", sector="HEA")
    assert set(progress(health)) == {"HEA-02", "HEA-04"}
    own = data(client, country="COL", org="B")
    assert progress(own)["HEA-02"] == ("people-reached", "", 250, 80, 0.32)
    assert progress(own)["CSS-03"] == ("stock", "spaces", 5, 1, 0.2)


def test_the_indicator_progress_table_is_exported(client, make_user, response):
    client.force_login(make_user("regional-admin", "region"))
    params = {"year": YEAR, "month": 2, "country": "COL", "table": "indicators"}
    content = client.get(reverse("analytics:export", args=["csv"]), params).content
    rows = list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))
    assert [
        (r["indicator"], r["measure"], r["target"], r["reached"], r["progress"], r["as_of"])
        for r in rows
    ] == [
        ("EDU-04", "output", "12", "7", "0.5833", ""),
        ("FSC-01", "people-reached", "", "80", "", ""),
        ("HEA-02", "people-reached", "250", "180", "0.72", ""),
        ("HEA-04", "people-reached", "", "120", "", ""),
        ("CSS-03", "stock", "5", "3", "0.6", "2025-02"),
    ]
    xlsx = client.get(reverse("analytics:export", args=["xlsx"]), params).content
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx)).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0][:8] == [
        "year",
        "month",
        "indicator",
        "name",
        "measure",
        "unit",
        "target",
        "reached",
    ]
    assert any(row[2] == "HEA-02" and row[7] == 180 for row in values[1:])


def test_the_rule_runs_within_chosen_indicators(world):  # noqa: F811
    from puente.analytics.services.consolidation import consolidate
    from puente.reference.models import Indicator, Sector

    add(world["A"], "HEA-02", 100)
    add(world["A"], "HEA-04", 120)
    add(world["B"], "HEA-02", 30)
    health = Sector.objects.get(code="HEA").pk
    hea02 = Indicator.objects.get(code="HEA-02").pk

    def figure(**options):
        cells = consolidate(year=YEAR, month=1, **options).sectors
        return sum(c.consolidated for (_c, _a, s, _g), c in cells.items() if s == health)

    # all indicators: A max(100, 120) + B 30; within HEA-02: A 100 + B 30
    assert (figure(), figure(indicator_ids=[hea02])) == (150, 130)
    assert figure(indicator_ids=[]) == 0
    with pytest.raises(ValueError):
        consolidate(year=YEAR, month=1, indicator_ids=[hea02], source="columnar")


def test_the_rule_keyed_by_indicator_gives_each_indicator_its_own_figure(world):  # noqa: F811
    from puente.analytics.services.consolidation import consolidate
    from puente.reference.models import Indicator

    add(world["A"], "HEA-02", 100)
    add(world["A"], "HEA-04", 120)
    add(world["B"], "HEA-02", 30)
    add(world["B"], "HEA-02", 40, month=2)
    ids = dict(Indicator.objects.filter(code__in=["HEA-02", "HEA-04"]).values_list("code", "pk"))

    def keyed(month: int, **options) -> dict[int, int]:
        figures: dict[int, int] = {}
        cells = consolidate(year=YEAR, month=month, key="indicator", **options).sectors
        for (_c, _a, indicator, _g), cell in cells.items():
            figures[indicator] = figures.get(indicator, 0) + cell.consolidated
        return figures

    # one run, each indicator by the rule within it: A 100 + B 30, then B's new 40 too;
    # the same from the columnar copy
    for source in ("database", "columnar"):
        assert keyed(1, source=source) == {ids["HEA-02"]: 130, ids["HEA-04"]: 120}, source
        assert keyed(2, source=source) == {ids["HEA-02"]: 170, ids["HEA-04"]: 120}, source
        b = [world["B"].pk]
        assert keyed(2, source=source, org_ids=b) == {ids["HEA-02"]: 70}, source
        only = [ids["HEA-04"]]
        assert keyed(2, source=source, indicator_ids=only) == {ids["HEA-04"]: 120}, source
