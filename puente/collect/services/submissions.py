"""Receiving submissions over OpenRosa (docs/collect.md, "Submissions").

The rules, in the order they apply:
- An attachment above PUENTE_COLLECT_MAX_ATTACHMENT_BYTES refuses the whole POST (413)
  before anything is stored: the device keeps the submission.
- A submission whose form ID and version are not published in the project is kept in
  quarantine (merged with an earlier copy of the same XML), and the device is told so.
- The same instanceID again: with the same XML bytes it is a retry or the next part of a
  submission split over several POSTs; the attachments not yet held are added, nothing
  else changes. With different XML it is a conflict (409); the first one stays.
- A new instance naming an older one in `deprecatedID` is an edit: the older row stays
  and points at the new one (`superseded_by`). An instance already replaced cannot be
  replaced again (409): the device edited an out-of-date copy.

Two POSTs of the same instance can race (retries over a bad connection): the unique
instanceID decides, and the loser takes the duplicate path."""

from __future__ import annotations

import copy
import hashlib
import threading
from collections import OrderedDict
from collections.abc import Iterable
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction

from puente.accounts.permissions import Actor, signed_in
from puente.collect.codes import CollectCode
from puente.collect.models import (
    Form,
    FormVersion,
    Project,
    QuarantinedAttachment,
    QuarantinedSubmission,
    Submission,
    SubmissionAttachment,
)
from puente.collect.openrosa import SubmissionMeta, UnreadableSubmission, submission_meta
from puente.collect.parsing import stored_values
from puente.collect.signals import submission_announce


@dataclass
class Receipt:
    """What became of a POST: `created` (a new submission), `duplicate` (held already;
    attachments possibly added) or `quarantined`."""

    outcome: str
    submission: Submission | None = None
    quarantined: QuarantinedSubmission | None = None
    meta: SubmissionMeta | None = None


def _file_md5(uploaded: UploadedFile) -> str:
    digest = hashlib.md5(usedforsecurity=False)
    for chunk in uploaded.chunks():
        digest.update(chunk)
    uploaded.seek(0)
    return digest.hexdigest()


def _filename(uploaded: UploadedFile) -> str:
    return PurePath(str(uploaded.name or "")).name or "attachment"


def attachments_check(files: Iterable[UploadedFile]) -> None:
    """413 for a file above the limit, before anything is stored."""
    limit = settings.PUENTE_COLLECT_MAX_ATTACHMENT_BYTES
    for uploaded in files:
        if (uploaded.size or 0) > limit:
            raise CollectCode.ATTACHMENT_TOO_LARGE.error(name=_filename(uploaded), limit=limit)


def xml_read(xml: bytes) -> tuple[SubmissionMeta, str]:
    """The submission's identity and its text. 400 when it is not XML, not UTF-8, or has no
    instanceID (without one a retry could not be told from a new submission)."""
    try:
        meta = submission_meta(xml)
        text = xml.decode("utf-8")
    except (UnreadableSubmission, UnicodeDecodeError) as exc:
        raise CollectCode.SUBMISSION_UNREADABLE.error() from exc
    if not meta.instance_id:
        raise CollectCode.NO_INSTANCE_ID.error()
    return meta, text


def _attachments_add(
    submission: Submission, files: Iterable[UploadedFile], *, new: bool = False
) -> int:
    """Store the files not yet held under their names; a name held already is kept as
    first received (a retry sends the same files again). A submission created by this
    request holds none yet: `new` spares the query."""
    held = set() if new else set(submission.attachments.values_list("filename", flat=True))
    added = 0
    for uploaded in files:
        name = _filename(uploaded)
        if name in held:
            continue
        attachment = SubmissionAttachment(
            submission=submission,
            filename=name,
            content_type=uploaded.content_type or "",
            size=uploaded.size or 0,
            md5=_file_md5(uploaded),
        )
        attachment.file.save(name, uploaded, save=False)
        attachment.save()
        held.add(name)
        added += 1
    return added


