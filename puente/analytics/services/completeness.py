"""Reporting completeness: which appealing organisations of a country have reported a month."""

from __future__ import annotations

import datetime as dt
from typing import Any

from puente.partners.models import Organisation
from puente.reference.models import Country
from puente.reporting.models import ActivityRow, RowStatus


def reporting_completeness(*, country: Country, year: int, month: int) -> dict[str, Any]:
    """Appealing organisations registered in the country, split by whether they have any
    5W row (any status) for the month."""
    first = dt.date(year, month, 1)
    expected = list(
        Organisation.objects.filter(appealing=True, countries=country).order_by("acronym")
    )
    reported = set(
        ActivityRow.objects.filter(country=country, month=first)
        .values_list("appealing_org_id", flat=True)
        .distinct()
    )
    missing = [o for o in expected if o.pk not in reported]
    return {"expected": len(expected), "reported": len(expected) - len(missing), "missing": missing}


def reporting_validated(
    *, year: int, month: int, country_ids: tuple[int, ...] | None = None, org_id: int | None = None
) -> dict[str, Any]:
    """How much of a month's expected reporting is validated. A report is expected from
    each appealing organisation in each country it is registered in (the expectation of
    reporting completeness, counted over the countries asked); it is validated when that
    organisation has at least one validated 5W row in that country for the month.
    {"expected", "validated", "share"}: share is validated / expected, None without any
    expected report."""
    first = dt.date(year, month, 1)
    pairs = Organisation.countries.through.objects.filter(organisation__appealing=True)
    rows = ActivityRow.objects.filter(month=first, status=RowStatus.VALIDATED)
    if country_ids is not None:
        pairs = pairs.filter(country_id__in=country_ids)
        rows = rows.filter(country_id__in=country_ids)
    if org_id is not None:
        pairs = pairs.filter(organisation_id=org_id)
        rows = rows.filter(appealing_org_id=org_id)
    expected = set(pairs.values_list("organisation_id", "country_id"))
    validated = expected & set(rows.values_list("appealing_org_id", "country_id").distinct())
    return {
        "expected": len(expected),
        "validated": len(validated),
        "share": round(len(validated) / len(expected), 4) if expected else None,
    }
