from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from puente.accounts.permissions import (
    Action,
    Actor,
    Target,
    check,
    check_somewhere,
    scope_filter,
    user_can,
)
from puente.core.errors import NotFound
from puente.partners.models import Organisation
from puente.reference.models import Country, Sector
from puente.reporting.filters import RowFilters
from puente.reporting.models import ActivityRow, ImportBatch, PeriodLock, RowChange, RowStatus

__all__ = ["RowFilters"]


def reports_page_check(user: Actor, action: Action = Action.VIEW_REPORTS) -> None:
    """The gate of a 5W page (rows, review, upload, a row's form): PermissionDenied when
    none of the user's roles gives `action` anywhere; what the page then lists is what
    the user's scopes cover."""
    check_somewhere(user, action)


def rows_visible(user: Actor, action: Action = Action.VIEW_REPORTS) -> QuerySet[ActivityRow]:
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


def row_list(user: Actor, filters: RowFilters | None = None) -> QuerySet[ActivityRow]:
    filters = filters or RowFilters()
    qs = rows_visible(user)
    if filters.month:
        qs = qs.filter(month=filters.month)
    if filters.year:
        qs = qs.filter(month__year=filters.year)
    if filters.country is not None:
        qs = qs.filter(country=filters.country)
    if filters.admin1 is not None:
        qs = qs.filter(admin1=filters.admin1)
    if filters.appealing_org is not None:
        qs = qs.filter(appealing_org=filters.appealing_org)
    if filters.implementing_org is not None:
        qs = qs.filter(implementing_org=filters.implementing_org)
    if filters.indicator is not None:
        qs = qs.filter(indicator=filters.indicator)
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
    user: Actor, row_id: int, action: Action = Action.VIEW_REPORTS
) -> ActivityRow:
    """Load one row the user may act on: NotFound for a row that does not exist and for
    one outside what the user may see; PermissionDenied for a row the user sees but may
    not `action`."""
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
        .filter(pk=row_id)
        .first()
    )
    if row is None:
        raise NotFound()
    if action != Action.VIEW_REPORTS:
        check(
            user,
            action,
            Target(country=row.country, sector=row.sector, organisation=row.appealing_org),
        )
    return row


def row_history(row: ActivityRow) -> QuerySet[RowChange]:
    return row.changes.select_related("changed_by", "batch")


def submissions_summary(user: Actor, filters: RowFilters) -> list[dict[str, Any]]:
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


@dataclass
class ReviewGroup:
    """One line of the review queue: an organisation's rows of a month, country, sector
    (exactly that sector: a sub-sector is its own group) and status, and what the user
    may do with them. `reason` says why they may do nothing."""

    appealing_org: Organisation
    country: Country
    sector: Sector
    month: dt.date
    status: str
    rows: int
    locked: bool = False
    can_review: bool = False
    can_submit: bool = False
    reason: str = ""

    @property
    def status_label(self) -> str:
        return str(RowStatus(self.status).label)

    def key(self) -> dict[str, str]:
        """The group as the review decision and the preview read it."""
        return {
            "appealing_org": self.appealing_org.acronym,
            "country": self.country.iso3,
            "month": self.month.strftime("%Y-%m"),
            "sector": self.sector.code,
            "status": self.status,
        }


def review_queue(user: Actor, filters: RowFilters, limit: int | None = 300) -> list[ReviewGroup]:
    """The groups of rows matching `filters` in the user's scope, newest month first,
    each with the decision the user may take (review a submitted group, submit a draft or
    returned one) or the reason they may not. Locked months take no decision."""
    summary = submissions_summary(user, filters)[:limit]
    countries = Country.objects.in_bulk({g["country_id"] for g in summary})
    orgs = Organisation.objects.prefetch_related("countries").in_bulk(
        {g["appealing_org_id"] for g in summary}
    )
    sectors = Sector.objects.in_bulk({g["sector_id"] for g in summary})
    locked = set(
        PeriodLock.objects.filter(
            country_id__in=list(countries), month__in={g["month"] for g in summary}
        ).values_list("country_id", "month")
    )
    groups = []
    for item in summary:
        group = ReviewGroup(
            appealing_org=orgs[item["appealing_org_id"]],
            country=countries[item["country_id"]],
            sector=sectors[item["sector_id"]],
            month=item["month"],
            status=item["status"],
            rows=item["rows"],
            locked=(item["country_id"], item["month"]) in locked,
        )
        _decide(user, group)
        groups.append(group)
    return groups