def _quarantine(
    *,
    acting_user: Actor | None,
    project: Project,
    meta: SubmissionMeta,
    text: str,
    xml_md5: str,
    files: list[UploadedFile],
    device_id: str,
    reason: str,
) -> QuarantinedSubmission:
    item = (
        QuarantinedSubmission.objects.select_for_update()
        .filter(
            project=project,
            instance_id=meta.instance_id,
            xml_md5=xml_md5,
            status=QuarantinedSubmission.Status.PENDING,
        )
        .first()
    )
    if item is None:
        item = QuarantinedSubmission.objects.create(
            project=project,
            form_id=meta.form_id,
            version=meta.version,
            instance_id=meta.instance_id,
            reason=reason,
            xml=text,
            xml_md5=xml_md5,
            device_id=device_id,
            submitted_by=signed_in(acting_user),
        )
    held = set(item.attachments.values_list("filename", flat=True))
    for uploaded in files:
        name = _filename(uploaded)
        if name in held:
            continue
        attachment = QuarantinedAttachment(
            quarantined=item,
            filename=name,
            content_type=uploaded.content_type or "",
            size=uploaded.size or 0,
            md5=_file_md5(uploaded),
        )
        attachment.file.save(name, uploaded, save=False)
        attachment.save()
        held.add(name)
    return item


# Versions are never changed or deleted (`FormVersion`), and a project's form ID and
# version name one for good: a version found once is kept in the process, so that each
# submission does not read its XForm again. A version not found is never kept (it may be
# published next). Each caller gets copies: the kept objects are shared by the threads.
_VERSIONS: OrderedDict[tuple[int, str, str], FormVersion] = OrderedDict()
_VERSIONS_KEPT = 64
_versions_lock = threading.Lock()


def published_versions_forget() -> None:
    """Forget the versions kept (a restored database, the tests)."""
    with _versions_lock:
        _VERSIONS.clear()


def published_version(project: Project, meta: SubmissionMeta) -> FormVersion | None:
    key = (project.pk, meta.form_id, meta.version)
    with _versions_lock:
        kept = _VERSIONS.get(key)
        if kept is not None:
            _VERSIONS.move_to_end(key)
    if kept is None:
        # (project, form ID, version) names one version: no ordering, so no join for it.
        kept = (
            FormVersion.objects.select_related("form")
            .filter(form__project=project, form__form_id=meta.form_id, version=meta.version)
            .order_by()
            .first()
        )
        if kept is None:
            return None
        with _versions_lock:
            _VERSIONS[key] = kept
            while len(_VERSIONS) > _VERSIONS_KEPT:
                _VERSIONS.popitem(last=False)
    version = copy.copy(kept)
    version.form = copy.copy(kept.form)
    # The form's project too: the announcement of a stored submission names it.
    version.form.project = project
    return version


