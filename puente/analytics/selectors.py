"""Reading consolidated figures, grouped as a report asks: from the cube, or (for one
organisation's own figures) from the engine restricted to that organisation."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db.models import Max, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from puente.analytics.models import CubeState, ReachCell
from puente.analytics.services.columnar import ColumnarWriteError, columnar_enabled
from puente.analytics.services.consolidation import BREAKDOWN, COUNTED, consolidate, period
from puente.analytics.services.cube import cube_ensure
from puente.core.as_of import FiguresAsOf, figures_read_now
from puente.plans.targets import targets_by_indicator
from puente.reference.models import (
    INDICATOR_UNITS,
    Admin1,
    Admin2,
    Country,
    Indicator,
    Measure,
    PopulationGroup,
    Sector,
)
from puente.reporting.models import ActivityRow, RowStatus

GROUPINGS = ("country", "admin1", "admin2", "sector", "population_group")
MEASURES = ("monthly", "consolidated", *BREAKDOWN, "cva_value_usd")


@dataclass(frozen=True)
class ReachFilters:
    country_ids: tuple[int, ...] | None = None
    sector_id: int | None = None
    population_group_id: int | None = None
    admin1_id: int | None = None
    org_id: int | None = None
    # The rows of one indicator (the indicator progress table): figures from the rule run
    # on the database, as the cube holds none per indicator.
    indicator_id: int | None = None


def _cells(
    *, year: int, months: list[int], sectors: bool, filters: ReachFilters
) -> Iterator[tuple[Any, ...]]:
    """(month, country, admin1, sector, group, *MEASURES) of the finest figures:
    S cells when `sectors`, else X cells."""
    if filters.org_id is not None or filters.indicator_id is not None:
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
    *, year: int, months: list[int], sectors: bool, filters: ReachFilters, area: str = "admin1"
) -> Iterator[tuple[Any, ...]]:
    """The cells of `_cells` computed by the rule on the database: for one organisation
    or one indicator (the cube holds neither's figures), or per admin-2 area (`area` "admin2": the
    cube stops at admin-1). Per admin-2, the admin-1 filter keeps the areas inside it."""
    inside: set[int] | None = None
    if area == "admin2" and filters.admin1_id is not None:
        inside = set(
            Admin2.objects.filter(admin1_id=filters.admin1_id).values_list("pk", flat=True)
        )
    for month in months:
        result = consolidate(
            year=year,
            month=month,
            org_ids=[filters.org_id] if filters.org_id is not None else None,
            country_ids=list(filters.country_ids) if filters.country_ids else None,
            area=area,
            indicator_ids=[filters.indicator_id] if filters.indicator_id is not None else None,
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
            if inside is not None:
                if a not in inside:
                    continue
            elif filters.admin1_id is not None and a != filters.admin1_id:
                continue
            yield (month, c, a, s, g, *(getattr(cell, m) for m in MEASURES))


def people_reached(
    *,
    year: int,
    month: int,
    by: list[str] | tuple[str, ...] = (),
    filters: ReachFilters | None = None,
) -> list[dict[str, Any]]:
    """One row per group with its keys (country ISO3, admin1 ISO 3166-2, admin2 P-code,
    sector code, population group code), then `monthly` and `consolidated` (and the breakdown sums,
    CVA value and outputs).

    Any grouping sums the finest figure over the dimensions it leaves out: the sector
    figure S(c,a,s,g) when `sector` is asked or filtered, else the inter-sector figure
    X(c,a,g). Without `by`, the region as one row. `admin2` runs the rule per admin-2
    area (docs/methodology.md, "People reached by admin-2 area") over the rows that name
    one: its figures are not summed into admin-1 ones, which are the rule's own."""
    unknown = set(by) - set(GROUPINGS)
    if unknown:
        raise ValueError(f"unknown grouping: {', '.join(sorted(unknown))}")
    filters = filters or ReachFilters()
    sectors = "sector" in by or filters.sector_id is not None
    positions = {"country": 1, "admin1": 2, "admin2": 2, "sector": 3, "population_group": 4}
    if "admin2" in by:
        # The rule per admin-2 area; an admin-1 asked beside it is the area's parent.
        cells = _engine_cells(
            year=year, months=[month], sectors=sectors, filters=filters, area="admin2"
        )
        parents = dict(Admin2.objects.values_list("pk", "admin1_id"))
    else:
        cells = _cells(year=year, months=[month], sectors=sectors, filters=filters)
        parents = {}
    totals: dict[tuple[Any, ...], list[Any]] = defaultdict(lambda: [0] * len(MEASURES))
    for values in cells:
        total = totals[
            tuple(
                parents[values[2]] if parents and b == "admin1" else values[positions[b]]
                for b in by
            )
        ]
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
            "admin2": (Admin2, "pcode"),
            "sector": (Sector, "code"),
            "population_group": (PopulationGroup, "code"),
        }[name]
        names[name] = dict(model._default_manager.filter(id__in=ids).values_list("id", field))
    return names


