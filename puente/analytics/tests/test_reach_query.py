"""One reading of a reach query for every door: a mistyped filter or period is an error
on the dashboard pages, their JSON and exports, "explain this number", the API and the
CLI, never the whole region."""

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from puente.analytics.tests.test_consolidation import YEAR, add, world  # noqa: F401

pytestmark = pytest.mark.django_db

WRONG = [
    # (parameter, value as typed, code)
    ("country", "PERU", "unknown_country"),
    ("sector", "HEALTH", "unknown_sector"),
    ("population_group", "tourists", "unknown_population_group"),
    ("org", "NOPE", "unknown_organisation"),
    ("admin1", "CO-XXX", "unknown_admin1"),
    ("year", "2,026", "invalid_year"),
    ("year", "20x6", "invalid_year"),
    ("year", "1850", "invalid_year"),
    ("month", "March", "invalid_month"),
    ("month", "13", "invalid_month"),
    ("month", "0", "invalid_month"),
]


@pytest.fixture
def reached(world):  # noqa: F811
    add(world["A"], "HEA-02", 100, country="COL", admin1="CO-ATL")
    add(world["B"], "HTR-01", 70, country="PER", admin1="PE-LIM", group="in-transit")
    return world


def dashboard_params(name, value):
    params = {"year": YEAR, "month": 1, name: value}
    return params


@pytest.mark.parametrize("name,value,code", WRONG)
def test_a_wrong_filter_is_an_error_on_the_dashboard_doors(
    client, make_user, reached, name, value, code
):
    # given
    client.force_login(make_user("regional-admin", "region"))
    params = dashboard_params(name, value)
    # when / then: the JSON and the exports answer 400 in the API's error shape
    for url in (
        reverse("analytics:data"),
        reverse("analytics:export", args=["csv"]),
        reverse("public-dashboard-data"),
        reverse("public-export", args=["csv"]),
    ):
        if name == "org" and url.startswith("/public/"):
            continue  # not a filter of the public dashboard
        response = client.get(url, params)
        assert response.status_code == 400, url
        error = response.json()["error"]
        assert error["code"] == code
        assert value in error["message"]
        assert error["detail"][name]["code"] == code
    # the pages show the form with the error, and no figures
    for url in (reverse("analytics:dashboard"), reverse("public-dashboard")):
        if name == "org" and url.startswith("/public/"):
            continue
        page = client.get(url, params)
        assert page.status_code == 400
        body = page.content.decode()
        assert 'id="filter-errors"' in body and f'data-filter="{name}"' in body
        assert 'id="dashboard-filters"' in body
        assert 'id="dashboard"' not in body
    explain = client.get(reverse("analytics:explain"), params)
    assert explain.status_code == 400
    assert f'data-filter="{name}"' in explain.content.decode()
    assert "explain-table" not in explain.content.decode()


def test_every_wrong_filter_is_listed_and_messages_are_translated(client, make_user, reached):
    client.force_login(make_user("regional-admin", "region"))
    response = client.get(
        reverse("analytics:data"),
        {"year": "2,026", "month": "March", "country": "PERU"},
        HTTP_ACCEPT_LANGUAGE="es",
    )
    detail = response.json()["error"]["detail"]
    assert set(detail) == {"year", "month", "country"}
    assert detail["country"]["message"] == "“PERU” no es uno de los países de la respuesta."
    page = client.get(
        reverse("analytics:dashboard"), {"country": "PERU"}, HTTP_ACCEPT_LANGUAGE="es"
    )
    assert "“PERU” no es uno de los países de la respuesta." in page.content.decode()


def test_codes_are_read_whatever_their_case(client, make_user, reached):
    client.force_login(make_user("regional-admin", "region"))
    data = client.get(
        reverse("analytics:data"), {"year": YEAR, "month": 1, "country": "col", "sector": "hea"}
    ).json()
    assert data["filters"]["country"] == "COL" and data["headline"]["consolidated"] == 100


