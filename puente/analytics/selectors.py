"""Reading consolidated figures from the cube, grouped as a report asks."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from puente.analytics.models import ReachCell
from puente.analytics.services.cube import cube_ensure
from puente.reference.models import Admin1, Country, PopulationGroup, Sector

GROUPINGS = ("country", "admin1", "sector", "population_group")


@dataclass(frozen=True)
class ReachFilters:
    country_ids: tuple[int, ...] | None = None
    sector_id: int | None = None
    population_group_id: int | None = None
    admin1_id: int | None = None


def people_reached(
    *,
    year: int,
    month: int,
    by: list[str] | tuple[str, ...] = (),
    filters: ReachFilters | None = None,
) -> list[dict[str, Any]]:
    """One row per group with its keys (country ISO3, admin1 ISO 3166-2, sector code,
    population group code), then `monthly` and `consolidated`.

    Any grouping sums the finest figure over the dimensions it leaves out: the sector
    figure S(c,a,s,g) when `sector` is asked, else the inter-sector figure X(c,a,g).
    Without `by`, the region as one row."""
    unknown = set(by) - set(GROUPINGS)
    if unknown:
        raise ValueError(f"unknown grouping: {', '.join(sorted(unknown))}")
    filters = filters or ReachFilters()
    cube_ensure(year=year, country_ids=filters.country_ids)
    cells = ReachCell.objects.filter(year=year, month=month)
    if filters.country_ids is not None:
        cells = cells.filter(country_id__in=filters.country_ids)
    if "sector" in by or filters.sector_id is not None:
        cells = cells.filter(sector__isnull=False)
        if filters.sector_id is not None:
            cells = cells.filter(sector_id=filters.sector_id)
    else:
        cells = cells.filter(sector__isnull=True)
    if filters.population_group_id is not None:
        cells = cells.filter(population_group_id=filters.population_group_id)
    if filters.admin1_id is not None:
        cells = cells.filter(admin1_id=filters.admin1_id)
    columns = {
        "country": "country_id",
        "admin1": "admin1_id",
        "sector": "sector_id",
        "population_group": "population_group_id",
    }
    totals: dict[tuple[int, ...], list[Any]] = defaultdict(lambda: [0, 0, 0, 0, 0, 0, 0, 0, 0])
    fields = [columns[b] for b in by]
    for values in cells.values_list(
        *fields,
        "monthly",
        "consolidated",
        "girls",
        "boys",
        "women",
        "men",
        "other",
        "cva_value_usd",
        "outputs",
    ):
        key = tuple(values[: len(fields)])
        total = totals[key]
        for index, value in enumerate(values[len(fields) :]):
            total[index] += value or 0
    names = _names(by, totals)
    result = []
    for key, (monthly, consolidated, *breakdown, cva, outputs) in sorted(
        totals.items(),
        key=lambda kv: tuple(names[b].get(v, "") for b, v in zip(by, kv[0], strict=True)),
    ):
        row: dict[str, Any] = {b: names[b].get(v, "") for b, v in zip(by, key, strict=True)}
        row.update(monthly=monthly, consolidated=consolidated)
        row["breakdown"] = dict(
            zip(("girls", "boys", "women", "men", "other"), breakdown, strict=True)
        )
        row["cva_value_usd"] = cva
        row["outputs"] = outputs
        result.append(row)
    if not by and not result:
        result.append(
            {
                "monthly": 0,
                "consolidated": 0,
                "breakdown": dict.fromkeys(("girls", "boys", "women", "men", "other"), 0),
                "cva_value_usd": 0,
                "outputs": 0,
            }
        )
    return result


def _names(by: tuple[str, ...] | list[str], totals: dict) -> dict[str, dict[int, str]]:
    names: dict[str, dict[int, str]] = {}
    for index, name in enumerate(by):
        ids = {key[index] for key in totals}
        if name == "country":
            names[name] = dict(Country.objects.filter(id__in=ids).values_list("id", "iso3"))
        elif name == "admin1":
            names[name] = dict(Admin1.objects.filter(id__in=ids).values_list("id", "iso_code"))
        elif name == "sector":
            names[name] = dict(Sector.objects.filter(id__in=ids).values_list("id", "code"))
        else:
            names[name] = dict(PopulationGroup.objects.filter(id__in=ids).values_list("id", "code"))
    return names
