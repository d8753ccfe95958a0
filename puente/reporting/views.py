from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from puente.accounts.permissions import Action, Target, user_can, user_can_somewhere
from puente.core.errors import ApplicationError
from puente.core.exports import xlsx_bytes
from puente.core.tabular import cell_text, read_table
from puente.partners.models import Organisation
from puente.reference.models import Country, Sector
from puente.reporting.forms import LockForm, ReviewForm, RowFilterForm, RowForm, UploadForm
from puente.reporting.models import ActivityRow, ImportBatch
from puente.reporting.selectors import (
    RowFilters,
    access_activity_row,
    batch_for_user,
    locks_for,
    row_history,
    row_list,
    submissions_summary,
)
from puente.reporting.services.exports import rows_export
from puente.reporting.services.imports import (
    batch_create,
    batch_progress,
    batch_run,
    rows_import,
)
from puente.reporting.services.template import template_build
from puente.reporting.services.validation import COLUMNS, INTEGER_FIELDS, parse_month
from puente.reporting.services.workflow import (
    period_lock,
    period_unlock,
    report_review,
    report_submit,
    row_update,
)
from puente.reporting.tasks import batch_import_task


def _require(user: Any, action: Action) -> None:
    if not user_can_somewhere(user, action):
        raise DjangoPermissionDenied


def _filters(request: HttpRequest) -> tuple[RowFilterForm, RowFilters]:
    form = RowFilterForm(request.GET or None)
    if not form.is_valid():
        return form, RowFilters()
    data = form.cleaned_data
    org = None
    if data["appealing_org"]:
        org = Organisation.objects.filter(acronym__iexact=data["appealing_org"]).first()
    return form, RowFilters(
        month=parse_month(data["month"]) if data["month"] else None,
        country=data["country"],
        appealing_org=org,
        sector=data["sector"],
        status=data["status"],
    )


@login_required
def rows(request: HttpRequest) -> HttpResponse:
    _require(request.user, Action.VIEW_REPORTS)
    form, filters = _filters(request)
    page = Paginator(row_list(request.user, filters).order_by("-month", "id"), 50).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "reporting/rows.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "can_submit": user_can_somewhere(request.user, Action.SUBMIT_REPORT),
        },
    )


@login_required
def export(request: HttpRequest, file_format: str) -> HttpResponse:
    _require(request.user, Action.VIEW_REPORTS)
    if file_format not in ("csv", "xlsx", "hxl"):
        raise Http404
    _form, filters = _filters(request)
    content, content_type, extension = rows_export(
        row_list(request.user, filters), file_format=file_format
    )
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="5w.{extension}"'
    return response


