"""The demo looks like the response: population in proportion to the Venezuelans each
country hosts, people in need never above their group's population, everyone reached in
January new in the year, targets and requirements of the RMRP's order (above IOM's own
part), agencies asking in their usual order, a plausible stock, and activities written in
the country's language."""

import pytest
from django.core.management import call_command
from django.db.models import Sum

from puente.demo.reporting import ACTIVITIES
from puente.needs.models import NeedFigure, PopulationFigure
from puente.plans.models import Plan, PlanEntry, PlanningFigure
from puente.plans.selectors import plan_summary
from puente.reference.models import Country, Measure
from puente.reporting.models import ActivityRow

pytestmark = pytest.mark.django_db


def test_the_demo_keeps_the_response_invariants():
    call_command("demo_data", "--seed", "11")
    year = 2025

    # population by country in the order of the Venezuelans hosted, about 6.59 million
    population = dict(
        PopulationFigure.objects.filter(year=year)
        .values("country__iso3")
        .annotate(people=Sum("population"))
        .values_list("country__iso3", "people")
    )
    largest = sorted(population, key=population.get, reverse=True)
    assert largest[:2] == ["COL", "PER"]
    assert set(largest[2:5]) == {"BRA", "CHL", "ECU"}
    assert 5_800_000 < sum(population.values()) < 7_400_000
    assert population["PRY"] < population["ECU"] / 20

    # people in need of every sector never above the population of their group
    by_group = {
        (f.country_id, f.population_group_id): f.population
        for f in PopulationFigure.objects.filter(year=year)
    }
    needs = (
        NeedFigure.objects.filter(year=year)
        .values("country_id", "sector_id", "population_group_id")
        .annotate(people=Sum("people_in_need"))
    )
    assert needs
    for need in needs:
        assert need["people"] <= by_group[(need["country_id"], need["population_group_id"])]

    # everyone reached in a January is new in that year
    january = ActivityRow.objects.filter(month__month=1, indicator__measure="people-reached")
    totals = january.aggregate(new=Sum("new_beneficiaries"), monthly=Sum("total_monthly"))
    assert totals["monthly"] and totals["new"] == totals["monthly"]

    # the RMRP targets and asks more than IOM's part of it, in the RMRP's order
    rmrp, appeal = Plan.objects.get(code="rmrp-2025-2026"), Plan.objects.get(kind="agency")
    whole, iom = plan_summary(rmrp, year=year), plan_summary(appeal, year=year)
    assert whole["people_targeted"] > iom["people_targeted"] == 1_297_760
    assert 1_000_000_000 < whole["requirement_usd"] < 3_000_000_000
    asked = dict(
        PlanEntry.objects.filter(plan=rmrp, year=year, status="approved")
        .values("organisation__acronym")
        .annotate(usd=Sum("requirement_usd"))
        .values_list("organisation__acronym", "usd")
    )
    assert asked["WFP"] > asked["UNWOMEN"] and asked["UNHCR"] > asked["UNWOMEN"]

    # targets per admin-1 area in Colombia and Peru: a sector's areas never add up to
    # more than its country target, so the country's figures stay the country's
    areas = (
        PlanningFigure.objects.filter(year=year, admin1__isnull=False, indicator__isnull=True)
        .values("country_id", "sector_id", "population_group_id")
        .annotate(people=Sum("people"))
    )
    assert {a["country_id"] for a in areas} == set(
        Country.objects.filter(iso3__in=["COL", "PER"]).values_list("pk", flat=True)
    )
    whole = {
        (f.country_id, f.sector_id, f.population_group_id): f.people
        for f in PlanningFigure.objects.filter(
            year=year, admin1__isnull=True, indicator__isnull=True
        )
    }
    for area in areas:
        key = (area["country_id"], area["sector_id"], area["population_group_id"])
        assert area["people"] <= whole[key]
    # and a handful of indicators with targets of their own, above what was done
    indicators = PlanningFigure.objects.filter(year=year, indicator__isnull=False)
    assert 2 <= indicators.values("indicator_id").distinct().count() <= 10
    assert all(f.sector_id == f.indicator.sector_id for f in indicators.select_related("indicator"))

    # a stock is a level: a few hundred support spaces, not hundreds of thousands
    stock = ActivityRow.objects.filter(indicator__measure=Measure.STOCK)
    latest = stock.order_by("-month").values_list("month", flat=True).first()
    assert 0 < stock.filter(month=latest).aggregate(q=Sum("quantity"))["q"] < 3_000

    # activities in the language of the country
    for iso3, language in [("BRA", "pt"), ("GUY", "en"), ("TTO", "en"), ("PER", "es")]:
        texts = set(
            ActivityRow.objects.filter(country__iso3=iso3).values_list("activity", flat=True)
        )
        assert texts and texts <= set(ACTIVITIES[language].values()), iso3
