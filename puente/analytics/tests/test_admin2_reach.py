"""People reached by admin-2 area: the rule of docs/methodology.md run per admin-2 area,
over the rows that name one (`puente people-reached --by admin2`)."""

import json

import pytest
from django.core.management import call_command

from puente.analytics.tests.test_consolidation import YEAR, add, world  # noqa: F401
from puente.reference.models import Admin1, Admin2, Country

pytestmark = pytest.mark.django_db


@pytest.fixture
def atlantico_rows(world):  # noqa: F811
    """January in Atlántico (people in destination, health):
    A: HEA-02 100 in Soledad, HEA-03 80 in Barranquilla; B: HEA-02 30 in Soledad;
    C: HEA-02 50 naming no admin-2 area."""
    colombia = Country.objects.get(iso3="COL")
    atlantico = Admin1.objects.get(iso_code="CO-ATL")
    soledad = Admin2.objects.create(
        country=colombia, admin1=atlantico, pcode="CO08758", name="Soledad"
    )
    barranquilla = Admin2.objects.create(
        country=colombia, admin1=atlantico, pcode="CO08001", name="Barranquilla"
    )
    for org, indicator, new, area in (
        ("A", "HEA-02", 100, soledad),
        ("A", "HEA-03", 80, barranquilla),
        ("B", "HEA-02", 30, soledad),
        ("C", "HEA-02", 50, None),
    ):
        row = add(world[org], indicator, new, month=1)
        if area is not None:
            row.admin2, row.admin2_area = area.name, area
            row.save(update_fields=["admin2", "admin2_area"])


def reached(capsys, *args):
    call_command(
        "people_reached",
        "--year",
        str(YEAR),
        "--through",
        f"{YEAR}-01",
        "--format",
        "json",
        *args,
    )
    return json.loads(capsys.readouterr().out)


def test_people_reached_by_admin2_follow_the_rule_per_area(atlantico_rows, capsys):
    # Soledad: A max(100) + B 30 = 130. Barranquilla: A 80. C names no area: in neither.
    assert reached(capsys, "--by", "admin2") == [
        {"admin2": "CO08001", "monthly": 80, "consolidated": 80},
        {"admin2": "CO08758", "monthly": 130, "consolidated": 130},
    ]
    # Atlántico by the rule: A max(100, 80) + B 30 + C 50 = 180, not 80 + 130 (+ 50)
    assert reached(capsys, "--by", "admin1") == [
        {"admin1": "CO-ATL", "monthly": 180, "consolidated": 180},
    ]


def test_admin2_beside_admin1_and_within_an_admin1_filter(atlantico_rows, capsys):
    assert reached(capsys, "--by", "admin1,admin2") == [
        {"admin1": "CO-ATL", "admin2": "CO08001", "monthly": 80, "consolidated": 80},
        {"admin1": "CO-ATL", "admin2": "CO08758", "monthly": 130, "consolidated": 130},
    ]
    assert reached(capsys, "--by", "admin2", "--admin1", "CO-ANT") == []
    assert len(reached(capsys, "--by", "admin2", "--admin1", "CO-ATL")) == 2


def test_the_api_groups_by_admin2_as_the_cli_does(atlantico_rows, make_user, capsys):
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    client = APIClient()
    client.credentials(
        HTTP_AUTHORIZATION="Token "
        + Token.objects.create(user=make_user("partner-viewer", "organisation:A")).key
    )
    response = client.get(
        "/api/people-reached/", {"year": YEAR, "through": f"{YEAR}-01", "by": "admin2"}
    )
    assert response.status_code == 200
    assert response.json() == reached(capsys, "--by", "admin2")
    assert [(r["admin2"], r["consolidated"]) for r in response.json()] == [
        ("CO08001", 80),
        ("CO08758", 130),
    ]


def test_the_dashboard_of_an_admin1_with_areas_drills_down_to_them(
    atlantico_rows, client, make_user
):
    from django.urls import reverse

    from puente.analytics.services.cube import cube_refresh

    cube_refresh(country_ids=list(Country.objects.values_list("id", flat=True)), year=YEAR)
    client.force_login(make_user("regional-admin", "region"))
    params = {"year": YEAR, "month": 1, "admin1": "CO-ATL"}
    # when Atlántico, which has municipalities, is opened
    data = client.get(reverse("analytics:data"), params).json()
    # then its table lists them (rule per area), its headline stays the admin-1 figure
    assert data["drill_by"] == "admin2"
    assert data["headline"]["consolidated"] == 180
    assert [
        (r["code"], r["label"], r["consolidated"], r["explain_url"]) for r in data["table"]
    ] == [
        ("CO08001", "Barranquilla", 80, None),
        ("CO08758", "Soledad", 130, None),
    ]
    page = client.get(reverse("analytics:dashboard"), params)
    assert "By admin-2 area" in page.content.decode()
    export = client.get(
        reverse("analytics:export", kwargs={"file_format": "csv"}), params
    ).content.decode()
    assert "admin2" in export.splitlines()[0] and "CO08758" in export
    # an admin-1 without areas still lists its sectors
    antioquia = client.get(reverse("analytics:data"), {**params, "admin1": "CO-ANT"}).json()
    assert antioquia["drill_by"] == "sector"
