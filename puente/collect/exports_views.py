"""The download of a form's collected data: a ZIP of its CSV tables or its XLSX workbook
(docs/collect.md, "Exports"), for those who see the project's data. Up to
`PUENTE_INLINE_EXPORT_SUBMISSIONS` submissions it is made while the page waits; more are
written by `puente worker`, and the user is sent to the export's own page, which offers
the file once it is ready."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from puente.collect.fields import language_name
from puente.collect.models import FormExport, Submission
from puente.collect.services.export_jobs import (
    UNFINISHED,
    export_for_user,
    form_export_request,
)
from puente.collect.services.exports import (
    CONTENT_TYPES,
    FORMATS,
    access_form_for_export,
    form_export_file,
    submissions_for_export,
)


def _date(request: HttpRequest, name: str) -> dt.date | None:
    text = request.GET.get(name, "").strip()
    return dt.date.fromisoformat(text) if text else None


@login_required
@require_GET
def form_export(request: HttpRequest, project: str, form_id: str) -> HttpResponse | FileResponse:
    """`?format=csv|xlsx&labels=es&status=approved&from=2026-01-01&to=2026-01-31`."""
    form = access_form_for_export(request.user, project, form_id)
    file_format = request.GET.get("format", "csv")
    statuses = request.GET.getlist("status")
    if file_format not in FORMATS:
        return HttpResponseBadRequest(_("Unknown format: choose csv or xlsx."))
    if any(status not in Submission.Status.values for status in statuses):
        return HttpResponseBadRequest(_("Unknown status."))
    try:
        received_from, received_to = _date(request, "from"), _date(request, "to")
    except ValueError:
        return HttpResponseBadRequest(_("Dates are written YYYY-MM-DD."))
    options: dict[str, Any] = {
        "form": form,
        "file_format": file_format,
        "labels": request.GET.get("labels", "").lower(),
        "statuses": statuses,
        "received_from": received_from,
        "received_to": received_to,
    }
    count = submissions_for_export(
        form, statuses=statuses, received_from=received_from, received_to=received_to
    ).count()
    if count > settings.PUENTE_INLINE_EXPORT_SUBMISSIONS:
        job = form_export_request(acting_user=request.user, submissions=count, **options)
        return redirect("collect:export_detail", export_id=job.pk)
    export = form_export_file(acting_user=request.user, **options)
    return FileResponse(
        export.handle,
        as_attachment=True,
        filename=export.filename,
        content_type=export.content_type,
    )


@login_required
@require_GET
def export_detail(request: HttpRequest, export_id: int) -> HttpResponse:
    """An export written in the background: its state, then its file. The page reloads
    itself while the export is being written."""
    export = export_for_user(request.user, export_id)
    return render(
        request,
        "collect/export.html",
        {
            "export": export,
            "form": export.form,
            "waiting": export.state in UNFINISHED,
            "keep_hours": settings.PUENTE_EXPORT_KEEP_HOURS,
            "labels_name": language_name(export.labels) if export.labels else "",
            "status_labels": [
                Submission.Status(status).label
                for status in export.statuses
                if status in Submission.Status.values
            ],
        },
    )


@login_required
@require_GET
def export_download(request: HttpRequest, export_id: int) -> HttpResponse | FileResponse:
    export = export_for_user(request.user, export_id)
    if export.state != FormExport.State.DONE or not export.file:
        return redirect("collect:export_detail", export_id=export.pk)
    return FileResponse(
        export.file.open("rb"),
        as_attachment=True,
        filename=export.filename,
        content_type=CONTENT_TYPES[export.file_format],
    )
