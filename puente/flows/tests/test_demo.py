"""The demo's flow monitoring: points in the five countries, three months of counts and
surveys, the same for a seed, replaced (never added to) when run again; the planning
command works on it."""

import datetime as dt
import json
from io import StringIO

import pytest
from django.core.management import call_command

from puente.flows.demo import demo_period, flows_demo_create
from puente.flows.models import FlowCount, FlowPoint, SurveySummary

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 5, 14)


def test_demo_flows_cover_five_countries_and_are_deterministic():
    first = flows_demo_create(seed=4, today=TODAY)
    people = sum(FlowCount.objects.values_list("people", flat=True))
    again = flows_demo_create(seed=4, today=TODAY)
    assert first == again
    assert sum(FlowCount.objects.values_list("people", flat=True)) == people
    assert set(FlowPoint.objects.values_list("country__iso3", flat=True)) == {
        "COL",
        "ECU",
        "PER",
        "BRA",
        "CHL",
    }
    assert FlowPoint.objects.filter(admin1__isnull=True).count() == 0
    dates = FlowCount.objects.values_list("date", flat=True)
    assert (min(dates), max(dates)) == (dt.date(2026, 2, 1), dt.date(2026, 4, 30))
    assert SurveySummary.objects.count() == first["surveys"] > 1000


def test_the_demo_period_is_the_three_whole_months_before_this_one():
    assert demo_period(dt.date(2026, 1, 3)) == (dt.date(2025, 10, 1), dt.date(2025, 12, 31))


def test_planning_figures_from_the_demo():
    flows_demo_create(seed=4, today=TODAY)
    out = StringIO()
    call_command(
        "flows_planning", "--country", "ECU", "--from", "2026-02", "--to", "2026-04",
        "--format", "json", stdout=out,
    )  # fmt: skip
    figures = json.loads(out.getvalue())
    assert figures["days_counted"] == 89
    assert 0.5 < float(figures["transit_share"]) < 0.9
    assert figures["people_in_transit"] > 100_000
    assert figures["people_in_need"]["FSC"] < figures["people_in_transit"]
