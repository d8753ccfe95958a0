"""What a partner may see of other organisations: aggregates only, on every door that reads
people reached (dashboard page and JSON, explain, exports, the API). An organisation filter
is allowed only where the reader's scope covers every row it would count."""

import re

import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from puente.analytics.services.cube import cube_refresh
from puente.analytics.tests.test_consolidation import YEAR, add, world  # noqa: F401
from puente.reference.models import Country

pytestmark = pytest.mark.django_db


@pytest.fixture
def figures(world):  # noqa: F811
    add(world["A"], "HEA-02", 100, country="COL", admin1="CO-ATL")
    add(world["B"], "HEA-02", 40, country="COL", admin1="CO-ATL")
    add(world["B"], "FSC-01", 90, country="COL", admin1="CO-ATL")
    add(world["B"], "HTR-01", 70, country="PER", admin1="PE-LIM", group="in-transit")
    cube_refresh(country_ids=list(Country.objects.values_list("id", flat=True)), year=YEAR)
    return world


def params(**extra):
    return {"year": YEAR, "month": 1, **extra}


DOORS = [
    ("analytics:data", ()),
    ("analytics:dashboard", ()),
    ("analytics:explain", ()),
    ("analytics:export", ("csv",)),
    ("analytics:export", ("xlsx",)),
    ("analytics:export", ("hxl",)),
]


@pytest.mark.parametrize(("name", "args"), DOORS)
@pytest.mark.parametrize("role", ["partner-reporter", "partner-viewer"])
def test_partner_cannot_filter_by_another_organisation(
    client, make_user, figures, name, args, role
):
    # given a partner of A
    client.force_login(make_user(role, "organisation:A"))
    # when asking for B's figures, with or without a country
    for extra in ({}, {"country": "COL"}, {"admin1": "CO-ATL", "sector": "HEA"}):
        response = client.get(reverse(name, args=args), params(org="B", **extra))
        # then refused, and B's figures are nowhere in the answer
        assert response.status_code == 403, (name, extra)
        body = response.content.decode("utf-8", "replace")
        # (as figures: a random token of the page may hold the digits)
        assert not re.search(r"(?<![\w-])(130|200)(?![\w-])", body), (name, extra)
        if name in ("analytics:data", "analytics:export"):
            error = response.json()["error"]
            assert error["code"] == "permission_denied"
            assert error["detail"]["org"]["code"] == "permission_denied"


def test_partner_sees_own_organisation_and_the_aggregates(client, make_user, figures):
    client.force_login(make_user("partner-reporter", "organisation:A"))
    own = client.get(reverse("analytics:data"), params(org="a")).json()
    assert own["headline"]["consolidated"] == 100
    # without an organisation filter: the same figures as the public dashboard
    everyone = client.get(reverse("analytics:data"), params(country="COL")).json()
    public = client.get(reverse("public-dashboard-data"), params(country="COL")).json()
    assert everyone["headline"]["consolidated"] == public["headline"]["consolidated"] == 140
    assert everyone["table"][0]["consolidated"] == public["table"][0]["consolidated"]
    assert client.get(reverse("analytics:explain"), params(org="A")).status_code == 200


def test_dashboard_page_refuses_another_organisation_with_the_filter_form(
    client, make_user, figures
):
    client.force_login(make_user("partner-viewer", "organisation:A"))
    page = client.get(reverse("analytics:dashboard"), params(org="B"))
    assert page.status_code == 403
    assert page.context["query"] is None
    assert "org" in page.context["errors"]
    assert "You may not see the figures of B on their own" in page.content.decode()


def test_people_reached_api_refuses_another_organisation(make_user, figures):
    api = APIClient()
    user = make_user("partner-viewer", "organisation:A")
    api.credentials(HTTP_AUTHORIZATION="Token " + Token.objects.create(user=user).key)
    query = {"year": YEAR, "through": f"{YEAR}-01", "by": "admin1,sector"}
    refused = api.get("/api/people-reached/", {**query, "org": "B"})
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "permission_denied"
    own = api.get("/api/people-reached/", {**query, "org": "A"})
    assert own.status_code == 200
    assert [(r["admin1"], r["consolidated"]) for r in own.json()] == [("CO-ATL", 100)]


@pytest.mark.parametrize(
    ("role", "scope", "extra", "allowed"),
    [
        ("regional-admin", "region", {}, True),
        ("platform-im-officer", "country:COL", {}, False),  # B's figures in Peru too
        ("platform-im-officer", "country:COL", {"country": "COL"}, True),
        ("platform-im-officer", "country:COL", {"admin1": "CO-ATL"}, True),
        ("platform-im-officer", "country:COL", {"country": "PER"}, False),
        ("platform-im-officer", "platform:peru", {"country": "PER"}, True),
        ("sector-coordinator", "sector:COL/HEA", {"country": "COL"}, False),
        ("sector-coordinator", "sector:COL/HEA", {"country": "COL", "sector": "HEA"}, True),
        ("sector-coordinator", "sector:COL/HEA", {"country": "PER", "sector": "HEA"}, False),
        ("sector-coordinator", "sector:HEA", {"sector": "HEA"}, True),
        ("sector-coordinator", "sector:HEA", {}, False),
        ("partner-reporter", "organisation:A", {"country": "COL"}, False),
    ],
)
def test_organisation_filter_follows_the_scope(
    client, make_user, figures, role, scope, extra, allowed
):
    client.force_login(make_user(role, scope))
    response = client.get(reverse("analytics:data"), params(org="B", **extra))
    assert response.status_code == (200 if allowed else 403)


def test_completeness_names_organisations_only_to_readers_of_the_whole_country(
    client, make_user, figures
):
    client.force_login(make_user("partner-viewer", "organisation:A"))
    page = client.get(reverse("analytics:dashboard"), params(country="COL"))
    assert page.status_code == 200 and page.context["completeness"] is None
    assert "Not yet reported" not in page.content.decode()
    client.force_login(make_user("platform-im-officer", "country:COL"))
    page = client.get(reverse("analytics:dashboard"), params(country="COL"))
    assert page.context["completeness"] is not None


def test_explain_hides_the_appealing_organisation_of_a_row_the_partner_only_implemented(
    client, make_user, figures
):
    # given a row of B carried out by A (A is its implementing organisation)
    row = add(figures["B"], "SHE-01", 25, country="COL", admin1="CO-ANT")
    row.implementing_org = figures["A"]
    row.save(update_fields=["implementing_org"])
    add(figures["B"], "SHE-01", 500, country="COL", admin1="CO-ANT")
    cube_refresh(country_ids=list(Country.objects.values_list("id", flat=True)), year=YEAR)
    client.force_login(make_user("partner-reporter", "organisation:A"))
    # when A explains the area's figure
    page = client.get(reverse("analytics:explain"), params(admin1="CO-ANT"))
    # then B's rows, that one included, are shown without their organisation, and no step
    # names B or gives B's total beside its name
    assert page.status_code == 200
    assert page.context["rows"] == [] and page.context["hidden"] == 2
    assert page.context["hidden_counted"] == 525
    body = page.content.decode()
    assert "of B" not in body and ">B<" not in body and 'id="explain-table"' not in body
    assert "together their kept rows add 525 people" in body
