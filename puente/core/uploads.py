"""The web door to whole-file imports: the file is stored first, then imported, and the
report kept beside it."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from puente.core.actors import Actor
from puente.core.imports import ImportFileError, ImportReport
from puente.core.models import Upload
from puente.core.tabular import check_page_readable


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("File"), help_text=_("CSV, XLSX, XLS or ODS, with a header row.")
    )
    dry_run = forms.BooleanField(label=_("Only check the file; write nothing"), required=False)


def upload_import(
    *,
    acting_user: Actor | None,
    kind: str,
    uploaded: UploadedFile,
    dry_run: bool,
    importer: Callable[..., ImportReport],
) -> tuple[Upload, ImportReport]:
    user_model = get_user_model()
    upload = Upload(
        uploaded_by=acting_user if isinstance(acting_user, user_model) and acting_user.pk else None,
        kind=kind,
        filename=uploaded.name or kind,
        dry_run=dry_run,
    )
    upload.file.save(uploaded.name or f"{kind}.csv", uploaded, save=True)
    # The stored file is read as the import goes, never as one copy in memory.
    with upload.file.open("rb") as handle:
        try:
            check_page_readable(handle)
        except ImportFileError as exc:
            report = ImportReport(dry_run=dry_run, errors=list(exc.errors))
        else:
            report = _run(importer, handle, upload.filename, dry_run, acting_user)
    upload.accepted = report.ok and not dry_run
    upload.report = report.as_dict()
    upload.save(update_fields=["accepted", "report"])
    return upload, report


def _run(
    importer: Callable[..., ImportReport],
    handle: Any,
    filename: str,
    dry_run: bool,
    acting_user: Actor | None,
) -> ImportReport:
    if "acting_user" in inspect.signature(importer).parameters:
        return importer(source=handle, filename=filename, dry_run=dry_run, acting_user=acting_user)
    return importer(source=handle, filename=filename, dry_run=dry_run)


def page_upload(
    request: HttpRequest, *, importers: dict[str, Callable[..., ImportReport]], allowed: bool
) -> tuple[UploadForm, ImportReport | None, str]:
    """The upload form of a page that takes several kinds of file: (form, report of the
    file just imported, the kind chosen). Posting without `allowed` is refused."""
    from django.core.exceptions import PermissionDenied

    kind = request.POST.get("import_kind") or next(iter(importers))
    form = UploadForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST":
        if not allowed or kind not in importers:
            raise PermissionDenied
        if form.is_valid():
            _upload, report = upload_import(
                acting_user=request.user,
                kind=kind,
                uploaded=form.cleaned_data["file"],
                dry_run=form.cleaned_data["dry_run"],
                importer=importers[kind],
            )
    return form, report, kind
