"""What is counted beside people reached: people trained, outputs per unit, stocks at
their latest level (docs/methodology.md, "What is counted"), with hand-computed figures."""

import csv
import io
import json

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from puente.analytics.selectors import ReachFilters, figures_apart, people_reached
from puente.analytics.services.columnar import partitions_write
from puente.analytics.services.consolidation import consolidate
from puente.analytics.services.cube import cube_refresh
from puente.analytics.tests.test_consolidation import YEAR, add, world  # noqa: F401
from puente.reference.models import Country, Sector

pytestmark = pytest.mark.django_db


def refresh():
    cube_refresh(country_ids=list(Country.objects.values_list("id", flat=True)), year=YEAR)


@pytest.fixture
def trained(world):  # noqa: F811
    # given people reached, and people trained three ways
    add(world["A"], "HEA-02", 100, month=1)
    add(world["A"], "EDU-03", 40, month=1)  # teachers trained: a people-trained indicator
    add(world["B"], "EDU-01", 30, month=1, modality="capacity-building")  # set apart
    add(world["C"], "CSS-02", 25, total=60, month=2)  # PSEA training: 25 new, 60 this month
    refresh()
    return world


def test_people_trained_never_enter_people_reached(trained):
    # people reached: HEA-02 alone, 100 in January, nobody in February
    assert [(r["monthly"], r["consolidated"]) for r in people_reached(year=YEAR, month=2)] == [
        (0, 100)
    ]
    by_sector = {
        r["sector"]: r["consolidated"] for r in people_reached(year=YEAR, month=2, by=["sector"])
    }
    # (a sector whose rows all count apart keeps a cell, for its CVA value: at 0)
    assert by_sector == {"HEA": 100, "EDU": 0, "CSS": 0}
    # people trained: 40 + 30 + 25 new through February; 60 in February's monthly total
    assert figures_apart(year=YEAR, month=2)["people_trained"] == {
        "monthly": 60,
        "consolidated": 95,
    }
    assert figures_apart(year=YEAR, month=1)["people_trained"] == {
        "monthly": 70,
        "consolidated": 70,
    }


@pytest.mark.parametrize("source", ["database", "columnar"])
def test_both_sources_leave_people_trained_out(trained, source):
    if source == "columnar":
        partitions_write(year=YEAR, country_ids=list(Country.objects.values_list("id", flat=True)))
    result = consolidate(year=YEAR, month=2, source=source)
    assert sum(c.consolidated for c in result.inter_sector.values()) == 100
    education = Sector.objects.get(code="EDU").pk
    assert [c.consolidated for (_c, _a, s, _g), c in result.sectors.items() if s == education] in (
        [],
        [0],
    )


@translation.override("en")
def test_outputs_add_up_within_one_unit_only(world):  # noqa: F811
    add(world["A"], "FSC-03", 0, quantity=500, month=1)  # meals
    add(world["B"], "FSC-03", 0, quantity=300, month=2)  # meals
    add(world["A"], "HEA-01", 0, quantity=90, month=2)  # consultations
    add(world["A"], "PRO-GBV-03", 0, quantity=20, month=1)  # kits
    add(world["C"], "SHE-03", 0, quantity=15, month=2)  # kits
    add(world["C"], "SHE-03", 0, quantity=99, month=3)  # after the period
    assert figures_apart(year=YEAR, month=2)["outputs"] == [
        {"unit": "consultations", "label": "consultations", "monthly": 90, "consolidated": 90},
        {"unit": "kits", "label": "kits", "monthly": 15, "consolidated": 35},
        {"unit": "meals", "label": "meals", "monthly": 300, "consolidated": 800},
    ]
    # filtered by sector: Protection holds its sub-sectors' kits
    protection = Sector.objects.get(code="PRO").pk
    assert figures_apart(year=YEAR, month=2, filters=ReachFilters(sector_id=protection))[
        "outputs"
    ] == [{"unit": "kits", "label": "kits", "monthly": 0, "consolidated": 20}]


