"""The download of a form's collected data: a ZIP of its CSV tables or its XLSX workbook
(docs/collect.md, "Exports"), for those who see the project's data."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from puente.collect.models import Submission
from puente.collect.services.exports import FORMATS, access_form_for_export, form_export_file


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
    export = form_export_file(
        acting_user=request.user,
        form=form,
        file_format=file_format,
        labels=request.GET.get("labels", "").lower(),
        statuses=statuses,
        received_from=received_from,
        received_to=received_to,
    )
    return FileResponse(
        export.handle,
        as_attachment=True,
        filename=export.filename,
        content_type=export.content_type,
    )
