from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from puente.accounts.permissions import Action, user_can_somewhere
from puente.core.errors import ApplicationError
from puente.core.exports import xlsx_bytes
from puente.core.replica import primary_reads
from puente.core.tabular import cell_text, read_table
from puente.core.templatetags.figures import figure_format
from puente.reference.models import Country
from puente.reporting.codes import ReportingCode
from puente.reporting.filters import BulkReviewRequest, ReviewRequest, RowFilters
from puente.reporting.forms import LockForm, RowFilterForm, RowForm, UploadForm
from puente.reporting.models import ActivityRow, ImportBatch
from puente.reporting.selectors import (
    access_activity_row,
    batch_for_user,
    locks_visible,
    reports_page_check,
    review_group,
    review_queue,
    reviewable_groups,
    row_history,
    row_list,
    submission_rows,
)
from puente.reporting.services.columns import COLUMNS, INTEGER_FIELDS, parse_month
from puente.reporting.services.exports import rows_export
from puente.reporting.services.imports import (
    batch_create,
    batch_progress,
    batch_run,
    batch_runs_inline,
    rows_import,
)
from puente.reporting.services.template import template_build
from puente.reporting.services.workflow import (
    period_lock,
    period_unlock,
    report_review,
    report_review_many,
    report_submit,
    row_update,
)
from puente.reporting.tasks import batch_import_task


def _filters(params: QueryDict) -> tuple[RowFilterForm, RowFilters | None]:
    """The filter form and the parsed filters; None when a value names nothing (the
    page then lists no row and shows the form's errors, never every row)."""
    form = RowFilterForm(params)
    form.is_valid()
    return form, form.filters


def _query(params: QueryDict) -> str:
    """The filters of a page as a query string, without its page number."""
    query = params.copy()
    query.pop("page", None)
    return query.urlencode()


def _rows_page(
    request: HttpRequest, form: RowFilterForm, filters: RowFilters | None
) -> HttpResponse:
    rows = (
        row_list(request.user, filters).order_by("-month", "id")
        if filters is not None
        else ActivityRow.objects.none()
    )
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "reporting/rows.html",
        {
            "form": form,
            "page": page,
            "query": _query(request.GET),
            "can_submit": user_can_somewhere(request.user, Action.SUBMIT_REPORT),
        },
        status=200 if filters is not None else 400,
    )


@login_required
def rows(request: HttpRequest) -> HttpResponse:
    reports_page_check(request.user)
    form, filters = _filters(request.GET)
    return _rows_page(request, form, filters)


@login_required
def export(request: HttpRequest, file_format: str) -> HttpResponse:
    reports_page_check(request.user)
    if file_format not in ("csv", "xlsx", "hxl"):
        raise Http404
    form, filters = _filters(request.GET)
    if filters is None:  # the rows page, with the form's errors: nothing is downloaded
        return _rows_page(request, form, filters)
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
    reports_page_check(request.user, Action.SUBMIT_REPORT)
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
            if batch_runs_inline(batch):
                batch_run(batch.pk)
            else:
                batch_import_task.enqueue(batch.pk)
            return redirect("reporting:batch", batch_id=batch.pk)
    countries = Country.objects.all()
    return render(request, "reporting/upload.html", {"form": form, "countries": countries})


def _batch(request: HttpRequest, batch_id: int) -> ImportBatch:
    return batch_for_user(request.user, batch_id)


@login_required
@primary_reads
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
@primary_reads
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
    reports_page_check(request.user, Action.SUBMIT_REPORT)
    row = None
    initial: dict[str, Any] = {}
    if row_id is not None:
        row = access_activity_row(request.user, row_id, Action.SUBMIT_REPORT)
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
            "conditionality": row.conditionality,
            "restriction": row.restriction,
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
    row = access_activity_row(request.user, row_id)
    return render(
        request,
        "reporting/history.html",
        {"row": row, "changes": row_history(row), "created_batch": row.created_batch},
    )


def _review_url(query: str) -> str:
    """Back to the review page with its filters. Built here from the query string alone:
    never a URL taken from the request."""
    query = QueryDict(query).urlencode()
    return reverse("reporting:review") + (f"?{query}" if query else "")


def _error_messages(exc: ApplicationError) -> list[str]:
    fields = [e["message"] for e in exc.extra.values() if isinstance(e, dict) and "message" in e]
    return fields or [str(exc.message)]


def _updated(count: int) -> str:
    return ngettext("%(count)s row updated.", "%(count)s rows updated.", count) % {
        "count": figure_format(count)
    }


