"""The dashboard and its export: volumes, sensitive cells under 5 suppressed, no contents."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from puente.feedback.selectors import feedback_dashboard
from puente.feedback.services.workflow import (
    feedback_acknowledge,
    feedback_close,
    feedback_respond,
)
from puente.reference.models import Sector

pytestmark = pytest.mark.django_db


def _row(rows, key):
    return next(r for r in rows if r.key == key)


def test_volumes_and_suppression(make_feedback, make_user):
    # given: 3 questions (2 by hotline), 1 complaint in Ecuador by e-mail, 4 sensitive
    # complaints in Colombia by hotline
    health = Sector.objects.get(code="HEA")
    for channel in ("hotline", "hotline", "whatsapp"):
        make_feedback("question", channel=channel, sector=health)
    make_feedback("complaint", country="ECU", channel="email")
    for _i in range(4):
        make_feedback("sensitive", text="secreto", sector=health)
    admin = make_user("regional-admin", "region")
    # when
    data = feedback_dashboard(user=admin)
    # then
    assert _row(data["by_type"], "question").count == 3
    sensitive = _row(data["by_type"], "sensitive")
    assert sensitive.sensitive is None and sensitive.has_sensitive
    assert _row(data["by_channel"], "hotline").count == 2
    assert _row(data["by_channel"], "hotline").sensitive is None  # 4 sensitive by hotline
    assert _row(data["by_channel"], "whatsapp").sensitive == 0
    assert _row(data["by_country"], "COL").count == 3
    assert _row(data["by_country"], "ECU").count == 1
    assert _row(data["by_country"], "ECU").sensitive == 0
    assert _row(data["by_sector"], "HEA").count == 3
    # a fifth sensitive complaint: the cells reach 5 and show
    make_feedback("sensitive", text="secreto", sector=health)
    data = feedback_dashboard(user=admin)
    assert _row(data["by_type"], "sensitive").sensitive == 5
    assert _row(data["by_country"], "COL").sensitive == 5
    assert _row(data["by_country"], "COL").count == 3


def test_scope_of_the_dashboard(make_feedback, make_user):
    make_feedback("question", country="COL")
    make_feedback("question", country="PER")
    data = feedback_dashboard(user=make_user("cfm-operator", "country:PER"))
    assert [(r.key, r.count) for r in data["by_country"]] == [("PER", 1)]


def test_time_to_close_and_overdue(make_feedback, make_user):
    operator = make_user("cfm-operator", "country:COL")
    now = timezone.now()
    item, _c = make_feedback("question", received_at=now - dt.timedelta(days=3))
    feedback_acknowledge(acting_user=operator, item=item)
    feedback_respond(acting_user=operator, item=item, answer="ok")
    feedback_close(acting_user=operator, item=item)
    make_feedback("question", received_at=now - dt.timedelta(days=45))
    data = feedback_dashboard(user=operator)
    assert data["closed"] == 1
    assert data["median_days_to_close"] == 3.0
    assert data["overdue"] == 1
    assert data["open"] == 1


def test_dashboard_page_in_spanish_with_bounded_queries(
    client, make_feedback, make_user, django_assert_num_queries, organisation
):
    health = Sector.objects.get(code="HEA")
    for _i in range(6):
        make_feedback("question", sector=health, organisation=organisation)
    make_feedback("sensitive", text="no debe verse")
    client.force_login(make_user("regional-admin", "region"))
    client.get(reverse("feedback:dashboard"))  # warm the session and user caches
    # one query more each for the volumes by status and by month
    with django_assert_num_queries(14):
        response = client.get(reverse("feedback:dashboard"), HTTP_ACCEPT_LANGUAGE="es")
    body = response.content.decode()
    assert response.status_code == 200
    assert "Tablero de retroalimentación" in body
    assert "&lt;5" in body
    assert "no debe verse" not in body
    assert "FPRU" in body  # trend by organisation


def test_list_page_queries_do_not_grow_with_rows(
    client, make_feedback, make_user, django_assert_num_queries
):
    client.force_login(make_user("cfm-operator", "country:COL"))
    for _i in range(3):
        make_feedback("question")
    client.get(reverse("feedback:list"))
    # 11: the page's own, plus the menu's (roles and the places their scopes name;
    # projects the user manages)
    with django_assert_num_queries(11) as few:
        client.get(reverse("feedback:list"))
    for _i in range(20):
        make_feedback("complaint")
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(reverse("feedback:list"))
    assert response.content.decode().count('href="/feedback/') >= 23


def test_export_is_hxl_aggregates_without_contents(client, make_feedback, make_user):
    # given
    for _i in range(2):
        make_feedback("question", text="contenido privado", channel="sms")
    for _i in range(4):
        make_feedback("sensitive", text="abuso", country="PER")
    for _i in range(5):
        make_feedback("sensitive", text="abuso", country="COL")
    client.force_login(make_user("regional-admin", "region"))
    # when
    response = client.get(reverse("feedback:dashboard-export", args=["csv"]))
    # then
    assert response.status_code == 200
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0] == "month,country,sector,type,channel,feedback,closed"
    assert lines[1].startswith("#date+month,#country+code,#sector+code,#meta+type")
    month = timezone.now().strftime("%Y-%m")
    assert f"{month},COL,,question,sms,2,0" in lines
    assert f"{month},COL,,sensitive,,5," in lines
    assert not any(",PER," in line for line in lines)  # 4: below the threshold
    assert "privado" not in response.content.decode() and "abuso" not in response.content.decode()
    xlsx = client.get(reverse("feedback:dashboard-export", args=["xlsx"]))
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    assert client.get(reverse("feedback:dashboard-export", args=["pdf"])).status_code == 404
