"""What the pages of the whole site read: the home page (the work waiting for each of a
signed-in user's roles) and an organisation's page (where and in what it reports, its
people reached, its requirement and funding in the published plans).

Every block is read through the owning app's selectors with the user, so the scope rules
of those apps apply; a block is built only for the roles that have that work."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.db.models import Count, Max, Q
from django.urls import reverse
from django.utils import timezone

from puente.accounts.models import Role
from puente.accounts.permissions import Action, Actor, scope_filter, user_roles
from puente.analytics.selectors import ReachFilters, people_reached
from puente.core.i18n import sorted_by_name
from puente.funding.selectors import funding_by
from puente.partners.models import Organisation
from puente.plans.selectors import plan_list
from puente.reference.models import Country, Sector
from puente.reporting.models import ActivityRow, RowStatus

# The months a partner is reminded of: the month just ended and the two before it.
MONTHS_DUE = 3
# Returned submissions listed on the home page (the 5W list has them all).
RETURNED_SHOWN = 10

REVIEWING_ROLES = frozenset(
    {Role.SECTOR_COORDINATOR, Role.PLATFORM_IM_OFFICER, Role.REGIONAL_ADMIN}
)
MONITORING_ROLES = frozenset({Role.PLATFORM_IM_OFFICER, Role.REGIONAL_ADMIN})


def reporting_month(today: dt.date | None = None) -> dt.date:
    """The month reports are due for: the month just ended."""
    today = today or timezone.now().date()
    return (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)


def _months_before(month: dt.date, count: int) -> list[dt.date]:
    months = [month]
    for _index in range(count - 1):
        months.append((months[-1] - dt.timedelta(days=1)).replace(day=1))
    return months


def _rows_url(**params: Any) -> str:
    return reverse("reporting:rows") + "?" + urlencode(params)


@dataclass
class ReportDue:
    organisation: Organisation
    country: Country
    month: dt.date
    started: bool  # some rows are in draft or were returned: not submitted yet
    url: str


@dataclass
class ReturnedRows:
    organisation: Organisation
    country: Country
    month: dt.date
    rows: int
    url: str


@dataclass
class CountryReporting:
    country: Country
    reported: int
    expected: int
    url: str

    @property
    def share(self) -> float | None:
        return self.reported / self.expected if self.expected else None


@dataclass
class FeedbackWaiting:
    waiting: int
    overdue: int
    url: str
    overdue_url: str


@dataclass
class HomeWork:
    """The blocks of the home page; None where none of the user's roles has that work."""

    reports_due: list[ReportDue] | None = None
    returned: list[ReturnedRows] | None = None
    returned_total: int = 0
    review: dict[str, Any] | None = None
    reporting_month: dt.date | None = None
    reporting_status: list[CountryReporting] | None = None
    reporting_totals: dict[str, int] = field(default_factory=dict)
    complaints: FeedbackWaiting | None = None
    feedback: FeedbackWaiting | None = None

    @property
    def any(self) -> bool:
        return any(
            block is not None
            for block in (
                self.reports_due,
                self.returned,
                self.review,
                self.reporting_status,
                self.complaints,
                self.feedback,
            )
        )


def home_work(user: Actor, *, today: dt.date | None = None) -> HomeWork:
    """The work waiting for each of the user's roles (docs/roles.md, "Home page and menu")."""
    work = HomeWork()
    roles = user_roles(user)
    if not roles:
        return work
    held = {assignment.role for assignment in roles}
    month = reporting_month(today)
    reporting_orgs = [
        a.organisation for a in roles if a.role == Role.PARTNER_REPORTER and a.organisation
    ]
    if reporting_orgs:
        work.reports_due = reports_due(reporting_orgs, month=month)
        work.returned, work.returned_total = returned_rows(user, reporting_orgs)
    if held & REVIEWING_ROLES:
        work.review = review_waiting(user, monitoring=bool(held & MONITORING_ROLES))
    if held & MONITORING_ROLES:
        work.reporting_month = month
        work.reporting_status = reporting_status(user, month=month)
        work.reporting_totals = {
            "reported": sum(c.reported for c in work.reporting_status),
            "expected": sum(c.expected for c in work.reporting_status),
        }
    if Role.PSEA_FOCAL_POINT in held:
        work.complaints = feedback_waiting(user, sensitive=True)
    if Role.CFM_OPERATOR in held:
        work.feedback = feedback_waiting(user, sensitive=False)
    return work


