"""Deadlines per type, from the settings' defaults or the type's own configuration, and
what counts as overdue."""

import datetime as dt

import pytest
from django.urls import reverse

from puente.feedback.models import Feedback, FeedbackType
from puente.feedback.services.deadlines import feedback_deadlines, overdue_filter
from puente.feedback.services.workflow import feedback_acknowledge, feedback_respond

pytestmark = pytest.mark.django_db

RECEIVED = dt.datetime(2026, 11, 2, 14, 30, tzinfo=dt.UTC)


def test_sensitive_default_is_acknowledgement_within_72_hours():
    deadlines = feedback_deadlines(
        feedback_type=FeedbackType.objects.get(code="sensitive"), received_at=RECEIVED
    )
    assert deadlines.acknowledge_due == dt.datetime(2026, 11, 5, 14, 30, tzinfo=dt.UTC)
    assert deadlines.respond_due == dt.datetime(2026, 12, 2, 14, 30, tzinfo=dt.UTC)


@pytest.mark.parametrize("code", ["question", "assistance", "complaint", "rumour"])
def test_others_are_answered_within_30_days_without_acknowledgement_deadline(code):
    deadlines = feedback_deadlines(
        feedback_type=FeedbackType.objects.get(code=code), received_at=RECEIVED
    )
    assert deadlines.acknowledge_due is None
    assert deadlines.respond_due == dt.datetime(2026, 12, 2, 14, 30, tzinfo=dt.UTC)


def test_defaults_come_from_the_settings(settings):
    settings.PUENTE_FEEDBACK_SENSITIVE_ACK_HOURS = 24
    settings.PUENTE_FEEDBACK_RESPOND_DAYS = 10
    sensitive = feedback_deadlines(
        feedback_type=FeedbackType.objects.get(code="sensitive"), received_at=RECEIVED
    )
    assert sensitive.acknowledge_due == RECEIVED + dt.timedelta(hours=24)
    assert sensitive.respond_due == RECEIVED + dt.timedelta(days=10)


def test_a_type_configures_its_own_deadlines(make_feedback):
    complaint = FeedbackType.objects.get(code="complaint")
    complaint.acknowledge_within_hours = 48
    complaint.respond_within_days = 7
    complaint.save()
    item, _code = make_feedback("complaint", received_at=RECEIVED)
    assert item.acknowledge_due == RECEIVED + dt.timedelta(hours=48)
    assert item.respond_due == RECEIVED + dt.timedelta(days=7)


def test_overdue(make_feedback, make_user):
    # given
    now = RECEIVED + dt.timedelta(days=4)
    operator = make_user("cfm-operator", "country:COL")
    focal_point = make_user("psea-focal-point", "country:COL")
    late_ack, _c = make_feedback("sensitive", received_at=RECEIVED)
    acked, _c = make_feedback("sensitive", received_at=RECEIVED)
    feedback_acknowledge(acting_user=focal_point, item=acked)
    fresh, _c = make_feedback("sensitive", received_at=now - dt.timedelta(hours=1))
    old_question, _c = make_feedback("question", received_at=RECEIVED - dt.timedelta(days=40))
    answered, _c = make_feedback("question", received_at=RECEIVED - dt.timedelta(days=40))
    feedback_acknowledge(acting_user=operator, item=answered)
    feedback_respond(acting_user=operator, item=answered, answer="Sí")
    # when
    overdue = set(Feedback.objects.filter(overdue_filter(now)).values_list("pk", flat=True))
    # then
    assert overdue == {late_ack.pk, old_question.pk}
    assert fresh.pk not in overdue


def test_overdue_page(client, make_feedback, make_user):
    late, _c = make_feedback("question", received_at=RECEIVED - dt.timedelta(days=400))
    on_time, _c = make_feedback("question")
    client.force_login(make_user("cfm-operator", "country:COL"))
    response = client.get(reverse("feedback:overdue"), HTTP_ACCEPT_LANGUAGE="es")
    body = response.content.decode()
    assert response.status_code == 200
    assert "Retroalimentación vencida" in body
    assert f'href="/feedback/{late.pk}/"' in body
    assert f'href="/feedback/{on_time.pk}/"' not in body