def test_an_admin1_area_of_another_country_is_an_error(client, make_user, reached):
    client.force_login(make_user("regional-admin", "region"))
    response = client.get(
        reverse("analytics:data"), {"year": YEAR, "month": 1, "country": "PER", "admin1": "CO-ATL"}
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "unknown_admin1"


@pytest.fixture
def api(make_user):
    client = APIClient()
    user = make_user("regional-admin", "region")
    client.credentials(HTTP_AUTHORIZATION="Token " + Token.objects.create(user=user).key)
    return client


@pytest.mark.parametrize("name,value,code", [w for w in WRONG if w[0] not in ("year", "month")])
def test_a_wrong_filter_is_a_400_of_the_people_reached_api(api, reached, name, value, code):
    response = api.get("/api/people-reached/", {"year": YEAR, "through": f"{YEAR}-01", name: value})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == code
    assert response.json()["error"]["detail"][name]["code"] == code


@pytest.mark.parametrize(
    "params,code",
    [
        ({"year": "2,026", "through": "2026-01"}, "invalid_year"),
        ({"year": YEAR, "through": "March"}, "invalid_month"),
        ({"year": YEAR, "through": f"{YEAR}-13"}, "invalid_month"),
        ({"year": YEAR}, "invalid_month"),
        ({"through": f"{YEAR}-01"}, "invalid_year"),
        ({"year": YEAR, "through": f"{YEAR}-01", "by": "planet"}, "invalid_grouping"),
    ],
)
def test_a_wrong_period_is_a_400_of_the_people_reached_api(api, reached, params, code):
    response = api.get("/api/people-reached/", params)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == code


def test_the_api_filters_as_the_dashboard_does(api, reached, client, make_user):
    figures = api.get(
        "/api/people-reached/",
        {"year": YEAR, "through": f"{YEAR}-01", "country": "COL", "sector": "HEA"},
    ).json()
    assert figures == [{"monthly": 100, "consolidated": 100}]
    client.force_login(make_user("regional-admin", "region"))
    data = client.get(
        reverse("analytics:data"), {"year": YEAR, "month": 1, "country": "COL", "sector": "HEA"}
    ).json()
    assert data["headline"]["consolidated"] == figures[0]["consolidated"]


@pytest.mark.parametrize(
    "args,message",
    [
        (["--year", "2,026", "--through", "2026-01"], r"--year: “2,026” is not a year \(YYYY\)\."),
        (["--year", str(YEAR), "--through", "March"], "--through: “March” is not a month"),
        (
            ["--year", str(YEAR), "--through", f"{YEAR}-01", "--country", "PERU"],
            "--country: “PERU”",
        ),
        (["--year", str(YEAR), "--through", f"{YEAR}-01", "--sector", "HEALTH"], "--sector"),
        (
            ["--year", str(YEAR), "--through", f"{YEAR}-01", "--population-group", "tourists"],
            "--population-group: “tourists” is not a population group.",
        ),
        (["--year", str(YEAR), "--through", f"{YEAR}-01", "--org", "NOPE"], "--org"),
        (["--year", str(YEAR), "--through", f"{YEAR}-01", "--admin1", "CO-XXX"], "--admin1"),
    ],
)
def test_a_wrong_filter_stops_the_cli(reached, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("people_reached", *args)


def test_the_cli_exits_non_zero_with_its_message_in_the_language_asked(reached, capsys):
    from puente.cli import main

    with pytest.raises(SystemExit) as exit_info:
        main(
            [
                "puente",
                "people-reached",
                "--year",
                str(YEAR),
                "--through",
                f"{YEAR}-01",
                "--country",
                "PERU",
                "--language",
                "es",
            ]
        )
    assert exit_info.value.code != 0
    assert "“PERU” no es uno de los países de la respuesta." in capsys.readouterr().err