def reports_due(organisations: list[Organisation], *, month: dt.date) -> list[ReportDue]:
    """Months (the one just ended and the two before) in which an organisation the user
    reports for has submitted nothing in a country it works in: no row of it there is
    submitted or validated. Months locked for the country are past reporting."""
    from puente.reporting.models import ActivityRow, PeriodLock, RowStatus

    months = _months_before(month, MONTHS_DUE)
    org_ids = [o.pk for o in organisations]
    statuses: dict[tuple[int, int, dt.date], set[str]] = defaultdict(set)
    for org_id, country_id, row_month, status in (
        ActivityRow.objects.filter(appealing_org_id__in=org_ids, month__in=months)
        .values_list("appealing_org_id", "country_id", "month", "status")
        .distinct()
    ):
        statuses[(org_id, country_id, row_month)].add(status)
    locked = set(PeriodLock.objects.filter(month__in=months).values_list("country_id", "month"))
    submitted = {RowStatus.SUBMITTED, RowStatus.VALIDATED}
    due = []
    for organisation in organisations:
        for country in sorted_by_name(organisation.countries.all()):
            for row_month in months:
                found = statuses.get((organisation.pk, country.pk, row_month), set())
                if found & submitted or (country.pk, row_month) in locked:
                    continue
                due.append(
                    ReportDue(
                        organisation=organisation,
                        country=country,
                        month=row_month,
                        started=bool(found),
                        url=_rows_url(
                            month=f"{row_month:%Y-%m}",
                            country=country.iso3,
                            appealing_org=organisation.acronym,
                        ),
                    )
                )
    due.sort(key=lambda d: (d.month, d.organisation.acronym))
    return due


def returned_rows(user: Actor, organisations: list[Organisation]) -> tuple[list[ReturnedRows], int]:
    """Rows of the user's organisations returned for correction, by organisation, country
    and month (the latest first, at most RETURNED_SHOWN), and how many rows in all."""
    from puente.reporting.models import RowStatus
    from puente.reporting.selectors import rows_visible

    groups = list(
        rows_visible(user)
        .filter(appealing_org__in=organisations, status=RowStatus.RETURNED)
        .values("appealing_org_id", "country_id", "month")
        .annotate(rows=Count("id"))
        .order_by("-month", "appealing_org_id", "country_id")
    )
    countries = Country.objects.in_bulk({g["country_id"] for g in groups})
    by_id = {o.pk: o for o in organisations}
    shown = [
        ReturnedRows(
            organisation=by_id[g["appealing_org_id"]],
            country=countries[g["country_id"]],
            month=g["month"],
            rows=g["rows"],
            url=_rows_url(
                month=f"{g['month']:%Y-%m}",
                country=countries[g["country_id"]].iso3,
                appealing_org=by_id[g["appealing_org_id"]].acronym,
                status=RowStatus.RETURNED,
            ),
        )
        for g in groups[:RETURNED_SHOWN]
    ]
    return shown, sum(g["rows"] for g in groups)


def review_waiting(user: Actor, *, monitoring: bool) -> dict[str, Any]:
    """Submissions waiting for a sector coordinator's decision in the user's scope: the
    ones a coordinator may review, or for an IM officer every one they may see.
    {"submissions": organisation-country-month-sector groups, "rows", "url"}."""
    from puente.reporting.models import RowStatus
    from puente.reporting.selectors import rows_visible

    rows = rows_visible(user) if monitoring else rows_visible(user, Action.REVIEW_REPORT)
    waiting = rows.filter(status=RowStatus.SUBMITTED)
    submissions = (
        waiting.values("appealing_org_id", "country_id", "month", "sector_id").distinct().count()
    )
    return {
        "submissions": submissions,
        "rows": waiting.count(),
        "url": reverse("reporting:review") + "?" + urlencode({"status": RowStatus.SUBMITTED}),
    }


def reporting_status(user: Actor, *, month: dt.date) -> list[CountryReporting]:
    """For each country the user monitors (their platform's, or every one for the region):
    appealing organisations that reported the month / expected to, by the completeness
    rule of the dashboards."""
    from puente.analytics.services.completeness import reporting_completeness

    countries = Country.objects.filter(scope_filter(user, Action.LOCK_PERIOD, country="pk"))
    status = []
    for country in sorted_by_name(countries):
        figures = reporting_completeness(country=country, year=month.year, month=month.month)
        status.append(
            CountryReporting(
                country=country,
                reported=figures["reported"],
                expected=figures["expected"],
                url=reverse("analytics:dashboard")
                + "?"
                + urlencode({"country": country.iso3, "year": month.year, "month": month.month}),
            )
        )
    return status


