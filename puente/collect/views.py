"""The pages of field data collection: projects and their forms, publishing an XLSForm,
the quarantine, and each form's submissions (review, corrections).
The OpenRosa server for devices is `server.py`."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from puente.accounts.permissions import Action, scope_filter, user_can_somewhere
from puente.collect.answers import answer_rows, answer_shown_text, filtered_text
from puente.collect.fields import FormFields, form_fields, form_languages, language_name
from puente.collect.forms import CorrectionForm, PublishForm, ReviewForm, SubmissionFilterForm
from puente.collect.models import Project, Submission
from puente.collect.selectors import (
    SubmissionFilters,
    access_form,
    access_quarantined,
    access_submission,
    access_submission_file,
    collect_pages_check,
    collected_data_check,
    forms_manage_check,
    forms_published,
    projects_manageable,
    projects_visible,
    quarantine_visible,
    submission_collectors,
    submission_corrections,
    submission_history,
    submissions_visible,
)
from puente.collect.services.corrections import submission_correct
from puente.collect.services.export_jobs import user_form_exports
from puente.collect.services.publishing import (
    XlsformMessage,
    form_media_add,
    form_publish,
    project_for_publishing,
)
from puente.collect.services.quarantine import quarantine_discard, quarantine_resolve
from puente.collect.services.review import submission_review
from puente.core.errors import ApplicationError
from puente.reference.models import Country


def _server_url(request: HttpRequest, project: Project) -> str:
    """The server URL to give ODK Collect: the root the OpenRosa paths hang from."""
    form_list = reverse("collect:form_list", kwargs={"project": project.code})
    return request.build_absolute_uri(form_list.removesuffix("formList"))


@login_required
def projects(request: HttpRequest) -> HttpResponse:
    """The projects whose data the user sees, with their forms and the server URL to give
    ODK Collect."""
    collect_pages_check(request.user)
    visible = list(projects_visible(request.user))
    rows = [
        {
            "project": project,
            "server_url": _server_url(request, project),
            "forms": forms_published(project),
        }
        for project in visible
    ]
    return render(
        request,
        "collect/projects.html",
        {
            "rows": rows,
            "can_publish": user_can_somewhere(request.user, Action.MANAGE_FORMS),
            "quarantined": quarantine_visible(request.user).filter(status="pending").count(),
        },
    )


def _messages_text(items: list[dict[str, Any]]) -> list[str]:
    return [XlsformMessage(**item).text() for item in items]


@login_required
def publish(request: HttpRequest) -> HttpResponse:
    """Upload an XLSForm (and its media files) as a new version of its form."""
    forms_manage_check(request.user)
    countries = Country.objects.filter(
        scope_filter(request.user, Action.MANAGE_FORMS, country="pk")
    ).order_by("iso3")
    form = PublishForm(
        request.POST or None,
        request.FILES or None,
        projects=projects_manageable(request.user),
        countries=countries,
    )
    errors: list[str] = []
    warnings: list[str] = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        upload = data["xlsform"]
        try:
            with transaction.atomic():
                project = data["project"] or project_for_publishing(
                    acting_user=request.user,
                    code=data["new_code"],
                    country_iso3=data["new_country"].iso3,
                    name=data["new_name"],
                )
                forms_manage_check(request.user, project)
                publication = form_publish(
                    acting_user=request.user,
                    project=project,
                    name=upload.name,
                    content=upload.read(),
                )
                for media in data["media_files"]:
                    form_media_add(
                        acting_user=request.user,
                        form=publication.version.form,
                        filename=media.name,
                        content=media.read(),
                        content_type=media.content_type or "",
                    )
        except ApplicationError as exc:
            errors = [str(exc.message), *_messages_text(exc.extra.get("errors", []))]
            warnings = _messages_text(exc.extra.get("warnings", []))
        else:
            version = publication.version
            text = (
                _("Form %(form_id)s version “%(version)s” published in %(project)s.")
                if publication.created
                else _("Form %(form_id)s version “%(version)s” was already published.")
            )
            messages.success(
                request,
                text
                % {
                    "form_id": version.form.form_id,
                    "version": version.version,
                    "project": project.code,
                },
            )
            for warning in publication.warnings:
                messages.warning(request, warning.text())
            return redirect("collect:projects")
    return render(
        request,
        "collect/publish.html",
        {"form": form, "errors": errors, "warnings": warnings},
    )


@login_required
def quarantine(request: HttpRequest) -> HttpResponse:
    forms_manage_check(request.user)
    items = quarantine_visible(request.user)[:500]
    return render(request, "collect/quarantine.html", {"items": items})


@login_required
@require_POST
def quarantine_item(request: HttpRequest, item_id: int) -> HttpResponse:
    """Resolve (`action=resolve`) or discard (`action=discard`) a quarantined submission."""
    forms_manage_check(request.user)
    item = access_quarantined(request.user, item_id)
    action = request.POST.get("action")
    if action not in ("resolve", "discard"):
        return HttpResponse(_("Say resolve or discard."), status=400)
    try:
        if action == "resolve":
            quarantine_resolve(acting_user=request.user, item=item)
            messages.success(request, _("The submission was stored."))
        else:
            quarantine_discard(acting_user=request.user, item=item)
            messages.success(request, _("The submission was discarded."))
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
    return redirect("collect:quarantine")


# Submissions: the page of a form, a submission's page (review, corrections), its files.

SUBMISSIONS_PER_PAGE = 50


def _require_collected_data(request: HttpRequest) -> None:
    """403 for a user no project's data is open to; the loaders answer 404 beyond."""
    collected_data_check(request.user)


