"""The flows dashboard reads counts and survey summaries live: it says so, with the
time it read them, and when the newest count was stored; its chart data give `as_of`."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import translation

from puente.flows.models import FlowCount
from puente.flows.tests.test_pages import _data, flows  # noqa: F401

pytestmark = pytest.mark.django_db

STORED = dt.datetime(2026, 11, 30, 9, 15, tzinfo=dt.UTC)
LATER = dt.datetime(2026, 11, 30, 16, 40, tzinfo=dt.UTC)


def _get(client, name):
    client.cookies["django_language"] = "en"
    with translation.override("en"):
        return client.get(reverse(name), {"start": "2026-03-01"})


def test_the_dashboard_says_its_figures_are_read_live_and_when_counts_were_stored(
    client,
    make_user,
    flows,  # noqa: F811
):
    client.force_login(make_user("regional-admin", "region"))
    # given counts stored at STORED
    FlowCount.objects.update(updated_at=STORED)
    # when the dashboard is read
    response = _get(client, "flows:dashboard")
    page = response.content.decode()
    # then it says it reads live, and when the newest count was stored
    assert 'id="figures-as-of" data-live="true"' in page
    assert "Figures read live, " in page
    assert "The newest count was stored on Nov. 30, 2026, 09:15 UTC" in page
    as_of = dt.datetime.fromisoformat(_data(response)["as_of"])
    assert as_of > STORED

    # given one count stored again, later
    FlowCount.objects.filter(nationality="HTI").update(updated_at=LATER)
    # then the page says the later time
    page = _get(client, "flows:dashboard").content.decode()
    assert "The newest count was stored on Nov. 30, 2026, 16:40 UTC" in page


def test_the_public_page_counts_only_its_public_points(client, flows):  # noqa: F811
    # given the newest count at a point that is not public
    FlowCount.objects.update(updated_at=STORED)
    FlowCount.objects.filter(point=flows["tumbes"]).update(updated_at=LATER)
    # then the public page says the newest of its own points
    page = _get(client, "public-flows").content.decode()
    assert "Figures read live, " in page
    assert "The newest count was stored on Nov. 30, 2026, 09:15 UTC" in page
    assert "16:40" not in page
