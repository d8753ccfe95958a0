"""The quarantine: submissions that matched no published form or version, kept until an
IM officer resolves them (the version has been published since: the submission is stored
as if it had just arrived, with its attachments) or discards them (kept, marked
discarded: nothing sent is deleted)."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.db import transaction
from django.utils import timezone

from puente.accounts.permissions import Actor, signed_in
from puente.collect.codes import CollectCode
from puente.collect.models import QuarantinedSubmission, Submission
from puente.collect.openrosa import submission_meta
from puente.collect.services.submissions import published_version, submission_store
from puente.core.services import audit_record


def _check_pending(item: QuarantinedSubmission) -> None:
    if item.status != QuarantinedSubmission.Status.PENDING:
        raise CollectCode.QUARANTINE_CLOSED.error()


@transaction.atomic
def quarantine_resolve(*, acting_user: Actor | None, item: QuarantinedSubmission) -> Submission:
    """Store a quarantined submission now that its form version is published."""
    item = QuarantinedSubmission.objects.select_for_update().get(pk=item.pk)
    _check_pending(item)
    raw = item.xml.encode("utf-8")
    meta = submission_meta(raw)
    version = published_version(item.project, meta)
    if version is None:
        raise CollectCode.STILL_UNPUBLISHED.error(form_id=meta.form_id, version=meta.version)
    files: list[UploadedFile] = []
    for attachment in item.attachments.all():
        with attachment.file.open("rb") as handle:
            files.append(
                SimpleUploadedFile(attachment.filename, handle.read(), attachment.content_type)
            )
    receipt = submission_store(
        acting_user=item.submitted_by,
        version=version,
        meta=meta,
        text=item.xml,
        xml_md5=item.xml_md5,
        files=files,
        device_id=item.device_id,
    )
    assert receipt.submission is not None  # noqa: S101 (submission_store always sets it)
    item.status = QuarantinedSubmission.Status.RESOLVED
    item.resolved_by = signed_in(acting_user)
    item.resolved_at = timezone.now()
    item.submission = receipt.submission
    item.save(update_fields=["status", "resolved_by", "resolved_at", "submission"])
    audit_record(
        acting_user=acting_user,
        action="collect.quarantine_resolve",
        target=item,
        data={"instance_id": item.instance_id, "submission": receipt.submission.pk},
    )
    return receipt.submission


@transaction.atomic
def quarantine_discard(*, acting_user: Actor | None, item: QuarantinedSubmission) -> None:
    """Mark a quarantined submission discarded; it stays stored."""
    item = QuarantinedSubmission.objects.select_for_update().get(pk=item.pk)
    _check_pending(item)
    item.status = QuarantinedSubmission.Status.DISCARDED
    item.resolved_by = signed_in(acting_user)
    item.resolved_at = timezone.now()
    item.save(update_fields=["status", "resolved_by", "resolved_at"])
    audit_record(
        acting_user=acting_user,
        action="collect.quarantine_discard",
        target=item,
        data={"instance_id": item.instance_id},
    )