def submission_store(
    *,
    acting_user: Actor | None,
    version: FormVersion,
    meta: SubmissionMeta,
    text: str,
    xml_md5: str,
    files: list[UploadedFile],
    device_id: str = "",
    complete: bool = True,
    held_first: bool = False,
) -> Receipt:
    """Store one submission of a published version, or recognise it as held already.
    Runs inside the caller's transaction.

    A new instance is written at once, with no savepoint around it: should its instanceID
    be held already (a retry, or another POST of the same instance that committed first),
    the IntegrityError undoes the caller's whole transaction, and the caller runs it again
    with `held_first`, which looks for the instance before writing."""
    old = None
    existing = None
    if meta.deprecated_id or held_first:
        # An edit sent again is a duplicate, not a second edit of the same instance.
        existing = _held(meta.instance_id)
        if existing is None:
            old = (
                Submission.objects.select_for_update()
                .filter(instance_id=meta.deprecated_id)
                .first()
            )
            if old is not None and old.superseded_by_id is not None:
                raise CollectCode.ALREADY_EDITED.error(instance_id=meta.deprecated_id)
    if existing is None:
        # The unique instanceID tells a retry (or another POST of the same instance that
        # committed first) from a new instance: in a savepoint where the instance was looked
        # for already, otherwise by the caller running the transaction again.
        try:
            with transaction.atomic() if held_first or meta.deprecated_id else nullcontext():
                submission = Submission.objects.create(
                    form=version.form,
                    form_version=version,
                    instance_id=meta.instance_id,
                    # An edit of an instance not held here keeps the chain's name anyway.
                    root_id=(old.root_id if old else meta.deprecated_id) or meta.instance_id,
                    deprecated_id=meta.deprecated_id,
                    xml=text,
                    xml_md5=xml_md5,
                    data=stored_values(version.xml, text),
                    complete=complete,
                    device_id=device_id,
                    submitted_by=signed_in(acting_user),
                )
        except IntegrityError:
            if not (held_first or meta.deprecated_id):
                raise
            existing = _held(meta.instance_id)
            if existing is None:
                raise
        else:
            if old is not None:
                old.superseded_by = submission
                old.save(update_fields=["superseded_by"])
            _attachments_add(submission, files, new=True)
            submission_announce(
                submission, outcome="stored", replaced=meta.deprecated_id if old else ""
            )
            return Receipt(outcome="created", submission=submission, meta=meta)
    if existing.xml_md5 != xml_md5 or existing.form.project_id != version.form.project_id:
        raise CollectCode.INSTANCE_CONFLICT.error(instance_id=meta.instance_id)
    _attachments_add(existing, files)
    if complete and not existing.complete:
        existing.complete = True
        existing.save(update_fields=["complete"])
    return Receipt(outcome="duplicate", submission=existing, meta=meta)


def _held(instance_id: str) -> Submission | None:
    """The submission of this instance, locked until the transaction ends."""
    return (
        Submission.objects.select_for_update(of=("self",))
        .select_related("form")
        .filter(instance_id=instance_id)
        .order_by()  # instance IDs are unique
        .first()
    )


def submission_receive(
    *,
    acting_user: Actor | None,
    project: Project,
    xml: bytes,
    files: list[UploadedFile],
    device_id: str = "",
    complete: bool = True,
) -> Receipt:
    """One OpenRosa POST: a submission's XML and some or all of its attachments."""
    arguments: dict[str, Any] = {
        "acting_user": acting_user,
        "project": project,
        "xml": xml,
        "files": files,
        "device_id": device_id,
        "complete": complete,
    }
    try:
        return _receive(**arguments)
    except IntegrityError:
        # The instance is held already (submission_store): nothing of this attempt is
        # left; the second one looks for the instance first.
        for upload in files:
            upload.seek(0)
        return _receive(**arguments, held_first=True)


@transaction.atomic
def _receive(
    *,
    acting_user: Actor | None,
    project: Project,
    xml: bytes,
    files: list[UploadedFile],
    device_id: str = "",
    complete: bool = True,
    held_first: bool = False,
) -> Receipt:
    attachments_check(files)
    meta, text = xml_read(xml)
    xml_md5 = hashlib.md5(xml, usedforsecurity=False).hexdigest()
    version = published_version(project, meta)
    if version is None:
        known = Form.objects.filter(project=project, form_id=meta.form_id).exists()
        item = _quarantine(
            acting_user=acting_user,
            project=project,
            meta=meta,
            text=text,
            xml_md5=xml_md5,
            files=files,
            device_id=device_id,
            reason="unknown_version" if known else "unknown_form",
        )
        return Receipt(outcome="quarantined", quarantined=item, meta=meta)
    return submission_store(
        acting_user=acting_user,
        version=version,
        meta=meta,
        text=text,
        xml_md5=xml_md5,
        files=files,
        device_id=device_id,
        complete=complete,
        held_first=held_first,
    )
