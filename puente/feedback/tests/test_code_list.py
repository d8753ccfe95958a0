"""The configurable code list: regional admins change types, deadlines and channels."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from puente.core.errors import ApplicationError, NotFound, PermissionDenied
from puente.core.models import AuditRecord
from puente.feedback.models import FeedbackChannel, FeedbackType
from puente.feedback.selectors import access_feedback
from puente.feedback.services.code_list import feedback_type_save

pytestmark = pytest.mark.django_db

RECEIVED = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC)


def _type_data(**overrides):
    data = {
        "code": "complaint",
        "name_en": "Complaint",
        "name_es": "Queja",
        "name_pt": "Reclamação",
        "public": "on",
        "active": "on",
        "acknowledge_within_hours": "",
        "respond_within_days": "",
        "position": "3",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize(
    "subject,status",
    [
        (("regional-admin", "region"), 200),
        (("cfm-operator", "country:COL"), 403),
        (("psea-focal-point", "region"), 403),
        (("platform-im-officer", "country:COL"), 403),
    ],
)
def test_who_manages_the_code_list(client, make_user, subject, status):
    client.force_login(make_user(*subject))
    assert client.get(reverse("feedback:code-list")).status_code == status
    url = reverse("feedback:code-list-edit", args=["type", "complaint"])
    assert client.get(url).status_code == status


def test_deadlines_of_a_type_changed_on_the_page_apply_to_new_feedback(
    client, make_user, make_feedback
):
    # given
    client.force_login(make_user("regional-admin", "region"))
    url = reverse("feedback:code-list-edit", args=["type", "complaint"])
    # when
    response = client.post(url, _type_data(acknowledge_within_hours="48", respond_within_days="10"))
    # then
    assert response.status_code == 302
    complaint = FeedbackType.objects.get(code="complaint")
    assert (complaint.acknowledge_within_hours, complaint.respond_within_days) == (48, 10)
    item, _code = make_feedback("complaint", received_at=RECEIVED)
    assert item.acknowledge_due == RECEIVED + dt.timedelta(hours=48)
    assert item.respond_due == RECEIVED + dt.timedelta(days=10)
    record = AuditRecord.objects.get(action="feedback.type_update")
    assert record.data["respond_within_days"] == [None, "10"]


def test_a_new_type_is_offered_on_the_public_form(client, make_user):
    client.force_login(make_user("regional-admin", "region"))
    response = client.post(
        reverse("feedback:code-list-new", args=["type"]),
        _type_data(code="vacunas", name_en="Vaccines", name_es="Vacunas", position="9"),
    )
    assert response.status_code == 302
    client.logout()
    form = client.get(reverse("feedback:public-form"), HTTP_ACCEPT_LANGUAGE="es")
    assert 'value="vacunas"' in form.content.decode()
    assert "Vacunas" in form.content.decode()


def test_a_code_is_used_once(client, make_user):
    client.force_login(make_user("regional-admin", "region"))
    response = client.post(
        reverse("feedback:code-list-new", args=["type"]),
        _type_data(code="question"),
        HTTP_ACCEPT_LANGUAGE="es",
    )
    assert response.status_code == 400
    assert "ya está en uso" in response.content.decode()


def test_marking_a_type_sensitive_hands_its_feedback_to_focal_points(make_user, make_feedback):
    # given
    admin = make_user("regional-admin", "region")
    operator = make_user("cfm-operator", "country:COL")
    item, _code = make_feedback("rumour")
    assert access_feedback(operator, item.pk) == item
    # when
    feedback_type_save(acting_user=admin, code="rumour", data={"sensitive": True})
    # then
    with pytest.raises(NotFound):
        access_feedback(operator, item.pk)
    focal_point = make_user("psea-focal-point", "country:COL")
    assert access_feedback(focal_point, item.pk).sensitive


def test_a_sensitive_type_with_complaints_stays_sensitive(make_user, make_feedback):
    admin = make_user("regional-admin", "region")
    make_feedback("sensitive")
    with pytest.raises(ApplicationError) as exc_info:
        feedback_type_save(acting_user=admin, code="sensitive", data={"sensitive": False})
    assert exc_info.value.code == "sensitive_type_in_use"
    assert FeedbackType.objects.get(code="sensitive").sensitive


def test_an_operator_cannot_change_the_code_list(make_user):
    with pytest.raises(PermissionDenied):
        feedback_type_save(
            acting_user=make_user("cfm-operator", "country:COL"),
            code="question",
            data={"respond_within_days": 1},
        )


def test_channel_token_created_on_the_page_opens_the_api(client, make_user):
    # given
    client.force_login(make_user("regional-admin", "region"))
    url = reverse("feedback:code-list-edit", args=["channel", "sms"])
    client.post(
        url,
        {
            "code": "sms",
            "name_en": "SMS",
            "name_es": "SMS",
            "name_pt": "SMS",
            "country": "ECU",
            "default_type": "assistance",
            "active": "on",
            "position": "2",
        },
    )
    # when
    page = client.post(url, {"action": "token"}).content.decode()
    token = re.search(r'id="channel-token"><code>([^<]+)</code>', page).group(1)
    # then
    client.logout()
    response = client.post(
        "/api/feedback/channels/sms/messages/",
        {"text": "Necesito ayuda"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {token}",
    )
    assert response.status_code == 201
    assert response.json()["type"] == "assistance"
    channel = FeedbackChannel.objects.get(code="sms")
    assert channel.country.iso3 == "ECU" and token not in channel.token_hash
