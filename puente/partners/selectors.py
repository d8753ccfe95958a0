from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

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
        qs = qs.filter(Q(name__icontains=filters.search) | Q(acronym__icontains=filters.search))
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