@login_required
def template(request: HttpRequest, iso3: str) -> HttpResponse:
    country = get_object_or_404(Country, iso3=iso3.upper())
    response = HttpResponse(
        template_build(country=country),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="5w-template-{country.iso3}.xlsx"'
    return response


@login_required
def upload(request: HttpRequest) -> HttpResponse:
    _require(request.user, Action.SUBMIT_REPORT)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload_file = form.cleaned_data["file"]
        if upload_file.size > settings.PUENTE_MAX_IMPORT_BYTES:
            form.add_error(
                "file",
                _("The file is larger than the limit of %(megabytes)s MB.")
                % {"megabytes": settings.PUENTE_MAX_IMPORT_BYTES // (1024 * 1024)},
            )
        else:
            batch = batch_create(
                acting_user=request.user,
                filename=upload_file.name,
                content=upload_file.read(),
                source="file",
                policy=form.cleaned_data["policy"],
                status=form.cleaned_data["status"],
                dry_run=form.cleaned_data["dry_run"],
            )
            if upload_file.size <= settings.PUENTE_INLINE_IMPORT_BYTES:
                batch_run(batch.pk)
            else:
                batch_import_task.enqueue(batch.pk)
            return redirect("reporting:batch", batch_id=batch.pk)
    countries = Country.objects.all()
    return render(request, "reporting/upload.html", {"form": form, "countries": countries})


def _batch(request: HttpRequest, batch_id: int) -> ImportBatch:
    try:
        return batch_for_user(request.user, batch_id)
    except ImportBatch.DoesNotExist as exc:
        raise Http404 from exc


@login_required
def batch(request: HttpRequest, batch_id: int) -> HttpResponse:
    item = _batch(request, batch_id)
    errors = item.report.get("errors", [])
    return render(
        request,
        "reporting/batch.html",
        {
            "batch": item,
            "errors": errors[:500],
            "error_count": len(errors),
            "can_mark": bool(item.file) and any(e.get("row") for e in errors),
            "warnings": item.report.get("warnings", [])[:200],
            "running": item.state in (ImportBatch.State.QUEUED, ImportBatch.State.RUNNING),
            "progress": batch_progress(item.pk),
        },
    )


@login_required
def batch_progress_json(request: HttpRequest, batch_id: int) -> JsonResponse:
    item = _batch(request, batch_id)
    return JsonResponse({"state": item.state, **batch_progress(item.pk)})


@login_required
def batch_errors_xlsx(request: HttpRequest, batch_id: int) -> HttpResponse:
    """The uploaded file back, with a column of messages beside each bad row."""
    item = _batch(request, batch_id)
    if not item.file:
        raise Http404
    by_row: dict[int, list[str]] = {}
    for error in item.report.get("errors", []):
        if error.get("row"):
            by_row.setdefault(error["row"], []).append(
                f"{error.get('column') or ''}: {error['message']}"
            )
    if not by_row:  # nothing to mark: the file as a whole could not be read
        raise Http404
    with item.file.open("rb") as handle:
        table = read_table(handle, filename=item.filename, columns=COLUMNS, allow_unknown=True)
        headers = [c.name for c in COLUMNS]
        rows, notes = [], {}
        for index, (number, raw) in enumerate(table):
            rows.append([cell_text(raw.get(h)) for h in headers])
            if number in by_row:
                notes[index] = "; ".join(by_row[number])
    content = xlsx_bytes(headers, rows, sheet="5W", notes=notes, notes_header=_("errors"))
    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="errors-{item.pk}.xlsx"'
    return response


@login_required
def row_form(request: HttpRequest, row_id: int | None = None) -> HttpResponse:
    _require(request.user, Action.SUBMIT_REPORT)
    row = None
    initial: dict[str, Any] = {}
    if row_id is not None:
        try:
            row = access_activity_row(request.user, row_id, Action.SUBMIT_REPORT)
        except ActivityRow.DoesNotExist as exc:
            raise Http404 from exc
        except ApplicationError as exc:
            raise DjangoPermissionDenied from exc
        initial = {
            "month": row.month.strftime("%Y-%m"),
            "country": row.country,
            "admin1": row.admin1.name,
            "admin2": row.admin2,
            "appealing_org": row.appealing_org,
            "implementing_org": row.implementing_org,
            "indicator": row.indicator,
            "activity": row.activity,
            "rmrp_activity": "yes" if row.rmrp_activity else "no",
            "modality": row.modality,
            "cva_value_usd": row.cva_value_usd or "",
            "delivery_mechanism": row.delivery_mechanism,
            "population_group": row.population_group,
            "status": row.status,
            **{f: getattr(row, f) if getattr(row, f) is not None else "" for f in INTEGER_FIELDS},
        }
    form = RowForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        status = form.cleaned_data["status"]
        try:
            if row is None:
                report = rows_import(
                    rows=[(1, form.as_row())], acting_user=request.user, status=status
                )
            else:
                report = row_update(
                    acting_user=request.user, row=row, data=form.as_row(), status=status
                )
        except ApplicationError as exc:
            form.add_error(None, str(exc.message))
        else:
            if report.ok:
                messages.success(request, _("The row was saved."))
                return redirect("reporting:rows")
            for error in report.errors:
                field = error.column if error.column in form.fields else None
                form.add_error(field, str(error.message))
    return render(request, "reporting/row_form.html", {"form": form, "row": row})


@login_required
def history(request: HttpRequest, row_id: int) -> HttpResponse:
    try:
        row = access_activity_row(request.user, row_id)
    except ActivityRow.DoesNotExist as exc:
        raise Http404 from exc
    return render(
        request,
        "reporting/history.html",
        {"row": row, "changes": row_history(row), "created_batch": row.created_batch},
    )


@login_required
def review(request: HttpRequest) -> HttpResponse:
    _require(request.user, Action.VIEW_REPORTS)
    form, filters = _filters(request)
    groups = submissions_summary(request.user, filters)[:300]
    countries = Country.objects.in_bulk({g["country_id"] for g in groups})
    orgs = Organisation.objects.prefetch_related("countries").in_bulk(
        {g["appealing_org_id"] for g in groups}
    )
    sectors = Sector.objects.in_bulk()
    for group in groups:
        country, org = countries[group["country_id"]], orgs[group["appealing_org_id"]]
        review_target = Target(
            country=country, sector=sectors[group["sector_id"]], organisation=org
        )
        group["can_review"] = group["status"] == "submitted" and user_can(
            request.user, Action.REVIEW_REPORT, review_target
        )
        group["can_submit"] = group["status"] in ("draft", "returned") and user_can(
            request.user, Action.SUBMIT_REPORT, Target(country=country, organisation=org)
        )
    return render(request, "reporting/review.html", {"form": form, "groups": groups})


@login_required
@require_POST
def review_decide(request: HttpRequest) -> HttpResponse:
    form = ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The review form was incomplete."))
        return redirect("reporting:review")
    data = form.cleaned_data
    org = get_object_or_404(Organisation, acronym=data["org"])
    country = get_object_or_404(Country, iso3=data["country"])
    month = parse_month(data["month"])
    if month is None:
        raise Http404
    try:
        if data["decision"] == "submit":
            count = report_submit(
                acting_user=request.user, appealing_org=org, country=country, month=month
            )
        else:
            sector = get_object_or_404(Sector, code=data["sector"])
            count = report_review(
                acting_user=request.user,
                appealing_org=org,
                country=country,
                sector=sector,
                month=month,
                decision=data["decision"],
                comment=data["comment"],
            )
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("%(count)s rows updated.") % {"count": count})
    return redirect(request.POST.get("next") or "reporting:review")


@login_required
def locks(request: HttpRequest) -> HttpResponse:
    _require(request.user, Action.LOCK_PERIOD)
    form = LockForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        month = parse_month(form.cleaned_data["month"])
        if month is None:
            form.add_error("month", _("Write the month as YYYY-MM."))
        else:
            try:
                if form.cleaned_data["action"] == "lock":
                    period_lock(
                        acting_user=request.user, country=form.cleaned_data["country"], month=month
                    )
                else:
                    period_unlock(
                        acting_user=request.user, country=form.cleaned_data["country"], month=month
                    )
            except ApplicationError as exc:
                form.add_error(None, str(exc.message))
            else:
                return redirect("reporting:locks")
    return render(request, "reporting/locks.html", {"form": form, "locks": locks_for()[:200]})
