from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from puente.accounts.permissions import Action, user_can_somewhere
from puente.core import exports
from puente.core.uploads import page_upload
from puente.funding.selectors import GROUPINGS, funding_localisation, funding_summary
from puente.funding.services import contributions_import, exchange_rates_import
from puente.plans.models import Plan

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


def _params(request: HttpRequest) -> tuple[Plan | None, list[str], int | None]:
    plans = Plan.objects.all()
    code = request.GET.get("plan")
    plan = plans.filter(code=code).first() if code else plans.first()
    if code and plan is None:
        raise Http404
    by = [b for b in request.GET.get("by", "country").split(",") if b]
    if set(by) - set(GROUPINGS):
        raise Http404
    try:
        year = int(request.GET["year"]) if request.GET.get("year") else None
    except ValueError as exc:
        raise Http404 from exc
    return plan, by, year


@login_required
def funding(request: HttpRequest) -> HttpResponse:
    if not user_can_somewhere(request.user, Action.VIEW_REPORTS):
        raise DjangoPermissionDenied
    plan, by, year = _params(request)
    can_import = user_can_somewhere(request.user, Action.MANAGE_FUNDING)
    form, report, kind = page_upload(request, importers=IMPORTERS, allowed=can_import)
    context = {
        "plans": Plan.objects.all(),
        "plan": plan,
        "by": by,
        "by_text": ",".join(by),
        "year": year,
        "groupings": GROUPINGS,
        "rows": funding_summary(plan, by=by, year=year) if plan else [],
        "localisation": funding_localisation(plan, year=year) if plan else None,
        "can_import": can_import,
        "form": form,
        "report": report,
        "import_kind": kind,
        "import_kinds": [
            ("funding", _("Contributions (FTS-style flows)")),
            ("rates", _("Exchange rates")),
        ],
        "import_url": request.get_full_path(),
        "query": request.GET.urlencode(),
    }
    return render(request, "funding/funding.html", context)


@login_required
def export(request: HttpRequest, file_format: str) -> HttpResponse:
    if not user_can_somewhere(request.user, Action.VIEW_REPORTS):
        raise DjangoPermissionDenied
    if file_format not in exports.FORMATS:
        raise Http404
    plan, by, year = _params(request)
    if plan is None:
        raise Http404
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
