"""Plans, partners' entries, targets and needs over REST (docs/api.md): the same readers,
parsers, services and permissions as their pages."""

from decimal import Decimal

import pytest
from django.urls import reverse

from puente.needs.models import NeedFigure, PopulationFigure
from puente.partners.models import Organisation
from puente.plans.models import Plan, PlanEntry, PlanningFigure
from puente.reference.models import Country, PopulationGroup, Sector

pytestmark = pytest.mark.django_db


@pytest.fixture
def rmrp(db):
    plan = Plan.objects.create(
        code="rmrp-2025-2026",
        name_en="RMRP 2025-2026",
        kind="inter-agency",
        start_year=2025,
        end_year=2026,
        status=Plan.Status.PUBLISHED,
    )
    plan.countries.set(Country.objects.filter(iso3__in=["COL", "ECU"]))
    org = Organisation.objects.create(
        name="Fundación Local", acronym="LOCAL", type="national-ngo", appealing=True
    )
    org.countries.set(Country.objects.filter(iso3__in=["COL", "ECU"]))
    return plan


def _signed_in(client, user):
    client.force_login(user)
    return client


def _entry_body(**changes):
    body = {
        "organisation": "LOCAL",
        "country": "COL",
        "sector": "HEA",
        "year": 2025,
        "requirement_usd": "12500.50",
        "activities": "Consultas médicas",
        "targets": {"in-destination": 300, "in-transit": 40},
        "submit": True,
    }
    body.update(changes)
    return body


def test_a_partner_writes_an_entry_and_a_coordinator_approves_it(rmrp, client, make_user):
    reporter = make_user("partner-reporter", "organisation:LOCAL")
    url = reverse("api-plan-entries", args=[rmrp.code])
    response = _signed_in(client, reporter).post(
        url, _entry_body(), content_type="application/json"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["organisation"], body["country"], body["sector"], body["status"]) == (
        "LOCAL",
        "COL",
        "HEA",
        "submitted",
    )
    assert body["requirement_usd"] == 12500.5
    assert body["targets"] == {"in-destination": 300, "in-transit": 40}
    entry = PlanEntry.objects.get()
    assert entry.requirement_usd == Decimal("12500.50")

    # the sector coordinator of Colombia reviews it through the API
    coordinator = make_user("sector-coordinator", "sector:COL/HEA")
    review = reverse("api-plan-entry-review", args=[rmrp.code, entry.pk])
    client.force_login(coordinator)
    returned = client.post(review, {"decision": "returned"}, content_type="application/json")
    assert returned.status_code == 400
    assert returned.json()["error"]["code"] == "comment_required"
    approved = client.post(review, {"decision": "approved"}, content_type="application/json")
    assert approved.status_code == 200
    assert approved.json()["status"] == "approved"
    # the plan's figures now count it
    detail = client.get(reverse("api-plan", args=[rmrp.code]), {"year": "2025"}).json()
    assert detail["requirement_usd"] == 12500.5
    assert {r["country"]: r["requirement_usd"] for r in detail["countries"]} == {
        "COL": 12500.5,
        "ECU": 0,
    }


