"""Every dashboard says when its figures were made: the cube's refresh of the country
shown, the newest country's for the region, "read live" for figures read from their
records; the dashboard JSON gives the same time as `as_of` (ISO-8601 UTC)."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import translation

from puente.analytics.models import CubeState
from puente.analytics.services.cube import cube_refresh
from puente.analytics.tests.test_consolidation import YEAR, add, world  # noqa: F401
from puente.plans.models import Plan
from puente.reference.models import Country

pytestmark = pytest.mark.django_db

FIRST = dt.datetime(2026, 11, 30, 14, 5, tzinfo=dt.UTC)
LATER = dt.datetime(2026, 11, 30, 18, 42, tzinfo=dt.UTC)


def _refresh(capture, *, at, iso3s=None):
    """Refresh the cube (its version changes once committed, as in production) and set
    the time it records, so the test knows it."""
    countries = Country.objects.all() if iso3s is None else Country.objects.filter(iso3__in=iso3s)
    ids = list(countries.values_list("id", flat=True))
    with capture(execute=True):
        cube_refresh(country_ids=ids, year=YEAR)
    CubeState.objects.filter(year=YEAR, country_id__in=ids).update(refreshed_at=at)


@pytest.fixture
def figures(world, django_capture_on_commit_callbacks):  # noqa: F811
    add(world["A"], "HEA-02", 100, country="COL", admin1="CO-ATL")
    add(world["C"], "HTR-01", 70, country="PER", admin1="PE-LIM", group="in-transit")
    _refresh(django_capture_on_commit_callbacks, at=FIRST)
    return world


def _as_of(page: str) -> str:
    match = re.search(r'<p class="note as-of" id="figures-as-of"[^>]*>(.*?)</p>', page, re.S)
    assert match, "the page says when its figures were made"
    return re.sub(r"<[^>]+>", "", match.group(1)).strip()


def _datetime_attr(page: str) -> str:
    match = re.search(r'id="figures-as-of"[^>]*><time datetime="([^"]+)"', page)
    assert match
    return match.group(1)


def _get(client, name, **params):
    client.cookies["django_language"] = "en"
    with translation.override("en"):
        return client.get(reverse(name), {"year": YEAR, "month": 1, **params})


def test_the_dashboard_and_its_json_say_the_time_of_the_latest_refresh(
    client, make_user, figures, django_capture_on_commit_callbacks
):
    client.force_login(make_user("platform-im-officer", "country:COL"))
    # given the cube refreshed at FIRST
    # when the country's dashboard and its JSON are read
    page = _get(client, "analytics:dashboard", country="COL").content.decode()
    data = _get(client, "analytics:data", country="COL").json()
    # then both say FIRST
    assert _as_of(page) == "Figures as of Nov. 30, 2026, 14:05 UTC"
    assert _datetime_attr(page) == "2026-11-30T14:05:00Z"
    assert (data["as_of"], data["as_of_live"]) == ("2026-11-30T14:05:00Z", False)

    # given Colombia's cube refreshed again, later
    _refresh(django_capture_on_commit_callbacks, at=LATER, iso3s=["COL"])
    # then the page and the JSON say the new time
    page = _get(client, "analytics:dashboard", country="COL").content.decode()
    data = _get(client, "analytics:data", country="COL").json()
    assert _as_of(page) == "Figures as of Nov. 30, 2026, 18:42 UTC"
    assert data["as_of"] == "2026-11-30T18:42:00Z"


def test_the_region_is_as_of_its_latest_change(
    client, make_user, figures, django_capture_on_commit_callbacks
):
    client.force_login(make_user("regional-admin", "region"))
    # given Colombia's cube refreshed at LATER (its 5W changed), every other still at FIRST
    _refresh(django_capture_on_commit_callbacks, at=LATER, iso3s=["COL"])
    # then the region holds that change: it is as of LATER; Colombia too; Peru as of FIRST
    region = _get(client, "analytics:dashboard").content.decode()
    assert _as_of(region) == "Figures as of Nov. 30, 2026, 18:42 UTC"
    assert _get(client, "analytics:data").json()["as_of"] == "2026-11-30T18:42:00Z"
    colombia = _get(client, "analytics:data", country="COL").json()
    assert colombia["as_of"] == "2026-11-30T18:42:00Z"
    assert _get(client, "analytics:data", country="PER").json()["as_of"] == "2026-11-30T14:05:00Z"

    # given Peru refreshed, later still
    _refresh(django_capture_on_commit_callbacks, at=LATER + dt.timedelta(hours=1), iso3s=["PER"])
    # then the region moves to that time
    region = _get(client, "analytics:dashboard").content.decode()
    assert _as_of(region) == "Figures as of Nov. 30, 2026, 19:42 UTC"
    assert _get(client, "analytics:data").json()["as_of"] == "2026-11-30T19:42:00Z"


def test_the_public_page_and_its_json_say_the_cube_time(client, figures):
    page = _get(client, "public-dashboard").content.decode()
    assert _as_of(page) == "Figures as of Nov. 30, 2026, 14:05 UTC"
    data = _get(client, "public-dashboard-data", country="PER").json()
    assert data["as_of"] == "2026-11-30T14:05:00Z"


def test_an_organisations_own_figures_say_they_are_read_live(client, make_user, figures):
    # given a regional admin reading organisation A's own figures (read from the 5W rows)
    client.force_login(make_user("regional-admin", "region"))
    page = _get(client, "analytics:dashboard", org="A").content.decode()
    data = _get(client, "analytics:data", org="A").json()
    # then they are not as of the cube's refresh but read live
    assert _as_of(page).startswith("Figures read live, ")
    assert 'data-live="true"' in page
    assert data["as_of_live"] is True
    assert data["as_of"] != "2026-11-30T14:05:00Z"
    read = dt.datetime.fromisoformat(data["as_of"])
    assert read > FIRST


def test_the_page_speaks_the_readers_language(client, figures):
    client.cookies["django_language"] = "es"
    page = client.get(reverse("public-dashboard"), {"year": YEAR, "month": 1}).content.decode()
    # The month's name in Spanish, the time the same.
    assert _as_of(page) == "Cifras al 30 de noviembre de 2026, 14:05 UTC"
    client.cookies["django_language"] = "pt"
    page = client.get(reverse("public-dashboard"), {"year": YEAR, "month": 1}).content.decode()
    # Portuguese writes the month in lowercase too
    assert _as_of(page) == "Dados atualizados em 30 de novembro de 2026, 14:05 UTC"


def test_the_gap_page_says_the_cube_time_of_the_countries_shown(
    client, make_user, figures, django_capture_on_commit_callbacks
):
    client.force_login(make_user("regional-admin", "region"))
    _refresh(django_capture_on_commit_callbacks, at=LATER, iso3s=["COL"])
    client.cookies["django_language"] = "en"
    with translation.override("en"):
        region = client.get(reverse("gap"), {"year": YEAR}).content.decode()
        colombia = client.get(reverse("gap"), {"year": YEAR, "country": "COL"}).content.decode()
        peru = client.get(reverse("gap"), {"year": YEAR, "country": "PER"}).content.decode()
    assert _as_of(region) == "Figures as of Nov. 30, 2026, 18:42 UTC"
    assert _as_of(colombia) == "Figures as of Nov. 30, 2026, 18:42 UTC"
    assert _as_of(peru) == "Figures as of Nov. 30, 2026, 14:05 UTC"


def test_the_needs_funding_and_feedback_pages_say_they_are_read_live(client, make_user):
    # given a plan, whose funding the funding page shows
    Plan.objects.create(
        code="rmrp", name_en="RMRP", kind="inter-agency", start_year=YEAR, end_year=YEAR
    )
    client.force_login(make_user("regional-admin", "region"))
    client.cookies["django_language"] = "en"
    with translation.override("en"):
        needs = client.get(reverse("needs:needs"), {"year": YEAR}).content.decode()
        funding = client.get(reverse("funding:funding"), {"plan": "rmrp"}).content.decode()
        feedback = client.get(reverse("feedback:dashboard")).content.decode()
    # then each reads its records at each request, and says so
    for page in (needs, funding, feedback):
        assert _as_of(page).startswith("Figures read live, ")