def _review_page(
    request: HttpRequest,
    params: QueryDict,
    *,
    failed: dict[str, Any] | None = None,
    errors: list[str] | None = None,
    bulk_errors: list[str] | None = None,
    status: int = 200,
) -> HttpResponse:
    """The review queue under the filters in `params`. A decision that failed is shown
    with its errors beside the form it came from (`failed`: the posted form)."""
    form, filters = _filters(params)
    query = _query(params)
    items: list[dict[str, Any]] = []
    bulk: list[Any] = []
    if filters is not None:
        failed = failed or {}
        failed_key = {
            "org": str(failed.get("appealing_org") or failed.get("org") or "").strip().upper(),
            **{k: str(failed.get(k, "")).strip().upper() for k in ("country", "month", "sector")},
        }
        for group in review_queue(request.user, filters):
            key = group.key()
            is_failed = bool(failed) and failed_key == {
                "org": key["appealing_org"].upper(),
                "country": key["country"],
                "month": key["month"],
                "sector": key["sector"] if group.can_review else "",
            }
            items.append(
                {
                    "group": group,
                    "preview": urlencode({**key, "back": query}),
                    "errors": errors if is_failed else [],
                    "comment": failed.get("comment", "") if is_failed else "",
                }
            )
        bulk = reviewable_groups(request.user, filters)
    if errors and not any(item["errors"] for item in items):
        bulk_errors = [*(bulk_errors or []), *errors]
    return render(
        request,
        "reporting/review.html",
        {
            "form": form,
            "items": items,
            "query": query,
            "bulk_groups": len(bulk),
            "bulk_rows": sum(g.rows for g in bulk),
            "bulk_errors": bulk_errors or [],
            "bulk_comment": (failed or {}).get("comment", "") if bulk_errors else "",
            "may_review": user_can_somewhere(request.user, Action.REVIEW_REPORT),
        },
        status=status if filters is not None else 400,
    )


@login_required
def review(request: HttpRequest) -> HttpResponse:
    reports_page_check(request.user)
    return _review_page(request, request.GET)


def _status_of(exc: ApplicationError) -> int:
    return exc.status


@login_required
@require_POST
def review_decide(request: HttpRequest) -> HttpResponse:
    """Submit one group, or validate or return it (exactly the sector of the group shown
    on the page). Back to the review page with its filters; a refused decision is shown
    with its form, and changes nothing."""
    reports_page_check(request.user)
    query = request.POST.get("filters", "")
    try:
        decision = ReviewRequest.parse(request.POST)
        if decision.decision == "submit":
            count = report_submit(
                acting_user=request.user,
                appealing_org=decision.appealing_org,
                country=decision.country,
                month=decision.month,
            )
        else:
            assert decision.sector is not None  # noqa: S101 (the parser requires it)
            count = report_review(
                acting_user=request.user,
                appealing_org=decision.appealing_org,
                country=decision.country,
                sector=decision.sector,
                month=decision.month,
                decision=decision.decision,
                comment=decision.comment,
                subsectors=False,
            )
    except ApplicationError as exc:
        return _review_page(
            request,
            QueryDict(query),
            failed=request.POST.dict(),
            errors=_error_messages(exc),
            status=_status_of(exc),
        )
    messages.success(request, _updated(count))
    return redirect(_review_url(query))


@login_required
@require_POST
def review_decide_all(request: HttpRequest) -> HttpResponse:
    """Validate or return every submitted group matching the review page's filters that
    the user may review, all or nothing. The count the reviewer confirmed must still be
    the count: a group submitted meanwhile is not decided unseen."""
    reports_page_check(request.user, Action.REVIEW_REPORT)
    query = request.POST.get("filters", "")
    try:
        bulk = BulkReviewRequest.parse(request.POST)
        groups = reviewable_groups(request.user, bulk.filters)
        rows_now = sum(g.rows for g in groups)
        if rows_now != bulk.expected_rows:
            raise ReportingCode.REVIEW_SET_CHANGED.error(
                then=figure_format(bulk.expected_rows), now=figure_format(rows_now)
            )
        count = report_review_many(
            acting_user=request.user,
            groups=[(g.appealing_org, g.country, g.sector, g.month) for g in groups],
            decision=bulk.decision,
            comment=bulk.comment,
        )
    except ApplicationError as exc:
        return _review_page(
            request,
            QueryDict(query),
            failed={"comment": request.POST.get("comment", "")},
            bulk_errors=_error_messages(exc),
            status=_status_of(exc),
        )
    messages.success(request, _updated(count))
    return redirect(_review_url(query))


@login_required
def review_rows(request: HttpRequest) -> HttpResponse:
    """The rows of one review group, with its decision: what a reviewer reads first."""
    reports_page_check(request.user)
    back = request.GET.get("back", "")
    form, filters = _filters(request.GET)
    missing = filters is None or not all(
        (filters.appealing_org, filters.country, filters.month, filters.sector, filters.status)
    )
    if filters is None or missing:
        return render(
            request,
            "reporting/review_rows.html",
            {"form": form, "missing": True, "back_url": _review_url(back)},
            status=400,
        )
    assert filters.appealing_org and filters.country and filters.month and filters.sector  # noqa: S101
    group_args: dict[str, Any] = {
        "appealing_org": filters.appealing_org,
        "country": filters.country,
        "month": filters.month,
        "sector": filters.sector,
        "status": filters.status,
    }
    group = review_group(request.user, **group_args)
    page = Paginator(submission_rows(request.user, **group_args), 100).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "reporting/review_rows.html",
        {
            "group": group,
            "page": page,
            "query": _query(request.GET),
            "back": back,
            "back_url": _review_url(back),
        },
    )


@login_required
def locks(request: HttpRequest) -> HttpResponse:
    visible = locks_visible(request.user)
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
    return render(request, "reporting/locks.html", {"form": form, "locks": visible[:200]})
