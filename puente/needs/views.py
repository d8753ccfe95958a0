from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from puente.accounts.permissions import Action, user_can_somewhere
from puente.core import exports
from puente.core.as_of import figures_read_now
from puente.core.i18n import collation_key, sorted_by_name
from puente.core.uploads import page_upload
from puente.needs.forms import NeedsFilterForm
from puente.needs.selectors import (
    INTER_SECTOR,
    need_rows,
    need_years,
    needs_page_check,
    people_in_need_by_country_and_sector,
    population_rows,
)
from puente.needs.services import needs_import, population_import
from puente.reference.models import Country, PopulationGroup, Sector

NEED_HXL = (
    "#date+year",
    "#country+code",
    "#adm1+code",
    "#sector+code",
    "#population+type",
    "#inneed",
    "#severity",
)
POPULATION_HXL = (
    "#date+year",
    "#country+code",
    "#population+type",
    "#population",
    "#population+regular",
    "#population+irregular",
)
IMPORTERS = {"needs": needs_import, "population": population_import}


def _filters(request: HttpRequest) -> tuple[NeedsFilterForm, int | None]:
    """The year asked (the latest with figures when none is), or None when the form
    holds errors."""
    form = NeedsFilterForm(request.GET)
    if not form.is_valid():
        return form, None
    year = form.cleaned_data["year"]
    if year is None:
        years = need_years()
        year = years[0] if years else timezone.now().year
    # The field shows the year read, as it is written: "2026", never what was typed.
    form = NeedsFilterForm({**request.GET.dict(), "year": str(year)})
    form.is_valid()
    return form, year


@login_required
def needs(request: HttpRequest) -> HttpResponse:
    needs_page_check(request.user)
    filters, year = _filters(request)
    can_import = user_can_somewhere(request.user, Action.MANAGE_NEEDS)
    form, report, kind = page_upload(request, importers=IMPORTERS, allowed=can_import)
    context: dict[str, Any] = {
        "filters": filters,
        "year": year,
        "years": need_years(),
        "can_import": can_import,
        "form": form,
        "report": report,
        "import_kind": kind,
        "import_kinds": [("needs", _("People in need")), ("population", _("Population figures"))],
        "import_url": reverse("needs:needs") + (f"?year={year}" if year else ""),
    }
    if year is None:
        return render(request, "needs/needs.html", context, status=400)
    context.update(needs_table(year=year))
    context["population"] = population_table(year=year)
    # Needs are read from their records at each request, not from the cube.
    context["as_of"] = figures_read_now()
    return render(request, "needs/needs.html", context)


def needs_table(*, year: int) -> dict[str, Any]:
    """The page's table: countries by name in the reader's language, the sectors with
    figures as columns in their RMRP order."""
    cells = people_in_need_by_country_and_sector(year=year)
    countries = Country.objects.in_bulk({c for c, _s in cells})
    sectors = list(Sector.objects.filter(pk__in={s for _c, s in cells if s}))
    table = [
        {
            "country": country,
            "inter_sector": cells.get((country.pk, INTER_SECTOR), {}).get("people_in_need"),
            "sectors": [cells.get((country.pk, s.pk)) for s in sectors],
        }
        for country in sorted_by_name(countries.values())
    ]
    return {"sectors": sectors, "table": table}


def population_table(*, year: int) -> list[dict[str, Any]]:
    """The population figures with country and population group names."""
    countries = {c.iso3: c for c in Country.objects.all()}
    groups = {g.code: g for g in PopulationGroup.objects.all()}
    rows = [
        {
            **row,
            "country_name": countries[row["country"]].name,
            "group_name": groups[row["population_group"]].name,
            "group_position": groups[row["population_group"]].position,
        }
        for row in population_rows(year=year)
    ]
    return sorted(rows, key=lambda r: (collation_key(r["country_name"]), r["group_position"]))


@login_required
def export(request: HttpRequest, table: str, file_format: str) -> HttpResponse:
    needs_page_check(request.user)
    if file_format not in exports.FORMATS or table not in IMPORTERS:
        raise Http404
    filters, year = _filters(request)
    if year is None:
        return HttpResponseBadRequest(
            " ".join(str(e) for errors in filters.errors.values() for e in errors),
            content_type="text/plain; charset=utf-8",
        )
    rows, hxl = (
        (need_rows(year=year), NEED_HXL)
        if table == "needs"
        else (population_rows(year=year), POPULATION_HXL)
    )
    headers = list(rows[0]) if rows else [h.lstrip("#") for h in hxl]
    content = exports.table_file(
        file_format, headers, [list(r.values()) for r in rows], hxl=hxl, sheet=table
    )
    return exports.download(content, f"{table}-{year}")
