"""Corrections of submitted answers by those who see the project's data. The XML stays as
the device sent it (the record of what was sent); a correction is kept as a
`SubmissionCorrection` (field, value before and after, reason, who, when), and the new
value is written into `Submission.data`, which exports and figures read. A field of a
repeat record is named by its answer path (`travellers[2]/traveller_age`,
`FormFields.locate`), kept as the correction's path."""

from __future__ import annotations

import copy
from typing import Any

from django.db import transaction

from puente.accounts.permissions import Action, Actor, signed_in
from puente.collect.answers import AnswerInvalid, answer_read, answer_record
from puente.collect.codes import CollectCode
from puente.collect.fields import UNCORRECTABLE_KINDS, form_fields
from puente.collect.models import Submission, SubmissionCorrection
from puente.collect.selectors import user_can_on_project
from puente.collect.signals import submission_announce
from puente.core.errors import PermissionDenied
from puente.core.services import audit_record


@transaction.atomic
def submission_correct(
    *, acting_user: Actor | None, submission: Submission, path: str, value: str, reason: str
) -> SubmissionCorrection:
    """Correct the answer at `path` (a field outside repeats, `interview/point`, or of a
    repeat record, `travellers[2]/traveller_age`) to `value`, typed by the
    submission's form version as answers sent by devices are (a whole number for an
    integer, a choice of the list for a select...). Only the current instance of a
    submission is corrected: an edit sent later replaces it, corrections included."""
    submission = (
        Submission.objects.select_for_update()
        .select_related("form__project__country", "form_version")
        .get(pk=submission.pk)
    )
    if acting_user is not None and not user_can_on_project(
        acting_user, Action.VIEW_COLLECTED, submission.form.project
    ):
        raise PermissionDenied()
    if submission.superseded_by_id is not None:
        raise CollectCode.ALREADY_EDITED.error(instance_id=submission.instance_id)
    reason = reason.strip()
    if not reason:
        raise CollectCode.CORRECTION_REASON_REQUIRED.error()
    path = path.strip()
    located = form_fields(submission.form_version.xml).locate(path)
    data: dict[str, Any] = copy.deepcopy(submission.data or {})
    record = answer_record(data, located[1]) if located is not None else None
    if located is None or record is None or located[0].kind in UNCORRECTABLE_KINDS:
        raise CollectCode.CORRECTION_FIELD_UNKNOWN.error(path=path)
    spec = located[0]
    try:
        new_value = answer_read(spec, value)
    except AnswerInvalid as exc:
        raise CollectCode.CORRECTION_VALUE_INVALID.error(
            path=path, value=value.strip(), problem=str(exc)
        ) from None
    old_value = record.get(spec.path)
    if spec.path in record and old_value == new_value:
        raise CollectCode.CORRECTION_UNCHANGED.error(path=path)
    correction = SubmissionCorrection(
        submission=submission,
        path=path,
        old_value=old_value,
        new_value=new_value,
        reason=reason,
        created_by=signed_in(acting_user),
    )
    correction.full_clean()
    correction.save()
    record[spec.path] = new_value
    submission.data = data
    submission.save(update_fields=["data"])
    audit_record(
        acting_user=acting_user,
        action="collect.submission_correct",
        target=submission,
        data={
            "path": path,
            "before": old_value,
            "after": new_value,
            "reason": reason,
            "correction": correction.pk,
        },
    )
    submission_announce(submission, outcome="corrected")
    return correction
