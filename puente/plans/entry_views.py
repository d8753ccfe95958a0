"""Many entries at once: the template a partner fills for an inter-agency plan, and its
upload (the same import as `puente import plan-entries FILE`)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from puente.core.uploads import page_upload
from puente.plans.selectors import access_plan, plan_entry_organisations
from puente.plans.services.entry_imports import plan_entries_import
from puente.plans.services.entry_template import plan_entry_template_build

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@login_required
def entries_template(request: HttpRequest, code: str) -> HttpResponse:
    """The XLSX template of the plan, offering the organisations the user writes for."""
    plan = access_plan(request.user, code)
    organisations = plan_entry_organisations(request.user, plan)
    content = plan_entry_template_build(plan=plan, organisations=organisations)
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{plan.code}-entries.xlsx"'
    return response


@login_required
def entries_upload(request: HttpRequest, code: str) -> HttpResponse:
    """Upload a filled template: every row written, or none and the errors by row."""
    plan = access_plan(request.user, code)
    plan_entry_organisations(request.user, plan)  # the entry form's gate
    form, report, _kind = page_upload(
        request, importers={"plan-entries": plan_entries_import}, allowed=True
    )
    return render(
        request,
        "plans/entries_upload.html",
        {
            "plan": plan,
            "form": form,
            "report": report,
            "import_url": reverse("plans:entries_upload", args=[plan.code]),
        },
    )
