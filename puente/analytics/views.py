from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.gzip import gzip_page

from puente.accounts.permissions import Action, scope_filter
from puente.analytics.dashboard import (
    DashboardQuery,
    ReachQueryInvalid,
    by_name,
    country_detail_allowed,
    dashboard_as_of,
    dashboard_data,
    dashboard_json,
    drill_dimension,
    month_choices,
    month_label,
    reach_query_for_user,
    reach_query_parse,
    reference_by_code,
)
from puente.analytics.services.completeness import reporting_completeness, reporting_validated
from puente.analytics.services.explain import TooManyRows, figure_explain
from puente.core import exports
from puente.core.api import error_body
from puente.reference.models import Boundary, Country, PopulationGroup, Sector

# Rows of "explain this number" per page.
EXPLAIN_PAGE_SIZE = 500
FILTERS = ("year", "month", "country", "admin1", "sector", "population_group", "org")


def _query(request: HttpRequest, *, public: bool) -> DashboardQuery:
    """The dashboard filters of the request; a wrong one raises ReachQueryInvalid, an
    organisation the reader may not see on its own ReachQueryForbidden. The public doors
    take no organisation filter at all."""
    if public:
        return reach_query_parse(request.GET, allow_org=False)
    return reach_query_for_user(request.GET, request.user)


def _status(error: ReachQueryInvalid) -> int:
    return error.status


def _invalid_json(error: ReachQueryInvalid) -> JsonResponse:
    """A wrong filter on a JSON or file door: 400 (403 for a filter the reader may not
    use) in the API's error shape."""
    return JsonResponse(
        error_body(error.code, str(error.message), error.extra), status=_status(error)
    )


def _context(request: HttpRequest, query: DashboardQuery | None, *, public: bool) -> dict[str, Any]:
    """The page around the figures. `selected`: the value each filter shows, the query's
    own, or the request's as typed when the query is wrong."""
    this_year = timezone.now().year
    years = set(range(this_year - 3, this_year + 1))
    if query is not None:
        selected = {k: str(v) for k, v in query.params().items()}
        years.add(query.year)
    else:
        selected = {k: request.GET.get(k, "").strip() for k in FILTERS}
    return {
        "query": query,
        "public": public,
        "selected": selected,
        "years": [str(y) for y in sorted(years, reverse=True)],
        "months": [(str(number), name) for number, name in month_choices()],
        "countries": by_name(reference_by_code(Country, "iso3").values()),
        "sectors": Sector.objects.all(),
        "groups": PopulationGroup.objects.all(),
        "data_url": reverse("public-dashboard-data" if public else "analytics:data"),
        "geo_url": reverse("public-geo" if public else "analytics:geo"),
    }


def _dashboard_page(request: HttpRequest, *, public: bool) -> HttpResponse:
    """A wrong filter shows the form with its error (400), never the whole region."""
    try:
        query = _query(request, public=public)
    except ReachQueryInvalid as error:
        context = _context(request, None, public=public)
        context["errors"] = error.messages()
        return render(request, "analytics/dashboard.html", context, status=_status(error))
    context = _context(request, query, public=public)
    filters = query.filters()
    context.update(
        # The figures are fetched for the query as read here (its month chosen even when
        # the address gives none), so that the page and its JSON never disagree.
        query_string=urlencode(query.params()),
        month_label=month_label(query.year, query.month),
        as_of=dashboard_as_of(query),
        drill_by=drill_dimension(query),
        validated=reporting_validated(
            year=query.year,
            month=query.month,
            country_ids=filters.country_ids,
            org_id=filters.org_id,
        ),
        completeness=(
            reporting_completeness(country=query.country, year=query.year, month=query.month)
            if not public
            and query.country is not None
            and country_detail_allowed(request.user, query)
            else None
        ),
    )
    return render(request, "analytics/dashboard.html", context)


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    return _dashboard_page(request, public=False)


def public_dashboard(request: HttpRequest) -> HttpResponse:
    return _dashboard_page(request, public=True)


@gzip_page
@login_required
def data(request: HttpRequest) -> HttpResponse:
    try:
        query = _query(request, public=False)
    except ReachQueryInvalid as error:
        return _invalid_json(error)
    content = dashboard_json(
        query, base_url=reverse("analytics:dashboard"), explain_url=reverse("analytics:explain")
    )
    return HttpResponse(content, content_type="application/json")


@gzip_page
def public_data(request: HttpRequest) -> HttpResponse:
    try:
        query = _query(request, public=True)
    except ReachQueryInvalid as error:
        return _invalid_json(error)
    content = dashboard_json(query, base_url=reverse("public-dashboard"), explain_url=None)
    return HttpResponse(content, content_type="application/json")


@gzip_page
def geo(request: HttpRequest) -> JsonResponse:
    """Admin-1 boundaries of one country, or of all, as a FeatureCollection keyed by code."""
    boundaries = Boundary.objects.select_related("admin1")
    iso3 = (request.GET.get("country") or "").upper()
    if iso3:
        boundaries = boundaries.filter(admin1__country__iso3=iso3)
    features = [
        {
            "type": "Feature",
            "properties": {"name": b.admin1.iso_code, "label": b.admin1.name},
            "geometry": b.geometry,
        }
        for b in boundaries
    ]
    response = JsonResponse({"type": "FeatureCollection", "features": features})
    response["Cache-Control"] = "public, max-age=86400"
    return response


