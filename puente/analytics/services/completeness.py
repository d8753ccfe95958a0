"""Reporting completeness: which appealing organisations of a country have reported a month."""

from __future__ import annotations

import datetime as dt
from typing import Any

from puente.partners.models import Organisation
from puente.reference.models import Country
from puente.reporting.models import ActivityRow


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
