"""Flow-monitoring pages: the dashboard (scoped to the reader's countries), its public
twin (points marked public, counts below 5 hidden), the export of counts and the upload
page. Views parse, call one selector or service, render."""

from __future__ import annotations

import datetime as dt
from functools import partial
from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from puente.accounts.permissions import user_can_somewhere
from puente.core import exports
from puente.core.as_of import FiguresAsOf, figures_read_now
from puente.core.errors import PermissionDenied
from puente.core.i18n import sorted_by_name
from puente.core.imports import ImportPolicy
from puente.core.templatetags.figures import date_format_long
from puente.core.uploads import upload_import
from puente.flows.access import MANAGE_FLOWS, VIEW_FLOWS
from puente.flows.forms import CountsUploadForm, FlowsFilterForm
from puente.flows.models import FlowCount, FlowPoint
from puente.flows.selectors import (
    flow_counts_stored_at,
    flow_latest_date,
    flow_points_visible,
    flows_dashboard,
    flows_pages_check,
)
from puente.flows.services import COUNT_COLUMNS, flow_counts_import, flow_points_import

DEFAULT_DAYS = 90
COUNT_HXL = (
    "#date",
    "#loc+code",
    "#direction",
    "#population+nationality",
    "#sex",
    "#age",
    "#transport",
    "#affected",
)


def _require(request: HttpRequest, action: Any) -> None:
    flows_pages_check(request.user, action)


def _filtered(
    request: HttpRequest, points: QuerySet[FlowPoint]
) -> tuple[FlowsFilterForm, QuerySet[FlowPoint], dt.date, dt.date, bool]:
    """The filter form, the points and period it selects, and whether it was valid."""
    countries = sorted_by_name({p.country for p in points}, lambda c: str(c.name))
    form = FlowsFilterForm(
        request.GET,
        countries=[(c.iso3, c.name) for c in countries],
        points=[(p.code, p.name) for p in points.order_by("name")],
    )
    valid = form.is_valid()
    data = form.cleaned_data if valid else {}
    if data.get("country"):
        points = points.filter(country__iso3=data["country"])
    if data.get("point"):
        points = points.filter(code=data["point"])
    end = data.get("end") or flow_latest_date(points) or timezone.localdate()
    start = data.get("start") or end - dt.timedelta(days=DEFAULT_DAYS - 1)
    return form, points, start, end, valid


def _charts(data: dict[str, Any], as_of: FiguresAsOf) -> dict[str, Any]:
    """What the charts read: the figures and their labels in the reader's language, and
    when they were read (`as_of`, ISO-8601 UTC)."""
    return {
        **data,
        "as_of": as_of.iso(),
        "by_day": [
            {**d, "label": date_format_long(dt.date.fromisoformat(d["date"]), "day")}
            for d in data["by_day"]
        ],
        "by_week": [
            {**w, "label": date_format_long(dt.date.fromisoformat(w["week"]), "day")}
            for w in data["by_week"]
        ],
        "labels": {
            "entry": _("Entries"),
            "exit": _("Exits"),
            "surveys": _("Surveys"),
            "people": _("People counted"),
        },
    }


def _stored_at(moment: Any) -> FiguresAsOf | None:
    """The newest count's time, written as the figures' time is."""
    return FiguresAsOf(at=moment) if moment is not None else None


def _render(request: HttpRequest, *, public: bool) -> HttpResponse:
    points = flow_points_visible(user=request.user, public=public)
    form, points, start, end, valid = _filtered(request, points)
    as_of = figures_read_now()
    data = flows_dashboard(points=points, start=start, end=end, public=public)
    context = {
        # Read live from the stored counts and survey summaries, not from a copy.
        "as_of": as_of,
        "counts_stored_at": _stored_at(flow_counts_stored_at(points)),
        "form": form,
        "data": data,
        "charts": _charts(data, as_of),
        "public": public,
        "start": start,
        "end": end,
        "geo_url": reverse("public-geo"),
        "can_import": not public and user_can_somewhere(request.user, MANAGE_FLOWS),
        "query": request.GET.urlencode(),
        "tables": [
            (_("Nationalities"), data["nationalities"]),
            (_("Sex"), data["by_sex"]),
            (_("Age group"), data["by_age_group"]),
            (_("Means of transport"), data["by_transport"]),
        ],
        "survey_tables": [
            (_("Intended destination"), data["destinations"]),
            (_("Needs"), data["needs"]),
            (_("Protection incidents on the way"), data["incidents"]),
        ],
    }
    return render(request, "flows/dashboard.html", context, status=200 if valid else 400)


@login_required
@require_safe
def dashboard(request: HttpRequest) -> HttpResponse:
    _require(request, VIEW_FLOWS)
    return _render(request, public=False)


@require_safe
def public_dashboard(request: HttpRequest) -> HttpResponse:
    """No sign-in: the aggregates of the points whose project publishes them."""
    return _render(request, public=True)


@login_required
@require_safe
def export(request: HttpRequest, file_format: str) -> HttpResponse:
    """The counts of the dashboard's points and period, in the import's columns (a file
    exported can be corrected and imported again)."""
    _require(request, VIEW_FLOWS)
    if file_format not in exports.FORMATS:
        raise Http404
    _form, points, start, end, valid = _filtered(request, flow_points_visible(user=request.user))
    if not valid:
        return HttpResponse(status=400)
    counts = (
        FlowCount.objects.filter(point__in=points, date__gte=start, date__lte=end)
        .order_by("date", "point__code", "direction", "nationality")
        .values_list(
            "date",
            "point__code",
            "direction",
            "nationality",
            "sex",
            "age_group",
            "transport",
            "people",
        )
    )
    headers = [c.name for c in COUNT_COLUMNS]
    content = exports.table_file(
        file_format, headers, counts.iterator(), hxl=COUNT_HXL, sheet="counts"
    )
    return exports.download(content, f"flow-counts-{start.isoformat()}-{end.isoformat()}")


IMPORTERS = {"counts": flow_counts_import, "points": flow_points_import}


@login_required
def upload(request: HttpRequest) -> HttpResponse:
    """Daily counts or points from a file: the import's report on the page."""
    _require(request, MANAGE_FLOWS)
    kind = request.POST.get("import_kind") or "counts"
    form = CountsUploadForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST":
        if kind not in IMPORTERS:
            raise PermissionDenied()
        if form.is_valid():
            importer: Any = IMPORTERS[kind]
            if kind == "counts":
                policy = form.cleaned_data.get("policy") or ImportPolicy.REJECT_FILE
                importer = partial(flow_counts_import, policy=policy)
            _upload, report = upload_import(
                acting_user=request.user,
                kind=f"flows-{kind}",
                uploaded=form.cleaned_data["file"],
                dry_run=form.cleaned_data["dry_run"],
                importer=importer,
            )
    context = {
        "form": form,
        "report": report,
        "import_kind": kind,
        "import_kinds": [("counts", _("Daily counts")), ("points", _("Flow-monitoring points"))],
        "import_url": reverse("flows:import"),
        "points": flow_points_visible(user=request.user),
    }
    return render(request, "flows/import.html", context)
