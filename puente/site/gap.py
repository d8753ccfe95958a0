"""The gap view: for each country and sector of a year, people in need, targeted and
reached (consolidated, year to date), and the money required and funded, side by side."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from puente.analytics.selectors import ReachFilters, people_reached
from puente.analytics.services.cube import last_month_of
from puente.core.i18n import collation_key
from puente.needs.selectors import INTER_SECTOR, people_in_need_by_country_and_sector
from puente.plans.targets import targets_by_country_and_sector
from puente.reference.models import Country, Sector

GAP_COLUMNS = (
    "country",
    "sector",
    "in_need",
    "targeted",
    "reached",
    "requirement_usd",
    "funded_usd",
    "coverage",
    "percent_funded",
)
GAP_HXL = (
    "#country+code",
    "#sector+code",
    "#inneed",
    "#targeted",
    "#reached",
    "#value+requirement+usd",
    "#value+funding+usd",
    "#indicator+coverage+pct",
    "#indicator+funded+pct",
)


def _ratio(part: Any, whole: Any) -> float | None:
    return round(float(part) / float(whole) * 100, 1) if whole else None


def gap_rows(
    *, year: int, country_ids: tuple[int, ...] | None = None, plan: Any = None
) -> list[dict[str, Any]]:
    """One row per country and sector with any figure. `coverage` is reached / targeted
    and `percent_funded` funded / required, both in per cent; requirement and funding come
    from `plan` when one is given."""
    rows: dict[tuple[int, int], dict[str, Any]] = defaultdict(
        lambda: {
            "in_need": None,
            "targeted": None,
            "reached": None,
            "requirement_usd": None,
            "funded_usd": None,
        }
    )
    for (country, sector), cell in people_in_need_by_country_and_sector(
        year=year, country_ids=country_ids
    ).items():
        if sector:
            rows[(country, sector)]["in_need"] = cell["people_in_need"]
    for (country, sector), people in targets_by_country_and_sector(
        year=year, country_ids=country_ids
    ).items():
        if sector != INTER_SECTOR:
            rows[(country, sector)]["targeted"] = people
    month = min(last_month_of(year), 12)
    if month:
        for reach in people_reached(
            year=year,
            month=month,
            by=("country", "sector"),
            filters=ReachFilters(country_ids=country_ids),
        ):
            key = (reach["_ids"]["country"], reach["_ids"]["sector"])
            if reach["consolidated"]:
                rows[key]["reached"] = reach["consolidated"]
    if plan is not None:
        from puente.funding.selectors import funding_by

        for (country, sector), money in funding_by(
            plan, by=("country", "sector"), year=year
        ).items():
            if country is None or sector is None:
                continue
            if country_ids is not None and country not in country_ids:
                continue
            row = rows[(country, sector)]
            row["requirement_usd"] = money["requirement_usd"]
            row["funded_usd"] = money["funded_usd"]
    countries = Country.objects.in_bulk([c for c, _s in rows])
    sectors = Sector.objects.in_bulk([s for _c, s in rows])
    result = []
    for (country, sector), row in rows.items():
        row.update(
            country_id=country,
            sector_id=sector,
            country=countries[country].iso3,
            country_name=countries[country].name,
            sector=sectors[sector].code,
            sector_name=sectors[sector].name,
            sector_position=sectors[sector].position,
            coverage=_ratio(row["reached"] or 0, row["targeted"]),
            percent_funded=_ratio(row["funded_usd"] or Decimal(0), row["requirement_usd"]),
        )
        result.append(row)
    result.sort(key=lambda r: (collation_key(r["country_name"]), r["sector_position"]))
    return result


MEASURES = ("in_need", "targeted", "reached", "requirement_usd", "funded_usd")


def _add(values: list[Any]) -> Any:
    present = [v for v in values if v is not None]
    return sum(present) if present else None


def _with_ratios(totals: dict[str, Any]) -> dict[str, Any]:
    totals["coverage"] = _ratio(totals["reached"] or 0, totals["targeted"])
    totals["percent_funded"] = _ratio(totals["funded_usd"] or Decimal(0), totals["requirement_usd"])
    return totals


def _inter_sector(
    *, year: int, country_ids: tuple[int, ...] | None
) -> dict[int, dict[str, int | None]]:
    """{country id: {"in_need", "targeted", "reached"}} counted across sectors: the
    inter-sector need and target as the needs selectors and `targets_by_country_and_sector`
    give them (Common Services out), and the consolidated inter-sector reach
    (docs/methodology.md)."""
    figures: dict[int, dict[str, int | None]] = defaultdict(
        lambda: {"in_need": None, "targeted": None, "reached": None}
    )
    for (country, sector), cell in people_in_need_by_country_and_sector(
        year=year, country_ids=country_ids
    ).items():
        if sector == INTER_SECTOR:
            figures[country]["in_need"] = cell["people_in_need"]
    for (country, sector), people in targets_by_country_and_sector(
        year=year, country_ids=country_ids
    ).items():
        if sector == INTER_SECTOR:
            figures[country]["targeted"] = people
    month = min(last_month_of(year), 12)
    if month:
        for reach in people_reached(
            year=year, month=month, by=("country",), filters=ReachFilters(country_ids=country_ids)
        ):
            if reach["consolidated"]:
                figures[reach["_ids"]["country"]]["reached"] = reach["consolidated"]
    return figures


def gap_totals(
    rows: list[dict[str, Any]],
    *,
    year: int,
    country_ids: tuple[int, ...] | None = None,
    across_sectors: bool = True,
) -> tuple[dict[int, dict[str, Any]], dict[str, Any]]:
    """({country id: totals}, the region's totals) of `rows` (as `gap_rows` makes them).

    Money adds up over sectors. People do not: someone reached by health and by shelter
    is one person. So with `across_sectors` a country's people in need, targeted and
    reached are its inter-sector figures; without (one sector shown) they are that
    sector's. The region adds up its countries either way."""
    countries: dict[int, dict[str, Any]] = {}
    by_country: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        by_country[row["country_id"]].append(row)
    inter = _inter_sector(year=year, country_ids=country_ids) if across_sectors else {}
    for country, country_rows in by_country.items():
        totals = {m: _add([r[m] for r in country_rows]) for m in MEASURES}
        if across_sectors:
            totals.update(inter[country])
        countries[country] = _with_ratios(totals)
    region = {m: _add([t[m] for t in countries.values()]) for m in MEASURES}
    return countries, _with_ratios(region)
