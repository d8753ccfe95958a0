"""The pages of the whole site: the home page and the pages that read several apps at
once (the gap view: need, target, reach, requirement and funding side by side)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static

from puente.accounts.permissions import access_organisation, user_roles
from puente.analytics.selectors import figures_as_of
from puente.core import exports
from puente.partners.models import Organisation
from puente.reference.models import Country, Sector
from puente.site.gap import GAP_COLUMNS, GAP_HXL, gap_rows, gap_totals
from puente.site.gap_forms import gap_filters, gap_sorted
from puente.site.selectors import home_work, organisation_profile


def home(request: HttpRequest) -> HttpResponse:
    context = {
        "roles": user_roles(request.user),
        "work": home_work(request.user),
        "country_count": Country.objects.count(),
        "partner_count": Organisation.objects.filter(appealing=True).count(),
        "sector_count": Sector.objects.filter(parent__isnull=True).count(),
    }
    return render(request, "site/home.html", context)


def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico whatever the page says: the site's icon is an SVG."""
    response = redirect(static("puente/favicon.svg"))
    response["Cache-Control"] = "public, max-age=86400"
    return response


def _gap(form: Any) -> tuple[int, list[dict[str, Any]]]:
    data = form.cleaned_data
    country, sector = data["country"], data["sector"]
    rows = gap_rows(
        year=data["year"], country_ids=(country.pk,) if country else None, plan=data["plan"]
    )
    if sector is not None:
        rows = [r for r in rows if r["sector_id"] == sector.pk]
    return data["year"], gap_sorted(rows, data["sort"] or "country")


def _form_errors(form: Any) -> HttpResponse:
    return HttpResponse(
        " ".join(str(e) for errors in form.errors.values() for e in errors),
        status=400,
        content_type="text/plain; charset=utf-8",
    )


@login_required
def gap(request: HttpRequest) -> HttpResponse:
    """Each country a row of totals with its sectors folded under it (opened when the
    page shows one country), and the region's totals."""
    form = gap_filters(request.GET, request.user)
    if form.errors:
        return render(request, "site/gap.html", {"filters": form}, status=400)
    year, rows = _gap(form)
    data = form.cleaned_data
    country, sort = data["country"], data["sort"] or "country"
    totals, region = gap_totals(
        rows,
        year=year,
        country_ids=(country.pk,) if country else None,
        across_sectors=data["sector"] is None,
    )
    groups: dict[int, dict[str, Any]] = {}
    for row in rows:
        group = groups.setdefault(
            row["country_id"],
            {
                "iso3": row["country"],
                "country_name": row["country_name"],
                **totals[row["country_id"]],
                "sectors": [],
            },
        )
        group["sectors"].append(row)
    # Countries in the order asked of their totals (by name when sorting by sector).
    countries = gap_sorted(list(groups.values()), "country" if "sector" in sort else sort)
    asked = {k: v for k, v in form.data.items() if v}
    context = {
        "filters": form,
        "year": year,
        "country": country,
        "sort": sort,
        "countries": countries,
        "region": region,
        # People reached come from the cube: its refresh of the countries shown.
        "as_of": figures_as_of(year=year, country_ids=(country.pk,) if country else None),
        "query": urlencode(asked),
        "base_query": urlencode({k: v for k, v in asked.items() if k != "sort"}),
    }
    return render(request, "site/gap.html", context)


@login_required
def gap_export(request: HttpRequest, file_format: str) -> HttpResponse:
    if file_format not in exports.FORMATS:
        raise Http404
    form = gap_filters(request.GET, request.user)
    if form.errors:
        return _form_errors(form)
    year, rows = _gap(form)
    content = exports.table_file(
        file_format,
        ["year", *GAP_COLUMNS],
        [[year, *(r[c] for c in GAP_COLUMNS)] for r in rows],
        hxl=["#date+year", *GAP_HXL],
        sheet="gap",
    )
    return exports.download(content, f"gap-{year}")


@login_required
def organisation_detail(request: HttpRequest, acronym: str) -> HttpResponse:
    organisation = access_organisation(request.user, acronym)
    return render(
        request,
        "site/organisation_detail.html",
        {
            "organisation": organisation,
            "profile": organisation_profile(request.user, organisation),
        },
    )