@login_required
@require_GET
def form_submissions(request: HttpRequest, project: str, form_id: str) -> HttpResponse:
    """The current submissions of a form, newest first, filtered by received dates,
    status, collector and the answer of one field."""
    _require_collected_data(request)
    form = access_form(request.user, project, form_id)
    version = form.current_version()
    fields = form_fields(version.xml) if version is not None else FormFields()
    filter_form = SubmissionFilterForm(
        request.GET or None, fields=fields, collectors=submission_collectors(form)
    )
    context: dict[str, Any] = {
        "form": form,
        "version": version,
        "filter_form": filter_form,
        "export_languages": [
            (code, language_name(code)) for code in (form_languages(version.xml) if version else [])
        ],
        "exports": user_form_exports(request.user, form),
        "inline_export_limit": settings.PUENTE_INLINE_EXPORT_SUBMISSIONS,
        "export_keep_hours": settings.PUENTE_EXPORT_KEEP_HOURS,
    }
    if filter_form.is_bound and not filter_form.is_valid():
        # A mistyped filter: the error on the page, never every submission instead.
        return render(request, "collect/form_submissions.html", context, status=400)
    filters = SubmissionFilters()
    shown_field = fields.named("point")
    if filter_form.is_bound:
        data = filter_form.cleaned_data
        # The download takes the filters an export knows: the dates and the status.
        context["export_filters"] = {
            "from": data["received_from"].isoformat() if data["received_from"] else "",
            "to": data["received_to"].isoformat() if data["received_to"] else "",
            "status": data["status"],
        }
        spec = data["field_spec"]
        filters = SubmissionFilters(
            received_from=data["received_from"],
            received_to=data["received_to"],
            status=data["status"],
            collector_id=data["collector_id"],
            field=spec.path if spec is not None else "",
            repeat=spec.repeat if spec is not None else "",
            answer=data["answer_value"],
        )
        shown_field = spec or shown_field
    page = Paginator(
        submissions_visible(request.user, form, filters), SUBMISSIONS_PER_PAGE
    ).get_page(request.GET.get("page"))
    shown = fields.filter_path(shown_field) if shown_field is not None else ""
    rows = [
        {
            "submission": s,
            "answer": filtered_text(s.data, shown_field) if shown_field is not None else "",
        }
        for s in page
    ]
    query = request.GET.copy()
    query.pop("page", None)
    context.update(
        page=page,
        rows=rows,
        shown=shown,
        shown_label=(shown_field.label or shown) if shown_field is not None else "",
        query=query.urlencode(),
    )
    return render(request, "collect/form_submissions.html", context)