def figures_as_of(
    *, year: int | None = None, country_ids: tuple[int, ...] | None = None, live: bool = False
) -> FiguresAsOf:
    """The time of the cube's figures of `year` for these countries (all countries: the
    region): the newest refresh among them. A country's cube is refreshed in the
    transaction of every change of its validated 5W rows, so the figures hold every
    change committed up to that time; a country refreshed long ago has simply not changed
    since (the oldest refresh would date current figures as stale). The cube of a country
    never built is built first, as any read of it does.
    `live` figures (read from the 5W rows or other records, not the cube) are as of now;
    so are figures of no year."""
    if live or year is None:
        return figures_read_now()
    cube_ensure(year=year, country_ids=country_ids)
    states = CubeState.objects.filter(year=year)
    if country_ids is not None:
        states = states.filter(country_id__in=country_ids)
    newest: dt.datetime | None = states.aggregate(newest=Max("refreshed_at"))["newest"]
    # No country at all (an empty reference table): nothing is consolidated, read now.
    return FiguresAsOf(at=newest or timezone.now(), live=newest is None)


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


def _apart_rows(*, year: int, month: int, filters: ReachFilters) -> QuerySet[ActivityRow]:
    """Validated RMRP rows of the year through the month that people reached leaves out
    (people trained, outputs, stocks), within the dashboard's filters."""
    return _period_rows(year=year, month=month, filters=filters).filter(~COUNTED)


def _period_rows(*, year: int, month: int, filters: ReachFilters) -> QuerySet[ActivityRow]:
    """Validated RMRP rows of the year through the month, within the dashboard's
    filters."""
    start, end = period(year, month)
    rows = ActivityRow.objects.filter(
        status=RowStatus.VALIDATED,
        rmrp_activity=True,
        month__gte=start,
        month__lte=end,
    )
    if filters.country_ids is not None:
        rows = rows.filter(country_id__in=filters.country_ids)
    if filters.admin1_id is not None:
        rows = rows.filter(admin1_id=filters.admin1_id)
    if filters.population_group_id is not None:
        rows = rows.filter(population_group_id=filters.population_group_id)
    if filters.org_id is not None:
        rows = rows.filter(appealing_org_id=filters.org_id)
    if filters.indicator_id is not None:
        rows = rows.filter(indicator_id=filters.indicator_id)
    if filters.sector_id is not None:
        rows = rows.filter(Q(sector_id=filters.sector_id) | Q(sector__parent_id=filters.sector_id))
    return rows


# What is shown apart from people reached (`puente people-reached --measure`, the API's
# `measure`), and the columns of each.
APART_MEASURES = {
    "people-trained": ["monthly", "consolidated"],
    "outputs": ["unit", "monthly", "consolidated"],
    "stocks": ["indicator", "unit", "monthly", "latest", "as_of"],
}


def figures_apart_records(
    measure: str, *, year: int, month: int, filters: ReachFilters | None = None
) -> list[dict[str, Any]]:
    """One of `APART_MEASURES` as records in its columns: one record for people trained,
    one per unit for outputs, one per indicator for stocks."""
    figures = figures_apart(year=year, month=month, filters=filters)
    if measure == "people-trained":
        return [figures["people_trained"]]
    return [{k: row[k] for k in APART_MEASURES[measure]} for row in figures[measure]]


