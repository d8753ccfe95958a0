from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from puente.accounts.permissions import Action, user_can, user_can_somewhere
from puente.core import exports
from puente.core.uploads import page_upload
from puente.needs.selectors import (
    INTER_SECTOR,
    need_rows,
    need_years,
    people_in_need_by_country_and_sector,
    population_rows,
)
from puente.needs.services import needs_import, population_import
from puente.reference.models import Country, Sector

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


def _year(request: HttpRequest) -> int:
    years = need_years()
    try:
        return int(request.GET.get("year") or (years[0] if years else timezone.now().year))
    except ValueError as exc:
        raise Http404 from exc


@login_required
def needs(request: HttpRequest) -> HttpResponse:
    if not user_can_somewhere(request.user, Action.VIEW_REPORTS):
        raise DjangoPermissionDenied
    year = _year(request)
    can_import = user_can(request.user, Action.MANAGE_NEEDS, None) or user_can_somewhere(
        request.user, Action.MANAGE_NEEDS
    )
    form, report, kind = page_upload(request, importers=IMPORTERS, allowed=can_import)
    cells = people_in_need_by_country_and_sector(year=year)
    countries = Country.objects.in_bulk({c for c, _s in cells})
    sectors = list(Sector.objects.filter(pk__in={s for _c, s in cells if s}))
    table: list[dict[str, Any]] = []
    for country in sorted(countries.values(), key=lambda c: c.name):
        table.append(
            {
                "country": country,
                "inter_sector": cells.get((country.pk, INTER_SECTOR), {}).get("people_in_need"),
                "sectors": [cells.get((country.pk, s.pk)) for s in sectors],
            }
        )
    context = {
        "year": year,
        "years": need_years(),
        "sectors": sectors,
        "table": table,
        "population": population_rows(year=year),
        "can_import": can_import,
        "form": form,
        "report": report,
        "import_kind": kind,
        "import_kinds": [("needs", _("People in need")), ("population", _("Population figures"))],
        "import_url": reverse("needs:needs") + f"?year={year}",
    }
    return render(request, "needs/needs.html", context)


@login_required
def export(request: HttpRequest, table: str, file_format: str) -> HttpResponse:
    if not user_can_somewhere(request.user, Action.VIEW_REPORTS):
        raise DjangoPermissionDenied
    if file_format not in exports.FORMATS or table not in IMPORTERS:
        raise Http404
    year = _year(request)
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
