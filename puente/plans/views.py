from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from puente.accounts.permissions import Action, user_can, user_can_somewhere
from puente.core.errors import ApplicationError
from puente.core.uploads import UploadForm, upload_import
from puente.plans.forms import (
    EntryReviewForm,
    PlanEntryFilterForm,
    PlanEntryForm,
    PlanYearForm,
)
from puente.plans.models import Plan, PlanEntry
from puente.plans.selectors import (
    access_plan,
    access_plan_entry,
    appeal_against_plan,
    plan_default_year,
    plan_entries,
    plan_entries_matching,
    plan_entry_organisations,
    plan_list,
    plan_summary,
    plan_upload_check,
    plans_visible,
    public_plan,
)
from puente.plans.services.entries import plan_entry_save
from puente.plans.services.imports import plan_import
from puente.plans.services.publication import plan_publish
from puente.plans.services.review import plan_entry_review

ENTRIES_PER_PAGE = 100


def _year(request: HttpRequest, plan: Plan) -> tuple[PlanYearForm, int | None]:
    """The year asked, one of the plan's (its default year when none is asked); None
    when the form holds an error."""
    form = PlanYearForm(request.GET, plan=plan)
    if not form.is_valid():
        return form, None
    return form, form.cleaned_data["year"] or plan_default_year(plan)


def _errors(form: Any) -> list[str]:
    return [str(e) for errors in form.errors.values() for e in errors]


def _map_data(summary: dict[str, Any]) -> dict[str, Any]:
    """The plan's countries for the map: ISO2 (the prefix of admin-1 codes) -> USD."""
    return {
        "countries": {
            row["country"].iso2: float(row["requirement_usd"])
            for row in summary["countries"]
            if row["country"] is not None
        },
        "label": _("Requirement (USD)"),
    }


def public_plans(request: HttpRequest) -> HttpResponse:
    return render(request, "plans/public_list.html", {"plans": plan_list(published_only=True)})


def public_plan_page(request: HttpRequest, code: str) -> HttpResponse:
    plan = public_plan(code)
    form, year = _year(request, plan)
    context: dict[str, Any] = {"plan": plan, "public": True, "year_errors": _errors(form)}
    if year is None:
        return render(request, "plans/public_plan.html", context, status=400)
    summary = plan_summary(plan, year=year)
    context.update(summary=summary, map_data=_map_data(summary))
    return render(request, "plans/public_plan.html", context)


@login_required
def plans(request: HttpRequest) -> HttpResponse:
    visible = plans_visible(request.user)
    context: dict[str, Any] = {
        "plans": visible,
        "can_import": user_can_somewhere(request.user, Action.MANAGE_PLANS),
    }
    return render(request, "plans/plans.html", context)


@login_required
def plan_upload(request: HttpRequest) -> HttpResponse:
    plan_upload_check(request.user)
    form = UploadForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        _upload, report = upload_import(
            acting_user=request.user,
            kind="plan",
            uploaded=form.cleaned_data["file"],
            dry_run=form.cleaned_data["dry_run"],
            importer=plan_import,
        )
        if report.ok and not report.dry_run:
            messages.success(request, _("The plan was loaded."))
            return redirect("plans:plans")
    return render(
        request,
        "plans/upload.html",
        {"form": form, "report": report, "import_url": reverse("plans:upload")},
    )


def _access(request: HttpRequest, code: str) -> Plan:
    return access_plan(request.user, code)


@login_required
def plan_detail(request: HttpRequest, code: str) -> HttpResponse:
    plan = _access(request, code)
    year_form, year = _year(request, plan)
    context: dict[str, Any] = {
        "plan": plan,
        "year_errors": _errors(year_form),
        "can_manage": user_can(request.user, Action.MANAGE_PLANS, None),
        "can_enter": plan.kind == Plan.Kind.INTER_AGENCY
        and user_can_somewhere(request.user, Action.SUBMIT_PLAN),
    }
    if year is None:
        return render(request, "plans/plan_detail.html", context, status=400)
    summary = plan_summary(plan, year=year)
    # The entries' filters, with the year shown written in.
    filters = PlanEntryFilterForm({**request.GET.dict(), "year": str(year)}, plan=plan)
    context.update(
        summary=summary,
        map_data=_map_data(summary),
        filters=filters,
        statuses=PlanEntry.Status.choices,
        review_form=EntryReviewForm(),
    )
    against = appeal_against_plan(plan, year=year)
    context.update(against_plan=against, against_differ=sum(r["differs"] for r in against))
    if not filters.is_valid():
        return render(request, "plans/plan_detail.html", context, status=400)
    entries = plan_entries_matching(request.user, plan, filters.cleaned_data)
    page = Paginator(entries, ENTRIES_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context.update(
        entries=page,
        entry_count=page.paginator.count,
        page_query=query.urlencode(),
        reviewable=set(
            plan_entries(request.user, plan, action=Action.REVIEW_PLAN)
            .filter(status=PlanEntry.Status.SUBMITTED)
            .values_list("pk", flat=True)
        ),
    )
    return render(request, "plans/plan_detail.html", context)


@login_required
@require_POST
def plan_publish_view(request: HttpRequest, code: str) -> HttpResponse:
    plan = _access(request, code)
    plan_publish(acting_user=request.user, plan=plan, published=request.POST.get("publish") == "1")
    return redirect("plans:plan", code=plan.code)


@login_required
def entry_form(request: HttpRequest, code: str) -> HttpResponse:
    plan = _access(request, code)
    organisations = plan_entry_organisations(request.user, plan)
    initial = {
        k: request.GET[k] for k in ("organisation", "country", "sector", "year") if k in request.GET
    }
    form = PlanEntryForm(
        request.POST or None, plan=plan, organisations=organisations, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            plan_entry_save(
                acting_user=request.user,
                plan=plan,
                organisation=data["organisation"],
                country=data["country"],
                sector=data["sector"],
                year=data["year"],
                requirement_usd=data["requirement_usd"],
                activities=data["activities"],
                targets=form.targets(),
                submit="submit" in request.POST,
            )
        except ApplicationError as exc:
            form.add_error(None, str(exc.message))
        else:
            messages.success(request, _("The entry was saved."))
            return redirect(reverse("plans:plan", args=[plan.code]) + f"?year={data['year']}")
    return render(request, "plans/entry_form.html", {"plan": plan, "form": form})


@login_required
@require_POST
def entry_review(request: HttpRequest, code: str, entry_id: int) -> HttpResponse:
    plan = _access(request, code)
    entry = access_plan_entry(request.user, plan, entry_id, Action.REVIEW_PLAN)
    form = EntryReviewForm(request.POST)
    if form.is_valid():
        try:
            plan_entry_review(
                acting_user=request.user,
                entry=entry,
                decision=form.cleaned_data["decision"],
                comment=form.cleaned_data["comment"],
            )
        except ApplicationError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("The entry was reviewed."))
    return redirect(reverse("plans:plan", args=[plan.code]) + f"?year={entry.year}")