def figures_apart(*, year: int, month: int, filters: ReachFilters | None = None) -> dict[str, Any]:
    """What is counted beside people reached, never added to it (docs/methodology.md,
    "What is counted"), for the months of `year` through `month`:

    - `people_trained`: rows of people-trained indicators and capacity-building rows of
      people-reached indicators: `consolidated` sums their new people of the months through
      the month, `monthly` their monthly totals of the month (a plain sum);
    - `outputs`: per unit, the quantities of output indicators (`consolidated` through the
      month, `monthly` of the month); units are never added to each other;
    - `stocks`: per stock indicator, `latest` sums the latest level each organisation
      reported in each place through the month (`as_of`: the latest of those months),
      `monthly` the levels reported for the month itself; never a sum over months."""
    filters = filters or ReachFilters()
    _start, end = period(year, month)
    rows = _apart_rows(year=year, month=month, filters=filters)
    in_month = Q(month=end)
    # People trained and outputs per unit in one query: people-reached rows here are the
    # capacity-building ones, people trained too.
    sums = (
        rows.exclude(indicator__measure=Measure.STOCK)
        .values_list("indicator__measure", "indicator__unit")
        .annotate(
            people_month=Coalesce(Sum("total_monthly", filter=in_month), 0),
            people=Coalesce(Sum("new_beneficiaries"), 0),
            quantity_month=Coalesce(Sum("quantity", filter=in_month), 0),
            quantity=Coalesce(Sum("quantity"), 0),
        )
        .values_list(
            "indicator__measure",
            "indicator__unit",
            "people_month",
            "people",
            "quantity_month",
            "quantity",
        )
        .order_by("indicator__unit")
    )
    trained = {"monthly": 0, "consolidated": 0}
    outputs = []
    for measure, unit, people_month, people, quantity_month, quantity in sums:
        if measure == Measure.OUTPUT:
            outputs.append(
                {
                    "unit": unit,
                    "label": str(INDICATOR_UNITS.get(unit, unit)),
                    "monthly": quantity_month,
                    "consolidated": quantity,
                }
            )
        else:
            trained["monthly"] += people_month
            trained["consolidated"] += people
    return {
        "people_trained": trained,
        "outputs": outputs,
        "stocks": _stocks(rows.filter(indicator__measure=Measure.STOCK), end),
    }


def _stocks(rows: QuerySet[ActivityRow], end: dt.date) -> list[dict[str, Any]]:
    """Per stock indicator, the latest level of every (country, admin-1 area, appealing
    organisation) summed; the levels one of them reports for one month add up (several
    activities or population groups)."""
    levels = (
        rows.values_list("indicator_id", "country_id", "admin1_id", "appealing_org_id", "month")
        .annotate(level=Sum("quantity"))
        .values_list(
            "indicator_id", "country_id", "admin1_id", "appealing_org_id", "month", "level"
        )
        .order_by()
    )
    latest: dict[tuple[int, int, int, int], tuple[dt.date, int]] = {}
    monthly: dict[int, int] = defaultdict(int)
    for indicator, country, admin1, org, month, level in levels:
        key = (indicator, country, admin1, org)
        if key not in latest or latest[key][0] < month:
            latest[key] = (month, level or 0)
        if month == end:
            monthly[indicator] += level or 0
    totals: dict[int, list[Any]] = {}
    for (indicator, *_place), (month, level) in latest.items():
        total = totals.setdefault(indicator, [0, month])
        total[0] += level
        total[1] = max(total[1], month)
    indicators = Indicator.objects.in_bulk(list(totals))
    return sorted(
        (
            {
                "indicator": indicators[pk].code,
                "name": indicators[pk].name,
                "unit": indicators[pk].unit,
                "label": indicators[pk].unit_label,
                "monthly": monthly[pk],
                "latest": level,
                "as_of": f"{as_of:%Y-%m}",
            }
            for pk, (level, as_of) in totals.items()
        ),
        key=lambda stock: stock["indicator"],
    )


def _apart_by_indicator(
    *, year: int, month: int, filters: ReachFilters
) -> dict[int, tuple[int, str | None]]:
    """{indicator id: (what it reached, the month it is as of)} for the indicators counted
    apart (people trained, outputs, stocks), by the rules of `figures_apart`, every
    indicator in two queries over the period's rows (not two per indicator)."""
    _start, end = period(year, month)
    rows = _apart_rows(year=year, month=month, filters=filters)
    sums = (
        rows.exclude(indicator__measure=Measure.STOCK)
        .values("indicator_id")
        .annotate(
            people=Coalesce(Sum("new_beneficiaries"), 0),
            quantity=Coalesce(Sum("quantity"), 0),
            measure=Max("indicator__measure"),
        )
        .values_list("indicator_id", "measure", "people", "quantity")
        .order_by()
    )
    reached: dict[int, tuple[int, str | None]] = {
        pk: (int(quantity if measure == Measure.OUTPUT else people), None)
        for pk, measure, people, quantity in sums
    }
    stocks = _stocks(rows.filter(indicator__measure=Measure.STOCK), end)
    codes = dict(
        Indicator.objects.filter(code__in=[s["indicator"] for s in stocks]).values_list(
            "code", "pk"
        )
    )
    for stock in stocks:
        reached[codes[stock["indicator"]]] = (stock["latest"], stock["as_of"])
    return reached


