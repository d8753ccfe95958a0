"""Approving and rejecting submissions."""

from __future__ import annotations

import pytest

from puente.collect.models import Submission
from puente.collect.services.review import submission_review
from puente.collect.services.submissions import submission_receive
from puente.collect.tests.conftest import submission_xml
from puente.core.errors import ApplicationError, PermissionDenied
from puente.core.models import AuditRecord

pytestmark = pytest.mark.django_db


@pytest.fixture
def submission(published, collector) -> Submission:
    receipt = submission_receive(
        acting_user=collector,
        project=published.form.project,
        xml=submission_xml("uuid:r1"),
        files=[],
    )
    assert receipt.submission is not None
    return receipt.submission


def test_an_officer_approves_and_the_decision_is_audited(make_user, submission):
    officer = make_user("platform-im-officer", "country:COL")
    reviewed = submission_review(acting_user=officer, submission=submission, status="approved")
    assert (reviewed.status, reviewed.reviewed_by) == ("approved", officer)
    record = AuditRecord.objects.get(action="collect.submission_review")
    assert record.data == {"before": "received", "status": "approved", "reason": ""}


def test_a_rejection_needs_its_reason(make_user, submission):
    officer = make_user("platform-im-officer", "country:COL")
    with pytest.raises(ApplicationError) as caught:
        submission_review(acting_user=officer, submission=submission, status="rejected")
    assert caught.value.code == "rejection_reason_required"
    reviewed = submission_review(
        acting_user=officer, submission=submission, status="rejected", reason="Duplicada"
    )
    assert (reviewed.status, reviewed.status_reason) == ("rejected", "Duplicada")


def test_only_approve_or_reject(make_user, submission):
    officer = make_user("platform-im-officer", "country:COL")
    with pytest.raises(ApplicationError) as caught:
        submission_review(acting_user=officer, submission=submission, status="received")
    assert caught.value.code == "invalid_review_status"


@pytest.mark.parametrize(
    "role,scope",
    [("platform-im-officer", "country:PER"), ("data-collector", "project:fm-col")],
)
def test_others_may_not_review(make_user, submission, role, scope):
    with pytest.raises(PermissionDenied):
        submission_review(
            acting_user=make_user(role, scope), submission=submission, status="approved"
        )
    submission.refresh_from_db()
    assert submission.status == "received"


def test_a_replaced_instance_is_not_reviewed(make_user, published, collector, submission):
    submission_receive(
        acting_user=collector,
        project=published.form.project,
        xml=submission_xml("uuid:r2", deprecated_id="uuid:r1"),
        files=[],
    )
    with pytest.raises(ApplicationError) as caught:
        submission_review(acting_user=None, submission=submission, status="approved")
    assert caught.value.code == "already_edited"
