from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone

from puente.core.i18n import sorted_by_name
from puente.partners.models import Organisation
from puente.reference.models import Country, Platform


@dataclass(frozen=True)
class OrganisationFilters:
    country: Country | None = None
    platform: Platform | None = None
    type: str = ""
    migrant_led: bool | None = None
    women_led: bool | None = None
    appealing: bool | None = None
    search: str = ""


def organisation_list(*, filters: OrganisationFilters | None = None) -> QuerySet[Organisation]:
    filters = filters or OrganisationFilters()
    qs = Organisation.objects.all()
    if filters.country is not None:
        qs = qs.filter(countries=filters.country)
    if filters.platform is not None:
        qs = qs.filter(countries__platforms=filters.platform)
    if filters.type:
        qs = qs.filter(type=filters.type)
    if filters.migrant_led is not None:
        qs = qs.filter(migrant_led=filters.migrant_led)
    if filters.women_led is not None:
        qs = qs.filter(women_led=filters.women_led)
    if filters.appealing is not None:
        qs = qs.filter(appealing=filters.appealing)
    if filters.search:
        qs = qs.filter(
            Q(name__icontains=filters.search)
            | Q(name_es__icontains=filters.search)
            | Q(name_pt__icontains=filters.search)
            | Q(acronym__icontains=filters.search)
        )
    # Platform and country joins can repeat an organisation; a subquery keeps counts honest.
    return Organisation.objects.filter(pk__in=qs.values("pk")).prefetch_related("countries")


@dataclass(frozen=True)
class LocalisationShares:
    total: int
    national: int
    migrant_led: int
    women_led: int

    def share(self, part: int) -> float | None:
        return part / self.total if self.total else None

    @property
    def national_share(self) -> float | None:
        return self.share(self.national)

    @property
    def migrant_led_share(self) -> float | None:
        return self.share(self.migrant_led)

    @property
    def women_led_share(self) -> float | None:
        return self.share(self.women_led)


def localisation_shares(organisations: QuerySet[Organisation]) -> LocalisationShares:
    """Shares of the organisations given that are national/local, refugee/migrant-led and
    women-led (docs/methodology.md, "Localisation")."""
    national = Q(type__in=Organisation.NATIONAL_TYPES) | Q(migrant_led=True)
    counts = organisations.aggregate(
        total=Count("pk"),
        national=Count("pk", filter=national),
        migrant_led=Count("pk", filter=Q(migrant_led=True)),
        women_led=Count("pk", filter=Q(women_led=True)),
    )
    return LocalisationShares(**counts)


@dataclass(frozen=True)
class MoneyShares:
    """Shares of an amount of money (a requirement, or funding) held by national/local,
    refugee/migrant-led and women-led organisations."""

    total: Decimal
    national: Decimal
    migrant_led: Decimal
    women_led: Decimal

    def share(self, part: Decimal) -> float | None:
        return float(part / self.total) if self.total else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "total_usd": self.total,
            "national_usd": self.national,
            "national_share": self.share(self.national),
            "migrant_led_usd": self.migrant_led,
            "migrant_led_share": self.share(self.migrant_led),
            "women_led_usd": self.women_led,
            "women_led_share": self.share(self.women_led),
        }


def money_localisation(amounts: dict[int, Decimal]) -> MoneyShares:
    """{organisation id: amount} -> the shares held by each kind of organisation, with the
    same national/local rule as the partner shares (Organisation.is_national)."""
    organisations = Organisation.objects.in_bulk(list(amounts))
    national = migrant_led = women_led = Decimal(0)
    for pk, amount in amounts.items():
        organisation = organisations.get(pk)
        if organisation is None:
            continue
        if organisation.is_national:
            national += amount
        if organisation.migrant_led:
            migrant_led += amount
        if organisation.women_led:
            women_led += amount
    return MoneyShares(
        total=sum(amounts.values(), Decimal(0)),
        national=national,
        migrant_led=migrant_led,
        women_led=women_led,
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
    user: Any, organisation: Organisation, *, today: dt.date | None = None
) -> OrganisationProfile:
    """Where and in what an organisation reports, its people reached this year, and its
    requirement and funding in the published plans.

    Reporting facts read the organisation's 5W rows that are validated, plus those the
    user may view (their scope's); people reached come from the consolidation engine for
    this organisation alone (validated rows, as everywhere); plan figures from the
    published plans' requirements and funding (funding_by)."""
    from puente.accounts.permissions import Action, scope_filter
    from puente.analytics.selectors import ReachFilters, people_reached
    from puente.funding.selectors import funding_by
    from puente.plans.selectors import plan_list
    from puente.reference.models import Sector
    from puente.reporting.models import ActivityRow, RowStatus

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