def _people_by_indicator(
    *, year: int, month: int, filters: ReachFilters, indicator_ids: list[int]
) -> dict[int, int]:
    """{indicator id: consolidated people reached by the rule within that indicator},
    every indicator in one run of the rule (keyed by indicator), summed over the places
    and population groups the filters keep."""
    if not indicator_ids:
        return {}
    options: dict[str, Any] = {
        "year": year,
        "month": month,
        "org_ids": [filters.org_id] if filters.org_id is not None else None,
        "country_ids": list(filters.country_ids) if filters.country_ids else None,
        "indicator_ids": indicator_ids,
        "key": "indicator",
    }
    # From the columnar copy, brought to the cube's state first: the year's rows summed,
    # not read one by one. From the database when there is no copy or it cannot be
    # written (a full disk): slower, the same figures.
    try:
        result = consolidate(**options, source="columnar" if columnar_enabled() else "database")
    except ColumnarWriteError:
        result = consolidate(**options, source="database")
    reached: dict[int, int] = defaultdict(int)
    for (_c, a, i, g), cell in result.sectors.items():
        if filters.admin1_id is not None and a != filters.admin1_id:
            continue
        if filters.population_group_id is not None and g != filters.population_group_id:
            continue
        reached[i] += cell.consolidated
    return dict(reached)


def indicator_progress(
    *, year: int, month: int, filters: ReachFilters | None = None
) -> list[dict[str, Any]]:
    """Per indicator with a target or validated rows in the year through the month, within
    the dashboard's filters (docs/methodology.md, "Indicator progress"): its target (the
    indicator's own targets, `targets_by_indicator`), what it reached, and `progress` =
    reached / target (None without a target). What is reached follows the indicator's
    measure, by the rules that count it elsewhere:

    - people reached: the consolidated people reached by the rule within that one
      indicator (organisations added, per place and population group, summed), every
      indicator in one run of the rule keyed by indicator (`_people_by_indicator`);
    - people trained: their plain sum (as `figures_apart` counts them);
    - output: its quantity, in its unit (as `figures_apart`);
    - stock: its latest level (as `figures_apart`), with the month it is as of;
    the last three for every indicator at once (`_apart_by_indicator`)."""
    filters = filters or ReachFilters()
    targets = targets_by_indicator(
        year=year,
        country_ids=filters.country_ids,
        population_group_id=filters.population_group_id,
        admin1_id=filters.admin1_id,
    )
    reported = set(
        _period_rows(year=year, month=month, filters=filters)
        .values_list("indicator_id", flat=True)
        .distinct()
        .order_by()
    )
    indicators = Indicator.objects.filter(pk__in=reported | set(targets)).select_related("sector")
    if filters.sector_id is not None:
        indicators = indicators.filter(
            Q(sector_id=filters.sector_id) | Q(subsector_id=filters.sector_id)
        )
    listed = list(indicators.order_by("sector__position", "code"))
    people = _people_by_indicator(
        year=year,
        month=month,
        filters=filters,
        indicator_ids=[
            i.pk for i in listed if i.pk in reported and i.measure == Measure.PEOPLE_REACHED
        ],
    )
    apart = (
        _apart_by_indicator(year=year, month=month, filters=filters)
        if any(i.measure != Measure.PEOPLE_REACHED for i in listed if i.pk in reported)
        else {}
    )
    result = []
    for indicator in listed:
        as_of = None
        if indicator.pk not in reported:
            reached = 0
        elif indicator.measure == Measure.PEOPLE_REACHED:
            reached = people.get(indicator.pk, 0)
        else:
            reached, as_of = apart.get(indicator.pk, (0, None))
        target = targets.get(indicator.pk)
        result.append(
            {
                "code": indicator.code,
                "name": indicator.name,
                "sector": indicator.sector.code,
                "measure": indicator.measure,
                "measure_label": str(indicator.get_measure_display()),
                "unit": indicator.unit if indicator.measure != Measure.PEOPLE_REACHED else "",
                "unit_label": str(indicator.unit_label)
                if indicator.measure in (Measure.OUTPUT, Measure.STOCK)
                else "",
                "target": target,
                "reached": reached,
                "as_of": as_of,
                "progress": round(reached / target, 4) if target else None,
            }
        )
    return result
