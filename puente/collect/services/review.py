"""Review of submissions: approve or reject (with a reason), by those who may see the
project's data. A decision can be changed; each one is audited with the status before."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from puente.accounts.permissions import Action, Actor, signed_in
from puente.collect.codes import CollectCode
from puente.collect.models import Submission
from puente.collect.selectors import user_can_on_project
from puente.collect.signals import submission_announce
from puente.core.errors import PermissionDenied
from puente.core.services import audit_record


@transaction.atomic
def submission_review(
    *, acting_user: Actor | None, submission: Submission, status: str, reason: str = ""
) -> Submission:
    """Set a submission's status to approved or rejected; a rejection needs its reason.
    Only the current instance of a submission is reviewed (an edit replaces it)."""
    submission = (
        Submission.objects.select_for_update()
        .select_related("form__project__country")
        .get(pk=submission.pk)
    )
    if acting_user is not None and not user_can_on_project(
        acting_user, Action.VIEW_COLLECTED, submission.form.project
    ):
        raise PermissionDenied()
    if status not in (Submission.Status.APPROVED, Submission.Status.REJECTED):
        raise CollectCode.INVALID_REVIEW_STATUS.error(status=status)
    if status == Submission.Status.REJECTED and not reason.strip():
        raise CollectCode.REJECTION_REASON_REQUIRED.error()
    if submission.superseded_by_id is not None:
        raise CollectCode.ALREADY_EDITED.error(instance_id=submission.instance_id)
    before = submission.status
    submission.status = status
    submission.status_reason = reason.strip()
    submission.reviewed_by = signed_in(acting_user)
    submission.reviewed_at = timezone.now()
    submission.save(update_fields=["status", "status_reason", "reviewed_by", "reviewed_at"])
    if before != status:
        submission_announce(submission, outcome=status)
    audit_record(
        acting_user=acting_user,
        action="collect.submission_review",
        target=submission,
        data={"before": before, "status": status, "reason": submission.status_reason},
    )
    return submission
