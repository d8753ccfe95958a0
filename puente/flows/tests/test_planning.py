"""`puente flows-planning`: people in transit from a period of counts and surveys, the
figures written through the needs analysis and the targets, and its refusals."""

import datetime as dt
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from puente.flows.models import FlowCount, FlowPoint, SurveySummary
from puente.needs.models import NeedFigure, PopulationFigure
from puente.plans.models import PlanningFigure
from puente.reference.models import Country

pytestmark = pytest.mark.django_db
JANUARY = ("--country", "COL", "--from", "2026-01", "--to", "2026-01")


@pytest.fixture
def monitored():
    """Colombia in January 2026: a border crossing counting 100 Venezuelans and 10
    Colombians a day on 20 days, a bus terminal (left out), and four surveys."""
    colombia = Country.objects.get(iso3="COL")
    border = FlowPoint.objects.create(
        code="border", name="Border", kind="border-crossing", country=colombia
    )
    terminal = FlowPoint.objects.create(
        code="terminal", name="Terminal", kind="bus-terminal", country=colombia
    )
    for day in range(1, 21):
        date = dt.date(2026, 1, day)
        FlowCount.objects.create(
            point=border, date=date, direction="entry", nationality="VEN", people=100
        )
        FlowCount.objects.create(
            point=border, date=date, direction="entry", nationality="COL", people=10
        )
        FlowCount.objects.create(
            point=border, date=date, direction="exit", nationality="VEN", people=40
        )
        FlowCount.objects.create(
            point=terminal, date=date, direction="entry", nationality="VEN", people=500
        )
    surveys = [
        # (destination, group size, needs)
        ("PER", 3, ["food", "health"]),
        ("CHL", 1, ["food", "water", "hygiene"]),
        ("COL", 2, ["employment"]),
        ("", 2, []),
    ]
    for i, (destination, size, needs) in enumerate(surveys):
        SurveySummary.objects.create(
            point=border,
            date=dt.date(2026, 1, 5),
            submission_id=f"uuid:{i}",
            nationality="VEN",
            group_size=size,
            destination=destination,
            needs=needs,
        )
    return colombia


def _run(*args):
    from io import StringIO

    out = StringIO()
    call_command("flows_planning", *args, stdout=out)
    return out.getvalue()


def test_computes_people_in_transit_from_border_entries_and_the_transit_share(monitored):
    out = json.loads(
        _run(
            "--country",
            "COL",
            "--from",
            "2026-01",
            "--to",
            "2026-01",
            "--year",
            "2026",
            "--format",
            "json",
        )
    )
    # 2,000 non-national entries over 20 days counted (nationals and the terminal left out)
    assert (out["entries"], out["nationals_left_out"], out["days_counted"]) == (2000, 200, 20)
    assert out["average_daily_entries"] == "100.00"
    # 4 of 8 people surveyed go on to another country
    assert out["transit_share"] == "0.5000"
    assert out["people_in_transit"] == 100 * 365 // 2
    # food: 4 of 8 people; WASH (water or hygiene, one group counted once): 1 of 8
    assert out["people_in_need"]["FSC"] == 9125
    assert out["people_in_need"]["WSH"] == round(18250 / 8)
    assert out["targets"] == {}
    assert PopulationFigure.objects.count() == 0


def test_writes_population_needs_and_targets_leaving_other_figures(monitored):
    # given a figure of another group the write must keep
    other = PopulationFigure.objects.create(
        year=2026,
        country=monitored,
        population_group_id=1,
        population=7,
    )
    # when
    text = _run(
        "--country", "col", "--from", "2026-01", "--to", "2026-01", "--year", "2026",
        "--target-share", "0.5", "--write",
    )  # fmt: skip
    # then
    assert "18.250" not in text and "18,250" in text
    figure = PopulationFigure.objects.get(population_group__code="in-transit")
    assert (figure.year, figure.population) == (2026, 18250)
    assert PopulationFigure.objects.filter(pk=other.pk).exists()
    food = NeedFigure.objects.get(sector__code="FSC", population_group__code="in-transit")
    assert (food.people_in_need, food.admin1) == (9125, None)
    target = PlanningFigure.objects.get(sector__code="FSC", population_group__code="in-transit")
    assert target.people == 4563  # half up
    # run again: the same figures, nothing doubled
    _run("--country", "COL", "--from", "2026-01", "--to", "2026-01", "--year", "2026", "--write")
    assert PopulationFigure.objects.filter(population_group__code="in-transit").count() == 1


def test_refuses_a_period_without_border_counts(monitored):
    with pytest.raises(CommandError, match="no_flow_counts"):
        _run("--country", "COL", "--from", "2025-01", "--to", "2025-06")


def test_refuses_a_period_ending_before_it_starts_and_a_bad_month(monitored):
    with pytest.raises(CommandError, match="invalid_period"):
        _run("--country", "COL", "--from", "2026-06", "--to", "2026-01")
    with pytest.raises(CommandError, match="invalid_month"):
        _run("--country", "COL", "--from", "2026-13", "--to", "2026-01")


def test_the_plan_year_defaults_to_the_year_after_the_period(monitored):
    out = json.loads(
        _run("--country", "COL", "--from", "2026-01", "--to", "2026-01", "--format", "json")
    )
    assert out["year"] == 2027
