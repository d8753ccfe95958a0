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
