"""Lookups that resolve what people type (codes, names in any of the three languages,
with or without accents) to reference rows. Importers build each lookup once per file."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet

from puente.core.i18n import sorted_by_name
from puente.core.tabular import normalize_value
from puente.reference.models import Admin1, Country, Indicator, Platform, PopulationGroup, Sector


def keyed_lookup(objects: Iterable[Any], *fields: str) -> dict[str, Any]:
    """Objects by the normalised text of each of their `fields` (first one wins)."""
    table: dict[str, object] = {}
    for obj in objects:
        for field in fields:
            value = getattr(obj, field)
            if value:
                table.setdefault(normalize_value(value), obj)
    return table


def sector_lookup() -> dict[str, Sector]:
    return keyed_lookup(Sector.objects.all(), "code", "name_en", "name_es", "name_pt")


def country_lookup() -> dict[str, Country]:
    return keyed_lookup(Country.objects.all(), "iso3", "iso2", "name_en", "name_es", "name_pt")


def population_group_lookup() -> dict[str, PopulationGroup]:
    return keyed_lookup(PopulationGroup.objects.all(), "code", "name_en", "name_es", "name_pt")


def platform_lookup() -> dict[str, Platform]:
    return keyed_lookup(Platform.objects.all(), "code", "name_en", "name_es", "name_pt")


def group_countries() -> dict[int, frozenset[int]]:
    """The ids of the countries where each population group applies, by group id."""
    table: dict[int, set[int]] = {}
    for group_id, country_id in PopulationGroup.countries.through.objects.values_list(
        "populationgroup_id", "country_id"
    ):
        table.setdefault(group_id, set()).add(country_id)
    return {group_id: frozenset(ids) for group_id, ids in table.items()}


def indicators_in_force() -> dict[int, tuple[int | None, int | None, frozenset[int] | None]]:
    """When and where each indicator is in force, by indicator id: its first and last
    year (None: open-ended) and the ids of its countries, those of its platforms included
    (None: every country)."""
    places: dict[int, set[int]] = {}
    for indicator_id, country_id in Indicator.countries.through.objects.values_list(
        "indicator_id", "country_id"
    ):
        places.setdefault(indicator_id, set()).add(country_id)
    for indicator_id, country_id in Indicator.platforms.through.objects.values_list(
        "indicator_id", "platform__countries"
    ):
        if country_id is not None:
            places.setdefault(indicator_id, set()).add(country_id)
    return {
        pk: (first, last, frozenset(places[pk]) if pk in places else None)
        for pk, first, last in Indicator.objects.values_list("pk", "first_year", "last_year")
    }


def population_group_list() -> QuerySet[PopulationGroup]:
    return PopulationGroup.objects.prefetch_related("countries").order_by("position")


def admin1_lookup(country: Country) -> dict[str, Admin1]:
    return keyed_lookup(country.admin1_areas.all(), "iso_code", "pcode", "name")


def country_list() -> QuerySet[Country]:
    return Country.objects.prefetch_related("platforms").order_by("name_en")


def platform_list() -> QuerySet[Platform]:
    return Platform.objects.prefetch_related("countries")


def countries_by_name() -> list[Country]:
    """Every country in the reading order of its name in the active language (Argentina
    before Aruba; Brasil between Bolivia and Chile in Spanish), with its platforms."""
    return sorted_by_name(country_list())


def platforms_by_name() -> list[dict[str, Any]]:
    """Every platform (regional, national, sub-regional, in that order), each with its
    countries in the reading order of their names."""
    return [
        {"platform": platform, "countries": sorted_by_name(platform.countries.all())}
        for platform in platform_list()
    ]


def sector_list() -> QuerySet[Sector]:
    return Sector.objects.filter(parent__isnull=True).prefetch_related("subsectors")


def indicator_list(*, sector: Sector | None = None) -> QuerySet[Indicator]:
    qs = Indicator.objects.select_related("sector", "subsector")
    if sector is not None:
        qs = qs.filter(sector=sector)
    return qs.order_by("sector__position", "code")


def admin1_list(*, country: Country) -> QuerySet[Admin1]:
    return country.admin1_areas.select_related("parent", "boundary").order_by("name")
