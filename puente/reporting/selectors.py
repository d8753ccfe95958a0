from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet

from puente.accounts.permissions import Action, Target, check, scope_filter
from puente.reporting.models import ActivityRow, ImportBatch, PeriodLock, RowChange


def rows_visible(user: Any, action: Action = Action.VIEW_REPORTS) -> QuerySet[ActivityRow]:
    """Rows the user may see: their scope's countries, sectors or organisation."""
    return ActivityRow.objects.filter(
        scope_filter(
            user,
            action,
            country="country",
            sector="sector",
            organisations=("appealing_org", "implementing_org"),
        )
    )


@dataclass(frozen=True)
class RowFilters:
    month: dt.date | None = None
    year: int | None = None
    country: Any = None
    appealing_org: Any = None
    sector: Any = None
    status: str = ""
    population_group: Any = None


def row_list(user: Any, filters: RowFilters | None = None) -> QuerySet[ActivityRow]:
    filters = filters or RowFilters()
    qs = rows_visible(user)
    if filters.month:
        qs = qs.filter(month=filters.month)
    if filters.year:
        qs = qs.filter(month__year=filters.year)
    if filters.country is not None:
        qs = qs.filter(country=filters.country)
    if filters.appealing_org is not None:
        qs = qs.filter(appealing_org=filters.appealing_org)
    if filters.sector is not None:
        qs = qs.filter(Q(sector=filters.sector) | Q(sector__parent=filters.sector))
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.population_group is not None:
        qs = qs.filter(population_group=filters.population_group)
    return qs.select_related(
        "country",
        "admin1",
        "appealing_org",
        "implementing_org",
        "indicator",
        "sector",
        "population_group",
    )


def access_activity_row(
    user: Any, row_id: int, action: Action = Action.VIEW_REPORTS
) -> ActivityRow:
    """Load one row the user may act on; DoesNotExist when it is outside their scope."""
    row = (
        rows_visible(user)
        .select_related(
            "country",
            "admin1",
            "appealing_org",
            "implementing_org",
            "indicator",
            "sector",
            "population_group",
        )
        .get(pk=row_id)
    )
    if action != Action.VIEW_REPORTS:
        check(
            user,
            action,
            Target(country=row.country, sector=row.sector, organisation=row.appealing_org),
        )
    return row


def row_history(row: ActivityRow) -> QuerySet[RowChange]:
    return row.changes.select_related("changed_by", "batch")


def submissions_summary(user: Any, filters: RowFilters) -> list[dict[str, Any]]:
    """Rows grouped by organisation, country, month, sector and status: the review queue."""
    return [
        dict(group)
        for group in row_list(user, filters)
        .values(
            "appealing_org__acronym",
            "appealing_org_id",
            "country__iso3",
            "country_id",
            "month",
            "sector__code",
            "sector_id",
            "status",
        )
        .annotate(rows=Count("id"))
        .order_by("-month", "country__iso3", "appealing_org__acronym", "sector__code", "status")
    ]


def locks_for(country_ids: list[int] | None = None) -> QuerySet[PeriodLock]:
    qs = PeriodLock.objects.select_related("country", "locked_by")
    if country_ids is not None:
        qs = qs.filter(country_id__in=country_ids)
    return qs


def batch_for_user(user: Any, batch_id: int) -> ImportBatch:
    batch = ImportBatch.objects.get(pk=batch_id)
    if batch.created_by_id != user.pk and not user.is_superuser:
        raise ImportBatch.DoesNotExist
    return batch
