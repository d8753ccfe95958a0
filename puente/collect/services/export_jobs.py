"""Exports too large to make while the page waits (docs/collect.md, "Exports"): asked for
on the form's page, written by `puente worker` into the file storage (shared by web and
worker machines), fetched from their own page by the user who asked, deleted when they
expire.

The file is the one a download made while waiting gives (`form_export_file`): the same
tables, filters and labels. Writing it again gives the same file, so a worker that dies
while writing leaves the task to be retried (`puente.core.task_recovery`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks.base import TaskResultStatus
from django_tasks.exceptions import TaskResultDoesNotExist

from puente.accounts.permissions import Action, Actor, signed_in
from puente.collect.models import Form, FormExport
from puente.collect.selectors import user_can_on_project
from puente.collect.services.exports import form_export_file
from puente.core.errors import NotFound

UNFINISHED = (FormExport.State.QUEUED, FormExport.State.RUNNING)


def form_export_request(
    *,
    acting_user: Actor,
    form: Form,
    file_format: str,
    labels: str = "",
    statuses: Sequence[str] = (),
    received_from: dt.date | None = None,
    received_to: dt.date | None = None,
    submissions: int = 0,
) -> FormExport:
    """Record an export for `puente worker` to write, and queue it: both or neither.
    Expired exports are deleted on the way. Only a signed-in user asks for one: it is
    theirs to fetch."""
    from puente.collect.tasks import form_export_task

    requested_by = signed_in(acting_user)
    if requested_by is None:
        raise NotFound()
    form_exports_expire()
    with transaction.atomic():
        export = FormExport.objects.create(
            form=form,
            requested_by=requested_by,
            file_format=file_format,
            labels=labels,
            statuses=list(statuses),
            received_from=received_from,
            received_to=received_to,
            language=translation.get_language() or "en",
            submissions=submissions,
        )
        result = form_export_task.enqueue(export.pk)
        FormExport.objects.filter(pk=export.pk).update(task_id=str(result.id))
    export.refresh_from_db()
    return export


def form_export_run(export_id: int) -> str:
    """Write the export `export_id` into the file storage; its state at the end. The
    user who asked must still see the project's data when it is written."""
    export = FormExport.objects.select_related("form__project", "requested_by").filter(pk=export_id)
    found = export.first()
    if found is None or found.state == FormExport.State.DONE:
        return found.state if found is not None else "gone"
    FormExport.objects.filter(pk=export_id).update(state=FormExport.State.RUNNING)
    with translation.override(found.language):
        try:
            made = form_export_file(
                acting_user=found.requested_by,
                form=found.form,
                file_format=found.file_format,
                labels=found.labels,
                statuses=found.statuses,
                received_from=found.received_from,
                received_to=found.received_to,
            )
        except NotFound:
            return _export_failed(found, _("You no longer see this project's data."))
        with made.handle:
            if found.file:
                found.file.delete(save=False)  # a retry replaces what a dead worker left
            found.file.save(made.filename, File(made.handle), save=False)
    found.filename = made.filename
    found.state = FormExport.State.DONE
    found.finished_at = timezone.now()
    found.save(update_fields=["file", "filename", "state", "finished_at"])
    return found.state


def _export_failed(export: FormExport, error: str) -> str:
    FormExport.objects.filter(pk=export.pk).update(
        state=FormExport.State.FAILED, error=error, finished_at=timezone.now()
    )
    return FormExport.State.FAILED


def export_for_user(user: Actor, export_id: int) -> FormExport:
    """The export `export_id` if `user` asked for it and still sees the project's data;
    NotFound otherwise. An unfinished export whose task failed (its worker died on every
    attempt) is marked failed here."""
    export = (
        FormExport.objects.select_related("form__project")
        .filter(pk=export_id, requested_by_id=getattr(user, "pk", None))
        .first()
    )
    if export is None or not user_can_on_project(user, Action.VIEW_COLLECTED, export.form.project):
        raise NotFound()
    if export.state in UNFINISHED and _task_failed(export.task_id):
        with translation.override(export.language):
            _export_failed(export, _("The export could not be written. Ask for it again."))
        export.refresh_from_db()
    return export


def _task_failed(task_id: str) -> bool:
    from puente.collect.tasks import form_export_task

    if not task_id:
        return False
    try:
        return form_export_task.get_result(task_id).status == TaskResultStatus.FAILED
    except (TaskResultDoesNotExist, NotImplementedError):
        return False


def user_form_exports(user: Actor, form: Form) -> list[FormExport]:
    """The exports of `form` the user asked for that have not expired, newest first."""
    return list(
        FormExport.objects.filter(
            form=form, requested_by_id=getattr(user, "pk", None), created_at__gte=_expiry()
        )[:10]
    )


def _expiry() -> dt.datetime:
    return timezone.now() - dt.timedelta(hours=settings.PUENTE_EXPORT_KEEP_HOURS)


def form_exports_expire() -> int:
    """Delete the exports older than `PUENTE_EXPORT_KEEP_HOURS`, files included; how many."""
    expired = list(FormExport.objects.filter(created_at__lt=_expiry()))
    for export in expired:
        if export.file:
            export.file.delete(save=False)
        export.delete()
    return len(expired)