def _decide(user: Actor, group: ReviewGroup) -> None:
    # Reasons mirror ROLE_ACTIONS: only sector coordinators review, and only those who
    # submit reports (the organisation's reporters, IM officers) submit them.
    if group.locked:
        group.reason = _("Month locked")
    elif group.status == RowStatus.SUBMITTED:
        group.can_review = user_can(
            user,
            Action.REVIEW_REPORT,
            Target(country=group.country, sector=group.sector, organisation=group.appealing_org),
        )
        if not group.can_review:
            group.reason = _("Validated or returned by the country's sector coordinator")
    elif group.status in (RowStatus.DRAFT, RowStatus.RETURNED):
        group.can_submit = user_can(
            user,
            Action.SUBMIT_REPORT,
            Target(country=group.country, organisation=group.appealing_org),
        )
        if not group.can_submit:
            group.reason = _("Sent for review by the organisation's reporters")
    else:
        group.reason = _("Nothing left to decide")


def review_group(
    user: Actor,
    *,
    appealing_org: Organisation,
    country: Country,
    month: dt.date,
    sector: Sector,
    status: str,
) -> ReviewGroup:
    """One group of the review queue, with the decision the user may take."""
    group = ReviewGroup(
        appealing_org=appealing_org,
        country=country,
        sector=sector,
        month=month,
        status=status,
        rows=submission_rows(
            user,
            appealing_org=appealing_org,
            country=country,
            month=month,
            sector=sector,
            status=status,
        ).count(),
        locked=PeriodLock.objects.filter(country=country, month=month).exists(),
    )
    _decide(user, group)
    return group


def reviewable_groups(user: Actor, filters: RowFilters) -> list[ReviewGroup]:
    """Every submitted group matching `filters` that the user may validate or return:
    the set a decision on the whole filtered queue acts on."""
    if filters.status not in ("", RowStatus.SUBMITTED):
        return []
    submitted = replace(filters, status=RowStatus.SUBMITTED.value)
    return [g for g in review_queue(user, submitted, limit=None) if g.can_review]


def submission_rows(
    user: Actor,
    *,
    appealing_org: Organisation,
    country: Country,
    month: dt.date,
    sector: Sector,
    status: str,
) -> QuerySet[ActivityRow]:
    """The rows of one review group (exactly that sector), as far as the user sees them."""
    return (
        row_list(
            user,
            RowFilters(appealing_org=appealing_org, country=country, month=month, status=status),
        )
        .filter(sector=sector)
        .order_by("admin1__name", "indicator__code", "population_group__position", "id")
    )


def locks_for(country_ids: list[int] | None = None) -> QuerySet[PeriodLock]:
    qs = PeriodLock.objects.select_related("country", "locked_by")
    if country_ids is not None:
        qs = qs.filter(country_id__in=country_ids)
    return qs


def locks_visible(user: Actor) -> QuerySet[PeriodLock]:
    """The locks of the countries the user may lock (a country's IM officer sees its
    own): PermissionDenied for a user who locks no month anywhere."""
    check_somewhere(user, Action.LOCK_PERIOD)
    return locks_for().filter(scope_filter(user, Action.LOCK_PERIOD))


def batch_for_user(user: Actor, batch_id: int) -> ImportBatch:
    """An import the user may read, else NotFound (as for one that does not exist).
    Readers are:
    its creator;
    those who may view reports across the region (regional admins, superusers);
    those who may view every row it wrote (an IM officer over a partner's country
    import); an import that wrote nothing has no scope beyond its creator."""
    batch = ImportBatch.objects.select_related("created_by").filter(pk=batch_id).first()
    if batch is None:
        raise NotFound()
    if batch.created_by_id is not None and batch.created_by_id == user.pk:
        return batch
    if user_can(user, Action.VIEW_REPORTS, None):
        return batch
    written = ActivityRow.objects.filter(
        Q(created_batch=batch) | Q(pk__in=RowChange.objects.filter(batch=batch).values("row_id"))
    )
    if written.exists() and not written.exclude(pk__in=rows_visible(user).values("pk")).exists():
        return batch
    raise NotFound()
