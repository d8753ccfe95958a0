"""The 5W row filters, read by one parser for the API, the rows page, the review page and
the exports: a value that names nothing is an error naming its parameter, never every
row."""

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from puente.core.errors import ApplicationError
from puente.reporting.filters import RowFilters
from puente.reporting.models import ActivityRow
from puente.reporting.services.imports import rows_import
from puente.reporting.tests.conftest import good_row, last_month

pytestmark = pytest.mark.django_db

BAD_FILTERS = [
    ("country", "PERU", "unknown_country"),
    ("admin1", "CO-XXX", "unknown_admin1"),
    ("sector", "HEALTH", "unknown_sector"),
    ("indicator", "HEA-99", "unknown_indicator"),
    ("appealing_org", "NOPE", "unknown_organisation"),
    ("implementing_org", "NOPE", "unknown_organisation"),
    ("population_group", "tourists", "unknown_population_group"),
    ("status", "approved", "invalid_status"),
    ("month", "March", "invalid_month"),
    ("month", "2026-13", "invalid_month"),
    ("year", "2,026", "invalid_year"),
    ("year", "26", "invalid_year"),
]


@pytest.fixture
def rows(orgs):
    report = rows_import(
        rows=enumerate(
            [
                good_row(),
                good_row(appealing_org="ORGB", country="PER", admin1="Lima"),
                good_row(country="PER", admin1="Lima", indicator="PRO-GBV-01"),
            ],
            start=2,
        ),
        acting_user=None,
    )
    assert report.ok, report.errors
    return ActivityRow.objects.all()


def api(user):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


@pytest.mark.parametrize("name,value,code", BAD_FILTERS)
def test_api_refuses_a_filter_that_names_nothing(rows, make_user, name, value, code):
    response = api(make_user("regional-admin", "region")).get("/api/5w/rows/", {name: value})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid_filter"
    assert name in error["message"]
    assert error["detail"] == {
        name: {"code": code, "message": error["detail"][name]["message"], "value": value}
    }


@pytest.mark.parametrize(
    "query,expected",
    [
        ({"country": "per"}, 2),
        ({"country": "PER", "sector": "PRO"}, 1),
        ({"admin1": "CO-ATL"}, 1),
        ({"indicator": "pro-gbv-01"}, 1),
        ({"appealing_org": "orgb"}, 1),
        ({"population_group": "in-destination"}, 3),
        ({"status": "submitted", "month": last_month()}, 3),
        ({"year": last_month()[:4]}, 3),
        ({"month": "", "country": ""}, 3),
    ],
)
def test_api_filters_by_every_known_code(rows, make_user, query, expected):
    response = api(make_user("regional-admin", "region")).get("/api/5w/rows/", query)
    assert response.status_code == 200
    assert response.json()["count"] == expected


def test_api_names_every_wrong_parameter_at_once(rows, make_user):
    response = api(make_user("regional-admin", "region")).get(
        "/api/5w/rows/?country=PERU&month=March&limit=5"
    )
    assert response.status_code == 400
    assert set(response.json()["error"]["detail"]) == {"country", "month"}


@pytest.mark.parametrize("name,value,code", BAD_FILTERS)
def test_rows_page_shows_a_wrong_filter_as_a_form_error(client, rows, make_user, name, value, code):
    client.force_login(make_user("regional-admin", "region"))
    response = client.get(reverse("reporting:rows"), {name: value})
    assert response.status_code == 400
    assert response.context["form"].errors[name]
    assert len(response.context["page"].object_list) == 0
    assert "ORGB" not in response.content.decode()


def test_rows_page_lists_the_filtered_rows(client, rows, make_user):
    client.force_login(make_user("regional-admin", "region"))
    response = client.get(reverse("reporting:rows"), {"country": "PER", "sector": "PRO"})
    assert response.status_code == 200
    assert [r.indicator.code for r in response.context["page"]] == ["PRO-GBV-01"]


@pytest.mark.parametrize("file_format", ["csv", "xlsx", "hxl"])
def test_export_with_a_wrong_filter_downloads_nothing(client, rows, make_user, file_format):
    client.force_login(make_user("regional-admin", "region"))
    response = client.get(reverse("reporting:export", args=[file_format]), {"country": "PERU"})
    assert response.status_code == 400
    assert "Content-Disposition" not in response
    assert response.context["form"].errors["country"]


def test_export_follows_the_filters(client, rows, make_user):
    client.force_login(make_user("regional-admin", "region"))
    response = client.get(reverse("reporting:export", args=["csv"]), {"country": "PER"})
    lines = response.content.decode("utf-8-sig").strip().splitlines()
    assert len(lines) == 1 + 2


def test_review_page_shows_a_wrong_filter_as_a_form_error(client, rows, make_user):
    client.force_login(make_user("regional-admin", "region"))
    response = client.get(reverse("reporting:review"), {"month": "2026-13"})
    assert response.status_code == 400
    assert response.context["form"].errors["month"]
    assert response.context["items"] == []


@given(st.text(max_size=12))
def test_month_parser_accepts_only_real_months(text):
    try:
        filters = RowFilters.parse({"month": text})
    except ApplicationError as exc:
        assert exc.code == "invalid_filter" and set(exc.extra) == {"month"}
    else:
        assert text.strip() == "" or filters.month is not None


@pytest.mark.parametrize(
    "field,value,code",
    [
        ("appealing_org", "NOPE", "unknown_organisation"),
        ("country", "PERU", "unknown_country"),
        ("month", "March", "invalid_month"),
        ("sector", "HEALTH", "unknown_sector"),
        ("decision", "approve", "invalid_decision"),
    ],
)
def test_api_review_names_the_field_that_names_nothing(rows, make_user, field, value, code):
    body = {
        "appealing_org": "ORGA",
        "country": "COL",
        "month": last_month(),
        "sector": "HEA",
        "decision": "validated",
        field: value,
    }
    response = api(make_user("sector-coordinator", "sector:COL/HEA")).post(
        "/api/5w/reviews/", body, format="json"
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert error["detail"][field]["code"] == code
    assert not ActivityRow.objects.filter(status="validated").exists()


def test_api_review_decides_with_known_codes(rows, make_user):
    response = api(make_user("sector-coordinator", "sector:COL/HEA")).post(
        "/api/5w/reviews/",
        {
            "appealing_org": "orga",
            "country": "col",
            "month": last_month(),
            "sector": "hea",
            "decision": "validated",
        },
        format="json",
    )
    assert response.status_code == 200 and response.json() == {"rows": 1}
