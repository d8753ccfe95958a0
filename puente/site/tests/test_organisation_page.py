"""An organisation's page says where and in what it reports, its people reached this
year, and its requirement and funding in the published plans; facts from rows not yet
validated only to users who may view that organisation's reports."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from puente.analytics.selectors import ReachFilters, people_reached
from puente.funding.models import Contribution
from puente.plans.models import Plan, PlanEntry
from puente.reference.models import Country, Sector
from puente.reporting.models import RowStatus

pytestmark = pytest.mark.django_db

THIS_MONTH = dt.date.today().replace(day=1)
LAST_YEAR = THIS_MONTH.replace(year=THIS_MONTH.year - 1)


@pytest.fixture
def orga(org_a, five_w_row, import_rows):
    org = org_a
    # validated: health in Colombia this month and last year; submitted: education in Peru
    import_rows(
        five_w_row(THIS_MONTH),
        five_w_row(
            LAST_YEAR,
            total_monthly="600",
            new_beneficiaries="500",
            girls="100",
            boys="100",
            women="200",
            men="100",
        ),
        status="validated",
    )
    import_rows(
        five_w_row(THIS_MONTH, country="PER", admin1="Lima", indicator="EDU-01"),
        status=RowStatus.SUBMITTED,
    )
    return org


def _section(page: str, section_id: str) -> str:
    match = re.search(rf'<section id="{section_id}".*?</section>', page, re.S)
    return match.group(0) if match else ""


def _page(client, user, acronym: str = "ORGA") -> str:
    client.force_login(user)
    response = client.get(reverse("organisation", args=[acronym]))
    assert response.status_code == 200
    return response.content.decode()


def test_directory_readers_see_what_validated_rows_say(client, make_user, orga):
    reporting = _section(_page(client, make_user("cfm-operator", "country:COL")), "reporting")
    facts = reporting.split("<h3", 1)[0]
    assert "<dd>Colombia</dd>" in facts and "Peru" not in facts
    assert "<dd>Health</dd>" in facts and "Education" not in facts
    assert f'<dd id="last-month">{THIS_MONTH:%B %Y}</dd>' in facts
    assert "From its validated 5W rows." in facts


def test_who_may_view_its_reports_also_sees_rows_not_yet_validated(client, make_user, orga):
    reporting = _section(
        _page(client, make_user("partner-viewer", "organisation:ORGA")), "reporting"
    )
    facts = reporting.split("<h3", 1)[0]
    assert "<dd>Colombia, Peru</dd>" in facts
    assert "Education" in facts and "Health" in facts
    assert "including rows not yet validated" in facts


def test_people_reached_this_year_are_the_engines_for_the_organisation(client, make_user, orga):
    expected = people_reached(
        year=THIS_MONTH.year, month=THIS_MONTH.month, filters=ReachFilters(org_id=orga.pk)
    )[0]["consolidated"]
    assert expected == 40  # this year's validated row alone: not last year's, not Peru's
    for user in (
        make_user("cfm-operator", "country:COL"),
        make_user("partner-viewer", "organisation:ORGA"),
    ):
        page = _page(client, user)
        assert '<p class="big" id="people-reached">40</p>' in page


def test_requirement_and_funding_of_published_plans(client, make_user, orga):
    health = Sector.objects.get(code="HEA")
    colombia = Country.objects.get(iso3="COL")
    published = Plan.objects.create(
        code="rmrp",
        name_en="Regional plan",
        kind=Plan.Kind.INTER_AGENCY,
        start_year=2025,
        end_year=2026,
        status=Plan.Status.PUBLISHED,
    )
    draft = Plan.objects.create(
        code="draft-plan",
        name_en="Draft plan",
        kind=Plan.Kind.INTER_AGENCY,
        start_year=2025,
        end_year=2026,
    )
    for plan in (published, draft):
        PlanEntry.objects.create(
            plan=plan,
            organisation=orga,
            country=colombia,
            sector=health,
            year=2025,
            requirement_usd=Decimal("1000000"),
            status=PlanEntry.Status.APPROVED,
        )
    Contribution.objects.create(
        donor="ECHO",
        recipient=orga,
        plan=published,
        country=colombia,
        sector=health,
        amount=Decimal("250000"),
        currency="USD",
        exchange_rate=Decimal(1),
        amount_usd=Decimal("250000"),
        date=dt.date(2025, 3, 1),
        status="paid",
        source="fts",
        source_id="1",
    )
    plans = _section(_page(client, make_user("cfm-operator", "country:COL")), "plans")
    assert "Regional plan" in plans and "Draft plan" not in plans
    assert "1,000,000" in plans and "250,000" in plans and "25.0%" in plans


def test_an_organisation_that_reports_nothing(client, make_user, organisation):
    page = _page(client, make_user("cfm-operator", "country:COL"), organisation.acronym)
    assert "No validated 5W report of this organisation yet." in page
    assert '<p class="big" id="people-reached">0</p>' in page
    assert "has no requirement or funding in a published plan" in page
