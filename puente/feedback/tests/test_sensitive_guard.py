"""A sensitive complaint never reaches anyone but the PSEA focal points, whatever door
changes the code list: the Django admin goes through the code list's services (rules and
audit), the models refuse what the services refuse, and the database refuses it from any
other write. Whether an item is sensitive is fixed on the item, never read from its type."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from puente.core.models import AuditRecord
from puente.feedback.models import Feedback, FeedbackType
from puente.feedback.services.workflow import feedback_code
from puente.reference.models import Country

pytestmark = pytest.mark.django_db


def _admin_form(feedback_type, **changes):
    data = {
        "code": feedback_type.code,
        "name_en": feedback_type.name_en,
        "name_es": feedback_type.name_es,
        "name_pt": feedback_type.name_pt,
        "sensitive": "on" if feedback_type.sensitive else "",
        "acknowledge_within_hours": feedback_type.acknowledge_within_hours or "",
        "respond_within_days": feedback_type.respond_within_days or "",
        "public": "on" if feedback_type.public else "",
        "active": "on" if feedback_type.active else "",
        "position": feedback_type.position,
        **changes,
    }
    return {k: v for k, v in data.items() if v != ""}


@pytest.fixture
def superuser(make_user):
    return make_user(is_superuser=True, is_staff=True)


def test_admin_cannot_untick_sensitive_on_a_type_in_use(client, superuser, make_feedback):
    # given a sensitive complaint of the type "sensitive"
    make_feedback("sensitive", text="abuso")
    sensitive = FeedbackType.objects.get(code="sensitive")
    client.force_login(superuser)
    # when a superuser unticks "sensitive" in the admin
    url = reverse("admin:feedback_feedbacktype_change", args=[sensitive.pk])
    response = client.post(url, _admin_form(sensitive, sensitive=""))
    # then the form is shown again with the reason, and the type stays sensitive
    assert response.status_code == 200
    assert "This type has sensitive complaints: it stays sensitive." in response.content.decode()
    sensitive.refresh_from_db()
    assert sensitive.sensitive is True


def test_a_complaint_after_an_attempt_to_untick_stays_with_the_psea_focal_points(
    client, superuser, make_user, make_feedback
):
    make_feedback("sensitive", text="primera denuncia")
    sensitive = FeedbackType.objects.get(code="sensitive")
    client.force_login(superuser)
    client.post(
        reverse("admin:feedback_feedbacktype_change", args=[sensitive.pk]),
        _admin_form(sensitive, sensitive=""),
    )
    item, _code = make_feedback("sensitive", text="segunda denuncia")
    assert item.sensitive is True
    client.force_login(make_user("cfm-operator", "country:COL"))
    assert client.get(reverse("feedback:item", args=[item.pk])).status_code == 404


def test_admin_changes_go_through_the_service_and_are_audited(client, superuser):
    question = FeedbackType.objects.get(code="question")
    client.force_login(superuser)
    url = reverse("admin:feedback_feedbacktype_change", args=[question.pk])
    response = client.post(url, _admin_form(question, name_en="Questions asked"))
    assert response.status_code == 302
    record = AuditRecord.objects.filter(action="feedback.type_update").latest("pk")
    assert record.data["name_en"] == [question.name_en, "Questions asked"]


def test_admin_ticking_sensitive_hands_the_items_to_the_psea_focal_points(
    client, superuser, make_user, make_feedback
):
    # given an ordinary type with an item, readable by the CFM operator
    item, _code = make_feedback("complaint", text="me trataron mal")
    operator = make_user("cfm-operator", "country:COL")
    complaint = FeedbackType.objects.get(code="complaint")
    # when a superuser ticks "sensitive" in the admin
    client.force_login(superuser)
    response = client.post(
        reverse("admin:feedback_feedbacktype_change", args=[complaint.pk]),
        _admin_form(complaint, sensitive="on"),
    )
    assert response.status_code == 302
    # then the item is sensitive: the operator can no longer read it
    item.refresh_from_db()
    assert item.sensitive is True
    client.force_login(operator)
    assert client.get(reverse("feedback:item", args=[item.pk])).status_code == 404


def test_admin_offers_no_deletion_of_the_code_list(client, superuser):
    client.force_login(superuser)
    question = FeedbackType.objects.get(code="question")
    response = client.post(
        reverse("admin:feedback_feedbacktype_delete", args=[question.pk]), {"post": "yes"}
    )
    assert response.status_code == 403
    assert FeedbackType.objects.filter(code="question").exists()


def test_model_save_refuses_to_untick_a_type_in_use(make_feedback):
    make_feedback("sensitive", text="abuso")
    sensitive = FeedbackType.objects.get(code="sensitive")
    sensitive.sensitive = False
    with pytest.raises(ValidationError):
        sensitive.full_clean()
    with pytest.raises(ValidationError):
        sensitive.save()
    assert FeedbackType.objects.get(code="sensitive").sensitive is True


def test_model_save_refuses_to_open_a_sensitive_item(make_feedback):
    item, _code = make_feedback("sensitive", text="abuso")
    item.sensitive = False
    with pytest.raises(ValidationError):
        item.save()
    assert Feedback.objects.get(pk=item.pk).sensitive is True


def test_database_refuses_to_untick_a_type_in_use(make_feedback):
    make_feedback("sensitive", text="abuso")
    with pytest.raises(IntegrityError), transaction.atomic():
        FeedbackType.objects.filter(code="sensitive").update(sensitive=False)
    assert FeedbackType.objects.get(code="sensitive").sensitive is True
    # a type without items may still change
    FeedbackType.objects.filter(code="question").update(sensitive=True)
    FeedbackType.objects.filter(code="question").update(sensitive=False)


def test_database_refuses_to_open_a_sensitive_item(make_feedback):
    item, _code = make_feedback("sensitive", text="abuso")
    with pytest.raises(IntegrityError), transaction.atomic():
        Feedback.objects.filter(pk=item.pk).update(sensitive=False)
    assert Feedback.objects.get(pk=item.pk).sensitive is True


def test_database_refuses_an_ordinary_item_of_a_sensitive_type(make_feedback):
    item, _code = make_feedback("question")
    sensitive = FeedbackType.objects.get(code="sensitive")
    with pytest.raises(IntegrityError), transaction.atomic():
        Feedback.objects.filter(pk=item.pk).update(type=sensitive)
    with pytest.raises(IntegrityError), transaction.atomic():
        Feedback.objects.bulk_create(
            [
                Feedback(
                    receipt_hash="x" * 64,
                    channel=item.channel,
                    type=sensitive,
                    sensitive=False,
                    country=Country.objects.get(iso3="COL"),
                    text_sealed=item.text_sealed,
                    received_at=item.received_at,
                )
            ]
        )


def test_coding_a_sensitive_complaint_as_an_ordinary_type_keeps_it_sensitive(
    client, make_user, make_feedback
):
    # given a sensitive complaint, coded by a PSEA focal point as a question
    item, _code = make_feedback("sensitive", text="abuso", sensitive_category="sea")
    focal_point = make_user("psea-focal-point", "country:COL")
    feedback_code(
        acting_user=focal_point,
        item=item,
        feedback_type=FeedbackType.objects.get(code="question"),
        country=item.country,
    )
    item.refresh_from_db()
    # then it is still sensitive, with its category, out of the operator's reach
    assert item.type.code == "question"
    assert item.sensitive is True and item.sensitive_category == "sea"
    client.force_login(make_user("cfm-operator", "country:COL"))
    assert client.get(reverse("feedback:item", args=[item.pk])).status_code == 404


def test_dashboard_counts_by_type_follow_each_items_own_sensitivity(
    client, make_user, make_feedback
):
    # given five sensitive complaints coded afterwards as questions
    focal_point = make_user("psea-focal-point", "region")
    question = FeedbackType.objects.get(code="question")
    for _i in range(5):
        item, _code = make_feedback("sensitive", text="abuso")
        feedback_code(
            acting_user=focal_point, item=item, feedback_type=question, country=item.country
        )
    make_feedback("question")
    # when the regional admin reads the dashboard
    client.force_login(make_user("regional-admin", "region"))
    page = client.get(reverse("feedback:dashboard"))
    by_type = {row.key: row for row in page.context["data"]["by_type"]}
    # then the questions row counts one ordinary item and five sensitive complaints apart
    assert by_type["question"].count == 1
    assert by_type["question"].sensitive == 5
