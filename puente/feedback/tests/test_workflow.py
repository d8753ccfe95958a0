"""Closing the loop through the pages: log, acknowledge, refer, respond, close."""

import datetime as dt
import re

import pytest
from django.core import mail
from django.urls import reverse

from puente.core.errors import ApplicationError
from puente.core.models import AuditRecord
from puente.feedback.models import Consent, Feedback, FeedbackStatus
from puente.feedback.services.workflow import feedback_acknowledge, feedback_refer
from puente.partners.models import Organisation

pytestmark = pytest.mark.django_db


def _log(client, **overrides):
    data = {
        "channel": "hotline",
        "feedback_type": "assistance",
        "sensitive_category": "",
        "country": "COL",
        "admin1": "CO-NSA",
        "sector": "HEA",
        "organisation": "",
        "population_group": "in-transit",
        "sex": "female",
        "age": "34",
        "text": "Necesita medicamentos para la presión",
        "name": "Ana",
        "contact": "+57 311 000 0000",
        "consent": "",
    }
    data.update(overrides)
    return client.post(reverse("feedback:log"), data)


def test_the_whole_loop_through_the_pages(client, make_user, organisation):
    # given
    operator = make_user("cfm-operator", "country:COL")
    client.force_login(operator)
    # log
    logged = _log(client)
    assert logged.status_code == 201
    assert re.search(r'id="receipt-code"><strong>[A-Z2-9]{5}-[A-Z2-9]{5}', logged.content.decode())
    item = Feedback.objects.get()
    assert (item.admin1.iso_code, item.sector.code, item.age) == ("CO-NSA", "HEA", 34)
    assert item.logged_by == operator
    url = reverse("feedback:item", args=[item.pk])
    page = client.get(url).content.decode()
    assert "Necesita medicamentos" in page and "+57 311 000 0000" in page
    # acknowledge, refer, respond, close
    assert client.post(url, {"action": "acknowledge"}).status_code == 302
    assert client.post(url, {"action": "refer", "organisation": "FPRU"}).status_code == 302
    response = client.post(url, {"action": "respond", "answer": "Le entregaron medicamentos."})
    assert response.status_code == 302
    assert client.post(url, {"action": "close", "satisfaction": "satisfied"}).status_code == 302
    # then
    item.refresh_from_db()
    assert item.status == FeedbackStatus.CLOSED
    assert item.referred_to_org == organisation
    assert item.satisfaction == "satisfied"
    assert item.acknowledged_at <= item.referred_at <= item.responded_at <= item.closed_at
    actions = list(
        AuditRecord.objects.filter(target_id=str(item.pk), target_type="feedback.feedback")
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == [
        "feedback.create",
        "feedback.acknowledge",
        "feedback.refer",
        "feedback.respond",
        "feedback.close",
    ]
    assert "Le entregaron medicamentos." in client.get(url).content.decode()


def test_steps_cannot_be_skipped(client, make_user, make_feedback):
    item, _code = make_feedback("question")
    client.force_login(make_user("cfm-operator", "country:COL"))
    url = reverse("feedback:item", args=[item.pk])
    response = client.post(url, {"action": "close", "satisfaction": ""}, HTTP_ACCEPT_LANGUAGE="es")
    assert response.status_code == 400
    assert "no puede pasar a" in response.content.decode()
    item.refresh_from_db()
    assert item.status == FeedbackStatus.NEW


def test_respond_needs_the_answer(client, make_user, make_feedback):
    item, _code = make_feedback("question")
    operator = make_user("cfm-operator", "country:COL")
    feedback_acknowledge(acting_user=operator, item=item)
    client.force_login(operator)
    response = client.post(reverse("feedback:item", args=[item.pk]), {"action": "respond"})
    assert response.status_code == 400
    item.refresh_from_db()
    assert item.status == FeedbackStatus.ACKNOWLEDGED


def test_a_sensitive_complaint_is_referred_only_with_consent(make_user, make_feedback, client):
    # given
    item, _code = make_feedback("sensitive", sensitive_category="fraud")
    focal_point = make_user("psea-focal-point", "country:COL")
    feedback_acknowledge(acting_user=focal_point, item=item)
    org = Organisation.objects.create(name="Investigaciones", acronym="INV", type="ingo")
    # when: no consent recorded
    with pytest.raises(ApplicationError) as exc_info:
        feedback_refer(acting_user=focal_point, item=item, organisation=org)
    assert exc_info.value.code == "consent_required"
    with pytest.raises(ApplicationError):
        feedback_refer(
            acting_user=focal_point, item=item, organisation=org, consent=Consent.REFUSED
        )
    item.refresh_from_db()
    assert item.status == FeedbackStatus.ACKNOWLEDGED
    # then: with consent, through the page
    client.force_login(focal_point)
    response = client.post(
        reverse("feedback:item", args=[item.pk]),
        {"action": "refer", "organisation": "INV", "consent": "given"},
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == FeedbackStatus.REFERRED
    assert item.consent == Consent.GIVEN
    assert item.consent_recorded_at is not None


def test_operators_cannot_handle_sensitive_complaints(make_user, make_feedback, client):
    item, _code = make_feedback("sensitive")
    client.force_login(make_user("cfm-operator", "country:COL"))
    response = client.post(reverse("feedback:item", args=[item.pk]), {"action": "acknowledge"})
    # the same answer as for an item that does not exist
    assert response.status_code == 404
    item.refresh_from_db()
    assert item.status == FeedbackStatus.NEW


def test_logging_a_sensitive_complaint_hands_it_to_focal_points(
    client, make_user, django_capture_on_commit_callbacks
):
    focal_point = make_user("psea-focal-point", "country:COL", email="psea@example.org")
    make_user("psea-focal-point", "country:PER", email="psea-peru@example.org")
    client.force_login(make_user("cfm-operator", "country:COL"))
    with django_capture_on_commit_callbacks(execute=True):
        response = _log(
            client,
            feedback_type="sensitive",
            sensitive_category="sea",
            consent="given",
            text="Un funcionario pidió favores sexuales",
        )
    assert response.status_code == 201
    item = Feedback.objects.get()
    assert item.sensitive and item.sensitive_category == "sea"
    assert f"/feedback/{item.pk}/" not in response.content.decode()
    assert client.get(reverse("feedback:item", args=[item.pk])).status_code == 404
    # the focal points of the scope were told, without the contents
    assert [m.to for m in mail.outbox] == [[focal_point.email]]
    assert "favores" not in mail.outbox[0].body


def test_recoding_as_sensitive_hands_the_item_over(client, make_user, make_feedback):
    item, _code = make_feedback("complaint")
    client.force_login(make_user("cfm-operator", "country:COL"))
    response = client.post(
        reverse("feedback:item", args=[item.pk]),
        {
            "action": "code",
            "feedback_type": "sensitive",
            "country": "COL",
            "sensitive_category": "misconduct",
        },
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.sensitive
    assert item.acknowledge_due == item.received_at + dt.timedelta(hours=72)
    assert client.get(reverse("feedback:item", args=[item.pk])).status_code == 404


def test_operator_logs_only_in_scope(client, make_user):
    client.force_login(make_user("cfm-operator", "country:COL"))
    response = _log(client, country="PER", admin1="", HTTP_ACCEPT_LANGUAGE="es")
    assert response.status_code == 400
    assert not Feedback.objects.exists()


def test_pages_need_a_feedback_role(client, make_user):
    client.force_login(make_user())
    for name in ("feedback:list", "feedback:overdue", "feedback:dashboard", "feedback:log"):
        assert client.get(reverse(name)).status_code == 403
    client.logout()
    assert client.get(reverse("feedback:list")).status_code == 302


def test_navigation_shows_feedback_to_those_who_may_see_it(client, make_user):
    client.force_login(make_user("cfm-operator", "country:COL"))
    header = client.get("/", HTTP_ACCEPT_LANGUAGE="pt").content.decode()
    assert 'href="/feedback/"' in header and "Painel de feedback" in header
    client.force_login(make_user())
    assert 'href="/feedback/"' not in client.get("/").content.decode()
