"""Reading consolidated figures, grouped as a report asks: from the cube, or (for one
organisation's own figures) from the engine restricted to that organisation."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db.models import Max

from puente.analytics.models import ReachCell
from puente.analytics.services.consolidation import BREAKDOWN, consolidate
from puente.analytics.services.cube import cube_ensure
from puente.reference.models import Admin1, Country, PopulationGroup, Sector
from puente.reporting.models import ActivityRow, RowStatus

GROUPINGS = ("country", "admin1", "sector", "population_group")
MEASURES = ("monthly", "consolidated", *BREAKDOWN, "cva_value_usd", "outputs")


@dataclass(frozen=True)
class ReachFilters:
    country_ids: tuple[int, ...] | None = None
    sector_id: int | None = None
    population_group_id: int | None = None
    admin1_id: int | None = None
    org_id: int | None = None


def _cells(
    *, year: int, months: list[int], sectors: bool, filters: ReachFilters
) -> Iterator[tuple[Any, ...]]:
    """(month, country, admin1, sector, group, *MEASURES) of the finest figures:
    S cells when `sectors`, else X cells."""
    if filters.org_id is not None:
        yield from _engine_cells(year=year, months=months, sectors=sectors, filters=filters)
        return
    cube_ensure(year=year, country_ids=filters.country_ids)
    cells = ReachCell.objects.filter(year=year, month__in=months, sector__isnull=not sectors)
    if filters.country_ids is not None:
        cells = cells.filter(country_id__in=filters.country_ids)
    if filters.sector_id is not None:
        cells = cells.filter(sector_id=filters.sector_id)
    if filters.population_group_id is not None:
        cells = cells.filter(population_group_id=filters.population_group_id)
    if filters.admin1_id is not None:
        cells = cells.filter(admin1_id=filters.admin1_id)
    yield from cells.values_list(
        "month", "country_id", "admin1_id", "sector_id", "population_group_id", *MEASURES
    ).iterator(chunk_size=10000)


def _engine_cells(
    *, year: int, months: list[int], sectors: bool, filters: ReachFilters
) -> Iterator[tuple[Any, ...]]:
    for month in months:
        result = consolidate(
            year=year,
            month=month,
            org_ids=[filters.org_id],  # type: ignore[list-item]
            country_ids=list(filters.country_ids) if filters.country_ids else None,
        )
        items: Any = (
            result.sectors.items()
            if sectors
            else (((c, a, None, g), cell) for (c, a, g), cell in result.inter_sector.items())
        )
        for (c, a, s, g), cell in items:
            if filters.sector_id is not None and s != filters.sector_id:
                continue
            if filters.population_group_id is not None and g != filters.population_group_id:
                continue
            if filters.admin1_id is not None and a != filters.admin1_id:
                continue
            yield (month, c, a, s, g, *(getattr(cell, m) for m in MEASURES))


def people_reached(
    *,
    year: int,
    month: int,
    by: list[str] | tuple[str, ...] = (),
    filters: ReachFilters | None = None,
) -> list[dict[str, Any]]:
    """One row per group with its keys (country ISO3, admin1 ISO 3166-2, sector code,
    population group code), then `monthly` and `consolidated` (and the breakdown sums,
    CVA value and outputs).

    Any grouping sums the finest figure over the dimensions it leaves out: the sector
    figure S(c,a,s,g) when `sector` is asked or filtered, else the inter-sector figure
    X(c,a,g). Without `by`, the region as one row."""
    unknown = set(by) - set(GROUPINGS)
    if unknown:
        raise ValueError(f"unknown grouping: {', '.join(sorted(unknown))}")
    filters = filters or ReachFilters()
    sectors = "sector" in by or filters.sector_id is not None
    positions = {"country": 1, "admin1": 2, "sector": 3, "population_group": 4}
    totals: dict[tuple[Any, ...], list[Any]] = defaultdict(lambda: [0] * len(MEASURES))
    for values in _cells(year=year, months=[month], sectors=sectors, filters=filters):
        total = totals[tuple(values[positions[b]] for b in by)]
        for index, value in enumerate(values[5:]):
            total[index] += value or 0
    if not by and not totals:
        totals[()] = [0] * len(MEASURES)
    names = _codes(by, totals)
    rows = []
    for key, measures in totals.items():
        row: dict[str, Any] = {b: names[b].get(v, "") for b, v in zip(by, key, strict=True)}
        row["_ids"] = dict(zip(by, key, strict=True))
        row.update(zip(MEASURES, measures, strict=True))
        rows.append(row)
    rows.sort(key=lambda r: tuple(str(r[b]) for b in by))
    return rows


def reach_trend(
    *, year: int, month: int, filters: ReachFilters | None = None
) -> list[dict[str, Any]]:
    """Monthly and consolidated figures of each month of the year up to `month`."""
    filters = filters or ReachFilters()
    sectors = filters.sector_id is not None
    totals = {m: [0, 0] for m in range(1, month + 1)}
    for values in _cells(year=year, months=list(totals), sectors=sectors, filters=filters):
        totals[values[0]][0] += values[5] or 0
        totals[values[0]][1] += values[6] or 0
    return [
        {"month": f"{year}-{m:02d}", "monthly": t[0], "consolidated": t[1]}
        for m, t in totals.items()
    ]


def _codes(by: tuple[str, ...] | list[str], totals: dict) -> dict[str, dict[Any, str]]:
    names: dict[str, dict[Any, str]] = {}
    for index, name in enumerate(by):
        ids = {key[index] for key in totals}
        model, field = {  # type: ignore[var-annotated]
            "country": (Country, "iso3"),
            "admin1": (Admin1, "iso_code"),
            "sector": (Sector, "code"),
            "population_group": (PopulationGroup, "code"),
        }[name]
        names[name] = dict(model._default_manager.filter(id__in=ids).values_list("id", field))
    return names


def latest_validated_month(
    *, country_ids: tuple[int, ...] | None = None, year: int | None = None
) -> dt.date | None:
    """The latest month with validated 5W rows (of these countries, of that year): the
    month whose figures are worth opening a dashboard on, when later months are still
    being reported and reviewed."""
    rows = ActivityRow.objects.filter(status=RowStatus.VALIDATED)
    if country_ids is not None:
        rows = rows.filter(country_id__in=country_ids)
    if year is not None:
        rows = rows.filter(month__gte=dt.date(year, 1, 1), month__lte=dt.date(year, 12, 1))
    latest: dt.date | None = rows.aggregate(latest=Max("month"))["latest"]
    return latest