def test_an_entry_with_wrong_codes_is_refused_naming_each_field(rmrp, client, make_user):
    reporter = make_user("partner-reporter", "organisation:LOCAL")
    body = _entry_body(
        organisation="OTHER",
        country="PERU-X",
        sector="XYZ",
        requirement_usd="lots",
        targets={"aliens": 5},
    )
    response = _signed_in(client, reporter).post(
        reverse("api-plan-entries", args=[rmrp.code]), body, content_type="application/json"
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    # a body that is not even well typed: the field named
    assert set(error["detail"]) == {"requirement_usd"}
    body["requirement_usd"] = "125.00"
    response = client.post(
        reverse("api-plan-entries", args=[rmrp.code]), body, content_type="application/json"
    )
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert set(error["detail"]) == {"organisation", "country", "sector", "targets"}
    assert "“XYZ”" in error["detail"]["sector"][0]
    assert "“aliens”" in error["detail"]["targets"][0]
    assert PlanEntry.objects.count() == 0
    # a country outside the plan is the service's own refusal
    response = client.post(
        reverse("api-plan-entries", args=[rmrp.code]),
        _entry_body(country="PER"),
        content_type="application/json",
    )
    assert response.json()["error"]["code"] == "country_outside_plan"
    assert PlanEntry.objects.count() == 0


def test_entries_are_listed_with_the_pages_filters(rmrp, client, make_user):
    reporter = make_user("partner-reporter", "organisation:LOCAL")
    _signed_in(client, reporter)
    url = reverse("api-plan-entries", args=[rmrp.code])
    for country, sector in [("COL", "HEA"), ("ECU", "HEA"), ("COL", "FSC")]:
        body = _entry_body(country=country, sector=sector, submit=False)
        assert client.post(url, body, content_type="application/json").status_code == 201
    viewer = make_user("platform-im-officer", "platform:colombia")
    client.force_login(viewer)
    listed = client.get(url, {"country": "col"}).json()
    assert listed["count"] == 2
    assert {(r["country"], r["sector"]) for r in listed["results"]} == {
        ("COL", "HEA"),
        ("COL", "FSC"),
    }
    assert client.get(url, {"sector": "FSC"}).json()["count"] == 1
    # a value that names nothing is a 400 naming it, never every entry
    wrong = client.get(url, {"country": "PERU", "status": "maybe"})
    assert wrong.status_code == 400
    assert set(wrong.json()["error"]["detail"]) == {"country", "status"}
    assert client.get(url, {"year": "2030"}).status_code == 400


def test_plans_list_and_figures(client, make_user):
    from django.core.management import call_command

    from puente.plans.tests.conftest import SEED

    iom = Organisation.objects.create(
        name="International Organization for Migration",
        acronym="IOM",
        type="un-agency",
        appealing=True,
    )
    iom.countries.set(Country.objects.all())
    call_command("import_data", "plan", str(SEED), "--format", "json")
    officer = make_user("platform-im-officer", "platform:colombia")
    _signed_in(client, officer)
    plans = client.get(reverse("api-plans")).json()
    assert [p["code"] for p in plans] == ["iom-rmrp-2025-2026"]
    assert plans[0]["split"] == "illustrative"
    detail = client.get(reverse("api-plan", args=["iom-rmrp-2025-2026"]), {"year": 2025}).json()
    assert detail["requirement_usd"] == 516950391
    assert detail["people_targeted"] == 1297760
    assert len(detail["activity_areas"]) == 16
    assert sum(a["requirement_usd"] for a in detail["activity_areas"]) == 516950391
    wrong = client.get(reverse("api-plan", args=["iom-rmrp-2025-2026"]), {"year": "2031"})
    assert wrong.status_code == 400 and "year" in wrong.json()["error"]["detail"]
    assert client.get(reverse("api-plan", args=["nope"])).status_code == 404
    # a community feedback operator opens no plan
    client.force_login(make_user("cfm-operator", "country:COL"))
    assert client.get(reverse("api-plans")).status_code == 403


def test_targets_needs_and_population_tables(client, make_user):
    col, ecu = Country.objects.get(iso3="COL"), Country.objects.get(iso3="ECU")
    health = Sector.objects.get(code="HEA")
    group = PopulationGroup.objects.get(code="in-destination")
    PlanningFigure.objects.create(
        kind="target", year=2025, country=col, sector=health, population_group=group, people=900
    )
    PlanningFigure.objects.create(
        kind="target", year=2025, country=ecu, sector=health, population_group=group, people=70
    )
    NeedFigure.objects.create(
        year=2025, country=col, sector=health, population_group=group, people_in_need=5000
    )
    PopulationFigure.objects.create(year=2025, country=col, population_group=group, population=9)
    _signed_in(client, make_user("platform-im-officer", "platform:colombia"))
    targets = client.get(reverse("api-targets"), {"year": "2025", "country": "COL"}).json()
    assert targets == [
        {
            "year": 2025,
            "country": "COL",
            "admin1": "",
            "sector": "HEA",
            "indicator": "",
            "population_group": "in-destination",
            "people": 900,
        }
    ]
    assert len(client.get(reverse("api-targets"), {"year": "2025"}).json()) == 2
    needs = client.get(reverse("api-needs"), {"year": "2025", "country": "COL"}).json()
    assert [(n["country"], n["sector"], n["people_in_need"]) for n in needs] == [
        ("COL", "HEA", 5000)
    ]
    population = client.get(reverse("api-population"), {"year": "2025"}).json()
    assert [(p["country"], p["population"]) for p in population] == [("COL", 9)]
    # the year is required, and a country that names nothing is refused
    for url in ("api-targets", "api-needs", "api-population"):
        assert client.get(reverse(url)).json()["error"]["detail"].keys() == {"year"}
        wrong = client.get(reverse(url), {"year": "2025", "country": "PERU"})
        assert wrong.status_code == 400
        assert "country" in wrong.json()["error"]["detail"]
