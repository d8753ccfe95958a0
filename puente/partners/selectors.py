from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet

from puente.accounts.permissions import Action, Actor, check
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


def organisation_directory(
    user: Actor, *, filters: OrganisationFilters | None = None
) -> QuerySet[Organisation]:
    """The partner directory's organisations: PermissionDenied for a user none of whose
    roles reads the directory (a data collector)."""
    check(user, Action.VIEW_DIRECTORY)
    return organisation_list(filters=filters)


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
