from __future__ import annotations

from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from puente.accounts.permissions import Action, user_can_somewhere
from puente.core import exports
from puente.core.as_of import figures_read_now
from puente.core.i18n import collation_key
from puente.core.uploads import page_upload
from puente.funding.forms import FundingFilterForm
from puente.funding.selectors import funding_localisation, funding_summary
from puente.funding.services import contributions_import, exchange_rates_import
from puente.partners.forms import organisation_label
from puente.partners.models import Organisation
from puente.plans.models import Plan
from puente.plans.selectors import plans_visible
from puente.reference.models import Country, Sector

IMPORTERS = {"funding": contributions_import, "rates": exchange_rates_import}
HXL = {
    "country": "#country+code",
    "sector": "#sector+code",
    "org": "#org+code",
    "requirement_usd": "#value+requirement+usd",
    "funded_usd": "#value+funding+usd",
    "pledged_usd": "#value+pledged+usd",
    "percent_funded": "#indicator+funded+pct",
}
MONEY = ("requirement_usd", "funded_usd", "pledged_usd")


def _filters(request: HttpRequest) -> tuple[FundingFilterForm, Plan | None]:
    """The form bound to what was asked, with the plan and grouping used written in (the
    newest plan, by country, when none is asked)."""
    plans = plans_visible(request.user)
    form = FundingFilterForm(request.GET, plans=plans)
    if not form.is_valid():
        return form, None
    plan = form.cleaned_data["plan"] or plans.first()
    data = {k: v for k, v in request.GET.items() if k in form.fields}
    data.update(plan=plan.code if plan else "", by=form.cleaned_data["by"] or "country")
    if form.cleaned_data["year"] is not None:
        data["year"] = str(form.cleaned_data["year"])
    form = FundingFilterForm(data, plans=plans)
    form.is_valid()
    return form, plan


def _labelled(rows: list[dict[str, Any]], by: list[str]) -> list[dict[str, Any]]:
    """The summary's rows with the names of their groups in the reader's language
    (`groups`: (grouping, code, name) in the order of `by`): countries and organisations
    by name, sectors in the plan's order."""
    countries = {c.iso3: c.name for c in Country.objects.all()}
    sectors = {s.code: (s.position, s.name) for s in Sector.objects.all()}
    organisations: dict[str, str] = {}
    if "org" in by:
        organisations = {o.acronym: organisation_label(o) for o in Organisation.objects.all()}

    def label(grouping: str, code: str) -> str:
        if not code:
            return ""
        if grouping == "country":
            return countries.get(code, code)
        if grouping == "sector":
            return sectors[code][1] if code in sectors else code
        return organisations.get(code, code)

    def order(grouping: str, code: str) -> tuple[Any, ...]:
        # Rows naming no country, sector or organisation come last.
        if grouping == "sector":
            return (not code, sectors.get(code, (0, ""))[0], code)
        return (not code, collation_key(label(grouping, code)))

    labelled = [{**row, "groups": [(b, row[b], label(b, row[b])) for b in by]} for row in rows]
    labelled.sort(key=lambda r: tuple(order(b, r[b]) for b in by))
    return labelled


def _totals(rows: list[dict[str, Any]]) -> dict[str, Any]:
    totals: dict[str, Any] = {m: sum((r[m] for r in rows), Decimal(0)) for m in MONEY}
    requirement = totals["requirement_usd"]
    totals["percent_funded"] = (
        round(float(totals["funded_usd"] / requirement) * 100, 1) if requirement else None
    )
    return totals


@login_required
def funding(request: HttpRequest) -> HttpResponse:
    filters, plan = _filters(request)
    can_import = user_can_somewhere(request.user, Action.MANAGE_FUNDING)
    form, report, kind = page_upload(request, importers=IMPORTERS, allowed=can_import)
    context: dict[str, Any] = {
        "filters": filters,
        "plan": plan,
        "can_import": can_import,
        "form": form,
        "report": report,
        "import_kind": kind,
        "import_kinds": [
            ("funding", _("Contributions (FTS-style flows)")),
            ("rates", _("Exchange rates")),
        ],
        "import_url": request.get_full_path(),
    }
    if filters.errors:
        return render(request, "funding/funding.html", context, status=400)
    if plan is not None:
        by, year = filters.groupings(), filters.cleaned_data["year"]
        rows = funding_summary(plan, by=by, year=year)
        context.update(
            by=by,
            year=year,
            rows=_labelled(rows, by),
            totals=_totals(rows),
            localisation=funding_localisation(plan, year=year),
            # Contributions are read from their records at each request.
            as_of=figures_read_now(),
            query=urlencode({k: v for k, v in filters.data.items() if v}),
        )
    return render(request, "funding/funding.html", context)


@login_required
def export(request: HttpRequest, file_format: str) -> HttpResponse:
    if file_format not in exports.FORMATS:
        raise Http404
    filters, plan = _filters(request)
    if filters.errors:
        return HttpResponse(
            " ".join(str(e) for errors in filters.errors.values() for e in errors),
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    if plan is None:
        raise Http404
    by, year = filters.groupings(), filters.cleaned_data["year"]
    headers = [*by, "requirement_usd", "funded_usd", "pledged_usd", "percent_funded"]
    rows = funding_summary(plan, by=by, year=year)
    content = exports.table_file(
        file_format,
        headers,
        [[r[h] for h in headers] for r in rows],
        hxl=[HXL[h] for h in headers],
        sheet="funding",
    )
    return exports.download(content, f"funding-{plan.code}{f'-{year}' if year else ''}")