def feedback_waiting(user: Actor, *, sensitive: bool) -> FeedbackWaiting:
    """Feedback in the user's scope not yet answered (new, acknowledged or referred), and
    how many are past a deadline: sensitive complaints for a PSEA focal point, the other
    items for a CFM operator. Counts only: never a word of what people wrote."""
    from puente.feedback.models import FeedbackStatus
    from puente.feedback.selectors import FeedbackFilters, feedback_list

    answered = [FeedbackStatus.RESPONDED, FeedbackStatus.CLOSED]
    items = feedback_list(user=user).filter(sensitive=sensitive)
    overdue = feedback_list(user=user, filters=FeedbackFilters(overdue=True))
    return FeedbackWaiting(
        waiting=items.exclude(status__in=answered).count(),
        overdue=overdue.filter(sensitive=sensitive).count(),
        url=reverse("feedback:list"),
        overdue_url=reverse("feedback:overdue"),
    )


@dataclass
class PlanFunding:
    """An organisation's part of a published plan over the plan's years: its requirement
    and the funding it received (pass-through counted where the money ends up)."""

    plan: Any
    requirement_usd: Decimal
    funded_usd: Decimal
    pledged_usd: Decimal

    @property
    def funded_share(self) -> float | None:
        return float(self.funded_usd / self.requirement_usd) if self.requirement_usd else None


@dataclass
class OrganisationProfile:
    """What an organisation's page shows besides its registration."""

    countries_reported: list[Country]
    sectors_reported: list[Any]
    last_month_reported: dt.date | None
    # True when the reporting facts include rows not yet validated (the user may view
    # this organisation's reports); otherwise they come from validated rows only.
    includes_unvalidated: bool
    reach_year: int
    reach_month: int
    people_reached: int
    people_reached_by_country: list[tuple[Country, int]]
    plans: list[PlanFunding] = field(default_factory=list)


def organisation_profile(
    user: Actor, organisation: Organisation, *, today: dt.date | None = None
) -> OrganisationProfile:
    """Where and in what an organisation reports, its people reached this year, and its
    requirement and funding in the published plans.

    Reporting facts read the organisation's 5W rows that are validated, plus those the
    user may view (their scope's); people reached come from the consolidation engine for
    this organisation alone (validated rows, as everywhere); plan figures from the
    published plans' requirements and funding (funding_by)."""
    today = today or timezone.now().date()
    own = ActivityRow.objects.filter(appealing_org=organisation)
    in_scope = scope_filter(
        user,
        Action.VIEW_REPORTS,
        country="country",
        sector="sector",
        organisations=("appealing_org", "implementing_org"),
    )
    visible = own.filter(Q(status=RowStatus.VALIDATED) | in_scope)
    includes_unvalidated = visible.exclude(status=RowStatus.VALIDATED).exists()
    country_ids = set(visible.values_list("country_id", flat=True).distinct())
    sector_ids = set(visible.values_list("sector_id", flat=True).distinct())
    sectors = Sector.objects.filter(pk__in=sector_ids).select_related("parent")
    reach = people_reached(
        year=today.year,
        month=today.month,
        by=["country"],
        filters=ReachFilters(org_id=organisation.pk),
    )
    reach_countries = Country.objects.in_bulk([r["_ids"]["country"] for r in reach])
    by_country = sorted_by_name(
        [(reach_countries[r["_ids"]["country"]], int(r["consolidated"])) for r in reach],
        lambda pair: pair[0].name,
    )
    plans = []
    for plan in plan_list(published_only=True):
        # The plan's whole period: money passed on in a later year than it came in would
        # make that year's funding negative for the organisation that passed it.
        figures = funding_by(plan, by=["org"]).get((organisation.pk,))
        if not figures or not any(figures.values()):
            continue
        plans.append(
            PlanFunding(
                plan=plan,
                requirement_usd=figures["requirement_usd"],
                funded_usd=figures["funded_usd"],
                pledged_usd=figures["pledged_usd"],
            )
        )
    return OrganisationProfile(
        countries_reported=sorted_by_name(Country.objects.filter(pk__in=country_ids)),
        sectors_reported=sorted(sectors, key=lambda s: (s.position, s.code)),
        last_month_reported=visible.aggregate(last=Max("month"))["last"],
        includes_unvalidated=includes_unvalidated,
        reach_year=today.year,
        reach_month=today.month,
        people_reached=sum(count for _country, count in by_country),
        people_reached_by_country=by_country,
        plans=plans,
    )
