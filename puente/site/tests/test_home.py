"""The home page shows each role the work waiting for it, in its scope, and nothing of
another role's work."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse

from puente.partners.models import Organisation
from puente.reference.models import Country
from puente.reporting.models import ActivityRow, PeriodLock, RowStatus

pytestmark = pytest.mark.django_db


def _month(back: int) -> dt.date:
    """The first day of the month `back` months before this one (1: the month just ended)."""
    month = dt.date.today().replace(day=1)
    for _index in range(back):
        month = (month - dt.timedelta(days=1)).replace(day=1)
    return month


@pytest.fixture
def orgs(org_a):
    """ORGA works in Colombia and Peru; ORGB in Colombia."""
    b = Organisation.objects.create(name="Org B", acronym="ORGB", type="ingo", appealing=True)
    b.countries.set(Country.objects.filter(iso3__in=["COL"]))
    return org_a, b


def _card(page: str, card_id: str) -> str:
    match = re.search(rf'<section class="card[^"]*" id="{card_id}".*?</section>', page, re.S)
    return match.group(0) if match else ""


def _home(client, user) -> str:
    client.force_login(user)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return response.content.decode()


def test_anonymous_visitors_see_the_public_links_only(client):
    page = client.get(reverse("home")).content.decode()
    assert "Waiting for you" not in page
    assert reverse("public-dashboard") in page and reverse("public-plans") in page


def test_partner_reporter_sees_the_months_due_and_the_rows_returned(
    client, make_user, orgs, five_w_row, import_rows
):
    # given: ORGA submitted Colombia last month, started Peru two months ago in draft,
    # and had Colombia of three months ago returned; Peru of last month is locked
    import_rows(five_w_row(_month(1)))
    import_rows(five_w_row(_month(2), country="PER", admin1="Lima"), status=RowStatus.DRAFT)
    import_rows(five_w_row(_month(3)), five_w_row(_month(3), indicator="HEA-03"))
    ActivityRow.objects.filter(month=_month(3)).update(status=RowStatus.RETURNED)
    PeriodLock.objects.create(country=Country.objects.get(iso3="PER"), month=_month(1))
    # when
    page = _home(client, make_user("partner-reporter", "organisation:ORGA"))
    # then the months due: Colombia two and three months ago, Peru two and three months
    due = _card(page, "reports-due")
    links = re.findall(r'<a href="/reporting/\?([^"]+)">', due)
    assert sorted(links) == sorted(
        f"month={m:%Y-%m}&amp;country={c}&amp;appealing_org=ORGA"
        for m, c in [(_month(2), "COL"), (_month(3), "COL"), (_month(2), "PER"), (_month(3), "PER")]
    )
    assert "started, not submitted" in due  # the draft of Peru
    # and the rows returned for correction, linked
    returned = _card(page, "returned")
    assert "2 rows to correct" in returned
    assert (
        f"month={_month(3):%Y-%m}&amp;country=COL&amp;appealing_org=ORGA&amp;status=returned"
        in (returned)
    )
    # and no other role's work
    for other in ("review", "reporting-status", "complaints", "feedback"):
        assert f'id="{other}"' not in page


def test_sector_coordinator_sees_submissions_waiting_in_their_sector(
    client, make_user, orgs, five_w_row, import_rows
):
    import_rows(
        five_w_row(_month(1)),
        five_w_row(_month(1), indicator="HEA-03"),
        five_w_row(_month(1), appealing_org="ORGB"),
        five_w_row(_month(1), indicator="EDU-01"),
    )
    import_rows(five_w_row(_month(2)), status=RowStatus.VALIDATED)
    page = _home(client, make_user("sector-coordinator", "sector:COL/HEA"))
    review = _card(page, "review")
    assert "2 submissions" in review  # ORGA and ORGB health in Colombia last month
    assert "3 5W rows submitted" in review
    assert 'href="/reporting/review/?status=submitted"' in review
    assert 'id="reports-due"' not in page and 'id="reporting-status"' not in page


def test_im_officer_sees_the_months_reporting_status_in_their_platform(
    client, make_user, orgs, five_w_row, import_rows
):
    import_rows(five_w_row(_month(1)))
    import_rows(five_w_row(_month(1), country="PER", admin1="Lima", appealing_org="ORGA"))
    page = _home(client, make_user("platform-im-officer", "platform:colombia"))
    status = _card(page, "reporting-status")
    assert "1 of 2 appealing organisations have reported." in status
    assert ">Colombia</a>" in status and "Perú" not in status and "Peru" not in status
    assert _card(page, "review")


def test_psea_focal_point_sees_complaints_waiting_without_their_text(
    client, make_user, settings, tmp_path
):
    from puente.feedback.models import Feedback, FeedbackChannel, FeedbackStatus, FeedbackType
    from puente.feedback.services.intake import feedback_code_list_load, feedback_create

    feedback_code_list_load()
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PUENTE_FEEDBACK_KEYS = []
    secret = "El coordinador del albergue me pidió algo a cambio"

    def create(type_code: str, country: str) -> Feedback:
        item, _code = feedback_create(
            acting_user=None,
            channel=FeedbackChannel.objects.get(code="hotline"),
            feedback_type=FeedbackType.objects.get(code=type_code),
            country=Country.objects.get(iso3=country),
            text=secret,
        )
        return item

    create("sensitive", "COL")
    create("sensitive", "COL")
    closed = create("sensitive", "COL")
    Feedback.objects.filter(pk=closed.pk).update(status=FeedbackStatus.CLOSED)
    create("sensitive", "PER")
    create("question", "COL")
    Feedback.objects.filter(sensitive=True).update(
        acknowledge_due=dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
    )
    # the PSEA focal point of Colombia
    page = _home(client, make_user("psea-focal-point", "country:COL"))
    complaints = _card(page, "complaints")
    assert "2 waiting for an answer" in complaints
    assert "2 past their deadline" in complaints
    assert secret not in page
    assert 'id="feedback"' not in page
    # the CFM operator of Colombia: the question, never the complaints
    page = _home(client, make_user("cfm-operator", "country:COL"))
    assert "1 waiting for an answer" in _card(page, "feedback")
    assert 'id="complaints"' not in page and secret not in page