def _submission_page(
    request: HttpRequest,
    submission: Submission,
    *,
    review_form: ReviewForm | None = None,
    correction_form: CorrectionForm | None = None,
    errors: list[str] | None = None,
    status: int = 200,
) -> HttpResponse:
    fields = form_fields(submission.form_version.xml)
    corrections = submission_corrections(submission)
    for correction in corrections:
        located = fields.locate(correction.path)
        spec = located[0] if located is not None else None
        correction.old_text = answer_shown_text(correction.old_value, spec)  # type: ignore[attr-defined]
        correction.new_text = answer_shown_text(correction.new_value, spec)  # type: ignore[attr-defined]
    current = submission.superseded_by_id is None
    correction_form = correction_form or CorrectionForm(
        fields=fields,
        data_answers=submission.data or {},
        target=request.GET.get("correct", ""),
    )
    return render(
        request,
        "collect/submission.html",
        {
            "submission": submission,
            "form": submission.form,
            "answers": answer_rows(submission.data, fields, {c.path for c in corrections}),
            "attachments": list(submission.attachments.order_by("filename")),
            "history": submission_history(submission),
            "corrections": corrections,
            "current": current,
            "review_form": review_form or ReviewForm(),
            "correction_form": correction_form,
            # The answers the form above corrects: each gets a link choosing it.
            "correctable": {path for path, _label in correction_form.fields["path"].choices},  # type: ignore[attr-defined]
            "errors": errors or [],
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def submission(request: HttpRequest, submission_id: int) -> HttpResponse:
    """A submission: its answers, files, edit history, review and corrections. A POST
    reviews it (`action=review`) or corrects one answer (`action=correct`)."""
    _require_collected_data(request)
    item = access_submission(request.user, submission_id)
    if request.method == "GET":
        return _submission_page(request, item)
    action = request.POST.get("action")
    if action == "review":
        review_form = ReviewForm(request.POST)
        if not review_form.is_valid():
            return _submission_page(request, item, review_form=review_form, status=400)
        try:
            submission_review(
                acting_user=request.user,
                submission=item,
                status=review_form.cleaned_data["decision"],
                reason=review_form.cleaned_data["reason"],
            )
        except ApplicationError as exc:
            return _submission_page(
                request, item, review_form=review_form, errors=[str(exc)], status=exc.status
            )
        messages.success(request, _("The review was recorded."))
    elif action == "correct":
        correction_form = CorrectionForm(
            request.POST,
            fields=form_fields(item.form_version.xml),
            data_answers=item.data or {},
        )
        if not correction_form.is_valid():
            return _submission_page(request, item, correction_form=correction_form, status=400)
        try:
            submission_correct(
                acting_user=request.user,
                submission=item,
                path=correction_form.cleaned_data["path"],
                value=correction_form.cleaned_data["value"],
                reason=correction_form.cleaned_data["reason"],
            )
        except ApplicationError as exc:
            correction_form.add_error(None, str(exc))
            return _submission_page(
                request, item, correction_form=correction_form, status=exc.status
            )
        messages.success(request, _("The answer was corrected."))
    else:
        return _submission_page(request, item, errors=[_("Say review or correct.")], status=400)
    return redirect("collect:submission_detail", submission_id=item.pk)


@login_required
@require_GET
def submission_file(request: HttpRequest, submission_id: int, filename: str) -> FileResponse:
    """A file sent with a submission, downloaded as sent (never shown inline)."""
    _require_collected_data(request)
    attachment = access_submission_file(request.user, submission_id, filename)
    return FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.filename,
        content_type=attachment.content_type or "application/octet-stream",
    )
