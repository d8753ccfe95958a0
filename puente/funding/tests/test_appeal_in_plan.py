"""An agency appeal that is its organisation's part of an inter-agency plan: money given
for either is counted once, in both; the appeal's lines meet the organisation's entries."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from puente.core.testing import run_import
from puente.funding.models import Contribution
from puente.funding.selectors import funding_summary
from puente.partners.models import Organisation
from puente.plans.models import ActivityArea, AreaRequirement, Plan, PlanEntry
from puente.plans.selectors import appeal_against_plan, plan_summary
from puente.reference.models import Country, Sector

pytestmark = pytest.mark.django_db


@pytest.fixture
def plans(db):
    col, ecu = Country.objects.get(iso3="COL"), Country.objects.get(iso3="ECU")
    health, food = Sector.objects.get(code="HEA"), Sector.objects.get(code="FSC")
    iom = Organisation.objects.create(name="IOM", acronym="IOM", type="un-agency", appealing=True)
    local = Organisation.objects.create(
        name="LOCAL", acronym="LOCAL", type="national-ngo", appealing=True
    )
    rmrp = Plan.objects.create(
        code="rmrp", name_en="RMRP", kind="inter-agency", start_year=2025, end_year=2025
    )
    rmrp.countries.set([col, ecu])
    appeal = Plan.objects.create(
        code="iom-appeal",
        name_en="IOM appeal",
        kind="agency",
        organisation=iom,
        start_year=2025,
        end_year=2025,
        part_of=rmrp,
    )
    appeal.countries.set([col, ecu])
    area = ActivityArea.objects.create(plan=appeal, code="health", name_en="Health", sector=health)
    regional = ActivityArea.objects.create(plan=appeal, code="policy", name_en="Policy")
    for country, area_, usd in [(col, area, 700), (ecu, area, 300), (None, regional, 50)]:
        AreaRequirement.objects.create(
            activity_area=area_, country=country, year=2025, requirement_usd=usd
        )
    # IOM's entries in the RMRP: Colombia as in the appeal, Ecuador lower, food awaiting
    for org, country, sector, usd, status in [
        (iom, col, health, 700, "approved"),
        (iom, ecu, health, 250, "approved"),
        (iom, col, food, 90, "submitted"),
        (local, col, health, 400, "approved"),
    ]:
        PlanEntry.objects.create(
            plan=rmrp,
            organisation=org,
            country=country,
            sector=sector,
            year=2025,
            requirement_usd=usd,
            status=status,
        )

    def give(source_id, plan, recipient, usd):
        Contribution.objects.create(
            donor="ECHO",
            recipient=recipient,
            plan=plan,
            country=col,
            sector=health,
            amount=usd,
            currency="USD",
            exchange_rate=1,
            amount_usd=usd,
            date=dt.date(2025, 3, 1),
            status="paid",
            source="fts",
            source_id=source_id,
        )

    give("A", appeal, iom, 100)  # recorded against IOM's appeal
    give("B", rmrp, iom, 50)  # recorded against the RMRP, for IOM
    give("C", rmrp, local, 30)  # recorded against the RMRP, for another partner
    return rmrp, appeal


def _funded(plan, by=()):
    return {
        tuple(r[b] for b in by): r["funded_usd"] for r in funding_summary(plan, by=by, year=2025)
    }


def test_money_given_for_the_appeal_or_the_plan_is_counted_once_in_both(plans):
    rmrp, appeal = plans
    # the RMRP counts A, B and C once each; IOM's share is A + B
    assert _funded(rmrp) == {(): Decimal(180)}
    assert _funded(rmrp, ("org",)) == {("IOM",): Decimal(150), ("LOCAL",): Decimal(30)}
    # the appeal counts its own and what the RMRP received for IOM, never LOCAL's
    assert _funded(appeal) == {(): Decimal(150)}
    assert plan_summary(rmrp, year=2025)["funded_usd"] == Decimal(180)
    assert plan_summary(appeal, year=2025)["funded_usd"] == Decimal(150)
    # an appeal that is part of no plan: each counts only what was recorded against it
    appeal.part_of = None
    appeal.save()
    assert _funded(rmrp) == {(): Decimal(80)}
    assert _funded(appeal) == {(): Decimal(100)}


def test_the_appeal_lines_meet_the_organisations_entries(plans, client, make_user):
    rmrp, appeal = plans
    rows = {
        (r["country"].iso3 if r["country"] else None, r["sector"].code if r["sector"] else None): (
            r["appeal_usd"],
            r["approved_usd"],
            r["pending_usd"],
            r["differs"],
        )
        for r in appeal_against_plan(appeal, year=2025)
    }
    assert rows == {
        ("COL", "HEA"): (Decimal(700), Decimal(700), Decimal(0), False),
        ("ECU", "HEA"): (Decimal(300), Decimal(250), Decimal(0), True),
        ("COL", "FSC"): (Decimal(0), Decimal(0), Decimal(90), False),
        (None, None): (Decimal(50), Decimal(0), Decimal(0), True),
    }
    # the appeal's page shows them, the differing rows marked
    client.force_login(make_user("regional-admin", "region"))
    page = client.get(reverse("plans:plan", args=[appeal.code]), {"year": 2025}).content.decode()
    assert 'id="against-plan-table"' in page
    assert page.count('class="differs"') == 2
    assert 'id="plan-part-of"' in page
    assert "2 lines of 4 differ." in page


def test_the_plan_file_names_the_plan_an_appeal_is_part_of(plans, tmp_path, capsys):
    rmrp, _appeal = plans
    header = [
        "plan",
        "plan_name",
        "plan_kind",
        "organisation",
        "start_year",
        "end_year",
        "countries",
        "part_of",
        "activity_area",
        "activity_area_name",
        "year",
        "country",
        "requirement_usd",
    ]
    line = ["unhcr-appeal", "UNHCR appeal", "agency", "LOCAL", 2025, 2025, "COL"]
    area = ["protection", "Protection", 2025, "COL", 10]
    out = run_import(tmp_path, capsys, "plan", [header, [*line, "rmrp", *area]])
    assert out["errors"] == []
    assert Plan.objects.get(code="unhcr-appeal").part_of == rmrp
    # a plan that is not inter-agency, and an inter-agency plan made part of another
    out = run_import(tmp_path, capsys, "plan", [header, [*line, "iom-appeal", *area]], ok=False)
    assert [(e["column"], e["code"]) for e in out["errors"]] == [("part_of", "unknown_plan")]
    inter = ["rmrp-2", "RMRP 2", "inter-agency", "", 2025, 2025, "COL", "rmrp", *area]
    out = run_import(tmp_path, capsys, "plan", [header, inter], ok=False)
    assert ("part_of", "not_an_agency_appeal") in [(e["column"], e["code"]) for e in out["errors"]]
    assert not Plan.objects.filter(code="rmrp-2").exists()
