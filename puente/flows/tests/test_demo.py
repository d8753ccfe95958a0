"""The demo's flow monitoring: points in the five countries, three months of counts and
surveys, the same for a seed, replaced (never added to) when run again; the planning
command works on it; the last weeks in Colombia come in as submitted forms."""

import datetime as dt
import json
from io import StringIO

import pytest
from django.core.management import call_command

from puente.collect.models import Submission
from puente.collect.services.publishing import form_publish, project_create
from puente.flows.demo import demo_period, flows_demo_create
from puente.flows.models import FlowCount, FlowPoint, Source, SurveySummary
from puente.flows.survey import SHIPPED_FORMS
from puente.reference.models import Country

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


def _figures() -> tuple[set, list]:
    counts = set(
        FlowCount.objects.values_list(
            "point__code", "date", "direction", "nationality", "sex", "age_group", "transport",
            "people",
        )
    )  # fmt: skip
    surveys = sorted(
        SurveySummary.objects.values_list(
            "point__code", "date", "nationality", "sex", "age_group", "group_size", "transport",
            "destination", "documentation", "needs", "incidents",
        )
    )  # fmt: skip
    return counts, surveys


def test_the_last_weeks_in_colombia_come_in_as_forms_giving_the_same_figures(
    settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    # given the demo's figures, all written by the demo itself
    flows_demo_create(seed=4, today=TODAY)
    written = _figures()
    project = project_create(
        acting_user=None, code="fm-colombia", name="FM", country=Country.objects.get(iso3="COL")
    )
    for _definition, workbook in SHIPPED_FORMS:
        form_publish(
            acting_user=None, project=project, name=workbook.name, content=workbook.read_bytes()
        )
    # when the demo sends the last weeks in Colombia through the collection server
    with django_capture_on_commit_callbacks(execute=True):
        report = flows_demo_create(seed=4, today=TODAY, collect_project="fm-colombia")
    # then the figures are the same, made from the submissions
    assert _figures() == written
    assert report["tally_sheets"] == 56  # Colombia's 4 points, 17 to 30 April
    tallies = Submission.objects.filter(form__form_id="flow_monitoring_daily_count")
    assert tallies.count() == 56
    surveys = Submission.objects.filter(form__form_id="flow_monitoring_survey")
    assert surveys.count() == report["survey_submissions"]
    assert 200 < report["survey_submissions"] < 400  # 31 days at 4 points, 0 to 4 a day
    by_form = FlowCount.objects.filter(source=Source.FORM)
    assert set(by_form.values_list("point__country__iso3", flat=True)) == {"COL"}
    assert min(by_form.values_list("date", flat=True)) == dt.date(2026, 4, 17)
    assert set(by_form.values_list("submission_id", flat=True)) == set(
        tallies.values_list("instance_id", flat=True)
    )
    summaries = SurveySummary.objects.filter(source=Source.FORM)
    assert summaries.count() == report["survey_submissions"]
    assert min(summaries.values_list("date", flat=True)) == dt.date(2026, 3, 31)
    # and running it again changes nothing: the server holds those submissions already
    with django_capture_on_commit_callbacks(execute=True):
        again = flows_demo_create(seed=4, today=TODAY, collect_project="fm-colombia")
    assert again == report
    assert _figures() == written
    assert Submission.objects.count() == 56 + report["survey_submissions"]