@login_required
def explain(request: HttpRequest) -> HttpResponse:
    measure = "monthly" if request.GET.get("measure") == "monthly" else "consolidated"
    try:
        query = _query(request, public=False)
    except ReachQueryInvalid as error:
        return render(
            request,
            "analytics/explain.html",
            {"query": None, "measure": measure, "errors": error.messages()},
            status=_status(error),
        )
    # A row is shown with its organisation when the reader may view that organisation's
    # reports: by appealing organisation, since every step of the rule adds up the rows
    # of one appealing organisation (a row the reader only implemented is not enough).
    visible = scope_filter(
        request.user,
        Action.VIEW_REPORTS,
        country="country",
        sector="sector",
        organisations=("appealing_org",),
    )
    context: dict[str, Any] = {"query": query, "measure": measure}
    try:
        figure, rows = figure_explain(
            year=query.year,
            month=query.month,
            measure=measure,
            country_id=query.country.pk if query.country else None,
            admin1_id=query.admin1.pk if query.admin1 else None,
            sector=query.sector,
            population_group_id=query.population_group.pk if query.population_group else None,
            org_id=query.org.pk if query.org else None,
            visible=visible,
        )
    except TooManyRows:
        context["too_many"] = True
    else:
        # The reader's own rows are listed, page by page; the rows of organisations whose
        # reports the reader may not view reach them only as one aggregate (how many, what
        # their kept rows add), never row by row. The figure is the sum of the kept rows of
        # all pages and of that aggregate; each page says what its own kept rows add.
        listed = [r for r in rows if r.visible]
        others = [r for r in rows if not r.visible]
        page = Paginator(listed, EXPLAIN_PAGE_SIZE).get_page(request.GET.get("page"))
        links = request.GET.copy()
        links.pop("page", None)
        context.update(
            figure=figure,
            rows=page.object_list,
            page=page,
            page_query=links.urlencode(),
            total_rows=len(rows),
            listed_rows=len(listed),
            counted=sum(r.value for r in rows if r.counted),
            counted_on_page=sum(r.value for r in page.object_list if r.counted),
            hidden=len(others),
            hidden_counted=sum(r.value for r in others if r.counted),
        )
    return render(request, "analytics/explain.html", context)


def _export(request: HttpRequest, file_format: str, *, public: bool) -> HttpResponse:
    if file_format not in ("csv", "xlsx", "hxl"):
        raise Http404
    try:
        query = _query(request, public=public)
    except ReachQueryInvalid as error:
        return _invalid_json(error)
    data = dashboard_data(query, base_url="", explain_url=None)
    table = request.GET.get("table", "main")
    if table == "indicators":
        return _indicators_export(file_format, query, data["indicators"])
    key = {"main": data["drill_by"], "sector": "sector", "population_group": "population_group"}
    if table not in key:
        raise Http404
    rows = {
        "main": data["table"],
        "sector": data["by_sector"],
        "population_group": data["by_population_group"],
    }[table]
    dimension = key[table]
    tags = {
        "country": "#country+code",
        "admin1": "#adm1+code",
        "admin2": "#adm2+code",
        "sector": "#sector+code",
        "population_group": "#population+type",
    }
    headers = ["year", "month", dimension, "name", "monthly", "consolidated"]
    hxl = [
        "#date+year",
        "#date+month",
        tags[dimension],
        "#meta+name",
        "#reached+monthly",
        "#reached+consolidated",
    ]
    values = [
        [query.year, query.month, r["code"], r["label"], r["monthly"], r["consolidated"]]
        for r in rows
    ]
    content = exports.table_file(
        file_format, headers, values, hxl=hxl, sheet=str(_("People reached"))
    )
    return exports.download(content, f"people-reached-{query.year}-{query.month:02d}-{table}")


def _indicators_export(
    file_format: str, query: DashboardQuery, rows: list[dict[str, Any]]
) -> HttpResponse:
    """The indicator progress table: indicator, measure, unit, target, reached and
    progress (reached / target, empty without a target)."""
    headers = ["year", "month", "indicator", "name", "measure", "unit", "target", "reached"]
    headers += ["progress", "as_of"]
    hxl = ["#date+year", "#date+month", "#indicator+code", "#indicator+name"]
    hxl += ["#indicator+type", "#indicator+unit", "#targeted", "#reached", "#reached+pct"]
    hxl += ["#date+latest"]
    values = [
        [
            query.year,
            query.month,
            r["code"],
            r["name"],
            r["measure"],
            r["unit"],
            "" if r["target"] is None else r["target"],
            r["reached"],
            "" if r["progress"] is None else r["progress"],
            r["as_of"] or "",
        ]
        for r in rows
    ]
    content = exports.table_file(
        file_format, headers, values, hxl=hxl, sheet=str(_("Indicator progress"))
    )
    return exports.download(content, f"indicator-progress-{query.year}-{query.month:02d}")


@login_required
def export(request: HttpRequest, file_format: str) -> HttpResponse:
    return _export(request, file_format, public=False)


def public_export(request: HttpRequest, file_format: str) -> HttpResponse:
    return _export(request, file_format, public=True)
