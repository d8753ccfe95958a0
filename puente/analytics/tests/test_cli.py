import csv
import io
import json

import pytest
from django.core.management import CommandError, call_command

from puente.analytics.tests.test_consolidation import YEAR, add, world  # noqa: F401

pytestmark = pytest.mark.django_db


def test_people_reached_cli_csv_and_json(world, capsys):  # noqa: F811
    add(world["A"], "HEA-02", 100, month=1)
    add(world["A"], "HEA-02", 20, total=90, month=2)
    add(world["B"], "FSC-01", 50, month=2, country="PER", admin1="PE-LIM", group="in-transit")

    call_command("people_reached", "--year", str(YEAR), "--through", f"{YEAR}-02")
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert rows == [{"monthly": "140", "consolidated": "170"}]

    call_command(
        "people_reached",
        "--year",
        str(YEAR),
        "--through",
        f"{YEAR}-02",
        "--by",
        "country,admin1,sector,population_group",
        "--format",
        "json",
    )
    assert json.loads(capsys.readouterr().out) == [
        {
            "country": "COL",
            "admin1": "CO-ATL",
            "sector": "HEA",
            "population_group": "in-destination",
            "monthly": 90,
            "consolidated": 120,
        },
        {
            "country": "PER",
            "admin1": "PE-LIM",
            "sector": "FSC",
            "population_group": "in-transit",
            "monthly": 50,
            "consolidated": 50,
        },
    ]
    call_command(
        "people_reached",
        "--year",
        str(YEAR),
        "--through",
        f"{YEAR}-02",
        "--country",
        "PER",
        "--format",
        "json",
    )
    assert json.loads(capsys.readouterr().out) == [{"monthly": 50, "consolidated": 50}]


@pytest.mark.parametrize(
    "args,message",
    [
        (["--through", "2024-02"], "--through: “2024-02” is not a month"),
        (["--through", f"{YEAR}-02", "--by", "planet"], "--by: by takes"),
        (["--through", f"{YEAR}-02", "--country", "XXX"], "“XXX” is not one of the response's"),
    ],
)
def test_people_reached_cli_rejects_bad_arguments(args, message):
    with pytest.raises(CommandError, match=message):
        call_command("people_reached", "--year", str(YEAR), *args)


def test_people_reached_api_matches_the_cli(world, make_user, capsys):  # noqa: F811
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    add(world["A"], "HEA-02", 100, month=1)
    add(world["B"], "FSC-01", 50, month=1, country="PER", admin1="PE-LIM")
    client = APIClient()
    client.credentials(
        HTTP_AUTHORIZATION="Token "
        + Token.objects.create(user=make_user("partner-viewer", "organisation:A")).key
    )
    response = client.get(
        "/api/people-reached/", {"year": YEAR, "through": f"{YEAR}-01", "by": "country"}
    )
    call_command(
        "people_reached",
        "--year",
        str(YEAR),
        "--through",
        f"{YEAR}-01",
        "--by",
        "country",
        "--format",
        "json",
    )
    assert response.json() == json.loads(capsys.readouterr().out)
    assert response.json() == [
        {"country": "COL", "monthly": 100, "consolidated": 100},
        {"country": "PER", "monthly": 50, "consolidated": 50},
    ]
    bad = client.get("/api/people-reached/", {"year": YEAR, "through": "2020-01"})
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "invalid_month"