def test_a_stock_takes_its_latest_level_never_a_sum_over_months(world):  # noqa: F811
    # support spaces operating, reported every month by each organisation in each place
    add(world["A"], "CSS-03", 0, quantity=10, month=1, admin1="CO-ATL")
    add(world["A"], "CSS-03", 0, quantity=12, month=2, admin1="CO-ATL")
    add(world["A"], "CSS-03", 0, quantity=5, month=1, admin1="CO-ANT")  # not reported again
    add(world["B"], "CSS-03", 0, quantity=2, month=2, admin1="CO-ATL")
    add(world["B"], "CSS-03", 0, quantity=1, month=2, admin1="CO-ATL", group="host-community")
    (stock,) = figures_apart(year=YEAR, month=2)["stocks"]
    # latest levels: A in Atlántico 12 (February), A in Antioquia 5 (January), B 2 + 1
    assert (stock["indicator"], stock["unit"], stock["latest"], stock["as_of"]) == (
        "CSS-03",
        "spaces",
        20,
        f"{YEAR}-02",
    )
    assert stock["monthly"] == 15  # levels reported for February: 12 + 2 + 1
    (january,) = figures_apart(year=YEAR, month=1)["stocks"]
    assert (january["latest"], january["monthly"], january["as_of"]) == (15, 15, f"{YEAR}-01")
    # never an output, never people reached
    assert figures_apart(year=YEAR, month=2)["outputs"] == []
    refresh()
    assert people_reached(year=YEAR, month=2)[0]["consolidated"] == 0


def test_cli_shows_each_measure_apart(trained, capsys):
    add(trained["A"], "FSC-03", 0, quantity=500, month=2)
    add(trained["A"], "CSS-03", 0, quantity=4, month=1)
    through = ["--year", str(YEAR), "--through", f"{YEAR}-02"]
    call_command("people_reached", *through, "--measure", "people-trained")
    assert list(csv.DictReader(io.StringIO(capsys.readouterr().out))) == [
        {"monthly": "60", "consolidated": "95"}
    ]
    call_command("people_reached", *through, "--measure", "outputs", "--format", "json")
    assert json.loads(capsys.readouterr().out) == [
        {"unit": "meals", "monthly": 500, "consolidated": 500}
    ]
    call_command("people_reached", *through, "--measure", "stocks", "--format", "json")
    assert json.loads(capsys.readouterr().out) == [
        {"indicator": "CSS-03", "unit": "spaces", "monthly": 0, "latest": 4, "as_of": "2025-01"}
    ]
    call_command("people_reached", *through)
    assert list(csv.DictReader(io.StringIO(capsys.readouterr().out))) == [
        {"monthly": "0", "consolidated": "100"}
    ]


def test_public_data_shows_outputs_by_unit_not_one_outputs_figure(client, trained):
    add(trained["A"], "FSC-03", 0, quantity=500, month=1)
    add(trained["A"], "HEA-01", 0, quantity=90, month=1)
    refresh()
    data = client.get(reverse("public-dashboard-data"), {"year": YEAR, "month": 1}).json()
    assert "outputs" not in data["headline"]
    assert data["headline"]["consolidated"] == 100
    assert data["apart"]["people_trained"] == {"monthly": 70, "consolidated": 70}
    assert [(o["unit"], o["consolidated"]) for o in data["apart"]["outputs"]] == [
        ("consultations", 90),
        ("meals", 500),
    ]


def test_the_api_shows_each_measure_apart_as_the_cli(trained, client, make_user):
    add(trained["A"], "FSC-03", 0, quantity=500, month=2)
    add(trained["A"], "CSS-03", 0, quantity=4, month=1)
    client.force_login(make_user("regional-admin", "region"))
    url = "/api/people-reached/"
    through = {"year": str(YEAR), "through": f"{YEAR}-02"}
    answers = {
        measure: client.get(url, {**through, "measure": measure}).json()
        for measure in ("people-trained", "outputs", "stocks")
    }
    assert answers == {
        "people-trained": [{"monthly": 60, "consolidated": 95}],
        "outputs": [{"unit": "meals", "monthly": 500, "consolidated": 500}],
        "stocks": [
            {"indicator": "CSS-03", "unit": "spaces", "monthly": 0, "latest": 4, "as_of": "2025-01"}
        ],
    }
    # people reached stay the default; a measure that names nothing, or grouping what is
    # counted apart, is a 400 naming the parameter
    assert client.get(url, through).json() == [{"monthly": 0, "consolidated": 100}]
    wrong = client.get(url, {**through, "measure": "kits"})
    assert wrong.status_code == 400 and "measure" in wrong.json()["error"]["detail"]
    grouped = client.get(url, {**through, "measure": "outputs", "by": "country"})
    assert grouped.status_code == 400 and "by" in grouped.json()["error"]["detail"]
