import datetime as dt

import pytest
from django.urls import reverse

from puente.core.errors import ApplicationError, PermissionDenied
from puente.reference.models import Country, Sector
from puente.reporting.models import ActivityRow, PeriodLock, ReviewDecision, RowChange
from puente.reporting.services.imports import rows_import
from puente.reporting.services.workflow import (
    period_lock,
    period_unlock,
    report_review,
    report_submit,
    row_update,
)
from puente.reporting.tests.conftest import good_row, last_month

pytestmark = pytest.mark.django_db


@pytest.fixture
def month():
    return dt.date.fromisoformat(last_month() + "-01")


@pytest.fixture
def drafts(orgs, make_user):
    reporter = make_user("partner-reporter", "organisation:ORGA")
    report = rows_import(
        rows=enumerate(
            [good_row(), good_row(indicator="PRO-CP-01"), good_row(indicator="FSC-01")], start=2
        ),
        acting_user=reporter,
        status="draft",
    )
    assert report.ok, report.errors
    return reporter


def test_draft_submit_validate_and_return(drafts, make_user, month, orgs):
    colombia = Country.objects.get(iso3="COL")
    report_submit(acting_user=drafts, appealing_org=orgs[0], country=colombia, month=month)
    assert set(ActivityRow.objects.values_list("status", flat=True)) == {"submitted"}

    health = make_user("sector-coordinator", "sector:COL/HEA")
    protection = make_user("sector-coordinator", "sector:COL/PRO")
    count = report_review(
        acting_user=health,
        appealing_org=orgs[0],
        country=colombia,
        sector=Sector.objects.get(code="HEA"),
        month=month,
        decision="validated",
    )
    assert count == 1
    with pytest.raises(ApplicationError) as exc_info:
        report_review(
            acting_user=protection,
            appealing_org=orgs[0],
            country=colombia,
            sector=Sector.objects.get(code="PRO"),
            month=month,
            decision="returned",
        )
    assert exc_info.value.code == "comment_required"
    report_review(
        acting_user=protection,
        appealing_org=orgs[0],
        country=colombia,
        sector=Sector.objects.get(code="PRO"),
        month=month,
        decision="returned",
        comment="Revisar los nuevos beneficiarios",
    )
    statuses = dict(ActivityRow.objects.values_list("indicator__code", "status"))
    assert statuses == {"HEA-02": "validated", "PRO-CP-01": "returned", "FSC-01": "submitted"}
    returned = ActivityRow.objects.get(indicator__code="PRO-CP-01")
    assert returned.review_comment == "Revisar los nuevos beneficiarios"
    assert list(RowChange.objects.filter(row=returned).values_list("action", flat=True)) == [
        "submit",
        "return",
    ]
    assert ReviewDecision.objects.count() == 2


def test_only_the_sector_coordinator_of_the_country_reviews(drafts, make_user, month, orgs):
    colombia = Country.objects.get(iso3="COL")
    report_submit(acting_user=drafts, appealing_org=orgs[0], country=colombia, month=month)
    for role, scope in [
        ("sector-coordinator", "sector:PER/HEA"),
        ("partner-reporter", "organisation:ORGA"),
        ("platform-im-officer", "country:COL"),
    ]:
        with pytest.raises(PermissionDenied):
            report_review(
                acting_user=make_user(role, scope),
                appealing_org=orgs[0],
                country=colombia,
                sector=Sector.objects.get(code="HEA"),
                month=month,
                decision="validated",
            )


def test_locked_month_refuses_changes(drafts, make_user, month, orgs):
    colombia = Country.objects.get(iso3="COL")
    officer = make_user("platform-im-officer", "platform:colombia")
    with pytest.raises(PermissionDenied):
        period_lock(
            acting_user=make_user("platform-im-officer", "country:PER"),
            country=colombia,
            month=month,
        )
    period_lock(acting_user=officer, country=colombia, month=month)
    with pytest.raises(ApplicationError) as exc_info:
        report_submit(acting_user=drafts, appealing_org=orgs[0], country=colombia, month=month)
    assert exc_info.value.code == "period_locked"
    report = rows_import(rows=[(2, good_row(admin2="x"))], acting_user=drafts)
    assert [e.code for e in report.errors] == ["period_locked"]
    period_unlock(acting_user=officer, country=colombia, month=month)
    assert not PeriodLock.objects.exists()


def test_row_update_keeps_identity_and_history(drafts, month):
    row = ActivityRow.objects.get(indicator__code="HEA-02")
    report = row_update(
        acting_user=drafts, row=row, data=good_row(admin2="Malambo", total_monthly="150")
    )
    assert report.ok
    row.refresh_from_db()
    assert (row.admin2, row.total_monthly) == ("Malambo", 150)
    change = RowChange.objects.get(row=row, action="edit")
    assert change.changes["admin2"] == ["Soledad", "Malambo"]
    assert change.changes["total_monthly"] == [100, 150]
    assert change.changed_by == drafts
    other = ActivityRow.objects.get(indicator__code="FSC-01")
    clash = row_update(acting_user=drafts, row=other, data=good_row(admin2="Malambo"))
    assert [e.code for e in clash.errors] == ["duplicate_row"]


def test_review_page_submits_and_validates(client, drafts, make_user, month):
    client.force_login(drafts)
    page = client.get(reverse("reporting:review")).content.decode()
    assert "Submit for review" in page
    client.post(
        reverse("reporting:review_decide"),
        {"org": "ORGA", "country": "COL", "month": month.strftime("%Y-%m"), "decision": "submit"},
    )
    assert set(ActivityRow.objects.values_list("status", flat=True)) == {"submitted"}
    client.force_login(make_user("sector-coordinator", "sector:COL/FSC"))
    client.post(
        reverse("reporting:review_decide"),
        {
            "org": "ORGA",
            "country": "COL",
            "month": month.strftime("%Y-%m"),
            "sector": "FSC",
            "decision": "validated",
        },
    )
    assert ActivityRow.objects.get(indicator__code="FSC-01").status == "validated"


def test_history_page_shows_who_and_what(client, drafts):
    row = ActivityRow.objects.get(indicator__code="HEA-02")
    row_update(acting_user=drafts, row=row, data=good_row(total_monthly="130"))
    client.force_login(drafts)
    page = client.get(reverse("reporting:history", args=[row.pk])).content.decode()
    assert drafts.email in page and "total_monthly" in page and "130" in page


def test_lock_page(client, make_user, month):
    client.force_login(make_user("platform-im-officer", "platform:colombia"))
    client.post(
        reverse("reporting:locks"),
        {"country": "COL", "month": month.strftime("%Y-%m"), "action": "lock"},
    )
    assert PeriodLock.objects.filter(country__iso3="COL", month=month).exists()
    response = client.post(
        reverse("reporting:locks"),
        {"country": "PER", "month": month.strftime("%Y-%m"), "action": "lock"},
    )
    assert (
        response.status_code == 200 and not PeriodLock.objects.filter(country__iso3="PER").exists()
    )
