"""People reached without double counting: the rule of docs/methodology.md, in one place.

For a year Y and a month M, over validated 5W rows of RMRP activities whose indicator
counts people:
  N(c,a,s,o,i,g) = sum of new_beneficiaries, months of Y up to M   (monthly: total_monthly of M)
  P(c,a,s,o,g)   = combine over indicators i of N                    (default max)
  S(c,a,s,g)     = combine over appealing organisations o of P        (default sum)
  a parent sector gets, per (c,a,g), the max over itself and its sub-sectors
  X(c,a,g)       = combine over sectors s of S                        (default max)
Steps one to three run in SQL on the database (one scan of the rows); the rest runs on
the few thousand cells that remain.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field, fields
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection

from puente.reference.models import Indicator, Sector
from puente.reporting.models import ActivityRow

COMBINATORS = ("max", "sum")
BREAKDOWN = ("girls", "boys", "women", "men", "other")


@dataclass(frozen=True)
class Combinators:
    indicators: str = "max"
    orgs: str = "sum"
    sectors: str = "max"

    def __post_init__(self) -> None:
        for name in ("indicators", "orgs", "sectors"):
            if getattr(self, name) not in COMBINATORS:
                raise ValueError(f"{name} combinator must be max or sum")


def default_combinators() -> Combinators:
    return Combinators(**getattr(settings, "PUENTE_CONSOLIDATION", {}))


@dataclass
class Cell:
    consolidated: int = 0
    monthly: int = 0
    girls: int = 0
    boys: int = 0
    women: int = 0
    men: int = 0
    other: int = 0
    cva_value_usd: Decimal = field(default_factory=Decimal)
    outputs: int = 0

    def add_extras(self, other: Cell) -> None:
        """Breakdown sums, CVA value and outputs always add up."""
        for name in (*BREAKDOWN, "cva_value_usd", "outputs"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


def _combine(kind: str, values: list[int]) -> int:
    return max(values, default=0) if kind == "max" else sum(values)


def period(year: int, month: int) -> tuple[dt.date, dt.date]:
    if not 1 <= month <= 12:
        raise ValueError("month must be 1-12")
    return dt.date(year, 1, 1), dt.date(year, month, 1)


def sector_cells(
    *,
    year: int,
    month: int,
    country_ids: list[int] | None = None,
    combinators: Combinators | None = None,
    org_ids: list[int] | None = None,
) -> dict[tuple[int, int, int, int], Cell]:
    """S(c,a,s,g) for every sector and sub-sector, before parents are combined."""
    combinators = combinators or default_combinators()
    start, end = period(year, month)
    ind = "MAX" if combinators.indicators == "max" else "SUM"
    org = "MAX" if combinators.orgs == "max" else "SUM"
    rows = ActivityRow._meta.db_table
    indicators = Indicator._meta.db_table
    where_country = ""
    params: list[Any] = [end, start, end]
    if country_ids is not None:
        if not country_ids:
            return {}
        where_country = f" AND r.country_id IN ({', '.join(['%s'] * len(country_ids))})"
        params.extend(country_ids)
    if org_ids is not None:
        where_country += f" AND r.appealing_org_id IN ({', '.join(['%s'] * len(org_ids))})"
        params.extend(org_ids)
    # Counts are summed as integers: PostgreSQL sums bigint through slow numeric arithmetic.
    people = "CASE WHEN ind.counts_people THEN CAST(COALESCE(r.{0}, 0) AS INTEGER) ELSE 0 END"
    source = f"""
        FROM {rows} r JOIN {indicators} ind ON ind.id = r.indicator_id
        WHERE r.status = 'validated' AND r.rmrp_activity = TRUE
          AND r.month >= %s AND r.month <= %s{where_country}
    """  # noqa: S608  (identifiers come from the code, values are parameters)
    # The rule itself carries two measures only; breakdown sums, CVA value and outputs add
    # up at every level, so they are summed straight to (c,a,s,g) in a second statement.
    rule = f"""
        WITH n AS (
            SELECT r.country_id AS c, r.admin1_id AS a, r.sector_id AS s,
                   r.appealing_org_id AS o, r.indicator_id AS i, r.population_group_id AS g,
                   SUM({people.format("new_beneficiaries")}) AS n_cons,
                   SUM(CASE WHEN ind.counts_people AND r.month = %s
                       THEN CAST(COALESCE(r.total_monthly, 0) AS INTEGER) ELSE 0 END) AS n_month
            {source}
            GROUP BY r.country_id, r.admin1_id, r.sector_id, r.appealing_org_id,
                     r.indicator_id, r.population_group_id
        ), p AS (
            SELECT c, a, s, o, g, {ind}(n_cons) AS p_cons, {ind}(n_month) AS p_month
            FROM n GROUP BY c, a, s, o, g
        )
        SELECT c, a, s, g, {org}(p_cons), {org}(p_month) FROM p GROUP BY c, a, s, g
    """  # noqa: S608
    extras = f"""
        SELECT r.country_id, r.admin1_id, r.sector_id, r.population_group_id,
               {", ".join(f"SUM({people.format(b)})" for b in BREAKDOWN)},
               SUM(COALESCE(r.cva_value_usd, 0)),
               SUM(CASE WHEN ind.counts_people THEN 0
                   ELSE CAST(COALESCE(r.quantity, 0) AS INTEGER) END)
        {source}
        GROUP BY r.country_id, r.admin1_id, r.sector_id, r.population_group_id
    """  # noqa: S608
    cells: dict[tuple[int, int, int, int], Cell] = {}
    with connection.cursor() as cursor, _hash_aggregation(cursor):
        cursor.execute(rule, params)
        for c, a, s, g, cons, monthly in cursor.fetchall():
            cells[(c, a, s, g)] = Cell(consolidated=int(cons or 0), monthly=int(monthly or 0))
        cursor.execute(extras, params[1:])
        for c, a, s, g, *rest in cursor.fetchall():
            *parts, cva, outputs = rest
            cell = cells.setdefault((c, a, s, g), Cell())
            for name, value in zip(BREAKDOWN, parts, strict=True):
                setattr(cell, name, int(value or 0))
            cell.cva_value_usd = Decimal(str(cva or 0))
            cell.outputs = int(outputs or 0)
    return cells


@contextmanager
def _hash_aggregation(cursor: Any) -> Iterator[None]:
    """On PostgreSQL, prefer hash aggregation with enough memory for it: the planner
    underestimates the groups of step one and otherwise sorts on disk (30% slower on a
    million rows, docs/performance.md). Settings are restored afterwards."""
    if connection.vendor != "postgresql":
        yield
        return
    cursor.execute("SET work_mem = '64MB'")
    cursor.execute("SET enable_sort = off")
    try:
        yield
    finally:
        # In a transaction aborted by an error, its rollback restores the settings.
        with suppress(DatabaseError):
            cursor.execute("RESET enable_sort")
            cursor.execute("RESET work_mem")


@dataclass
class Consolidation:
    """S per (c,a,s,g) with parents combined, and X per (c,a,g)."""

    sectors: dict[tuple[int, int, int, int], Cell]
    inter_sector: dict[tuple[int, int, int], Cell]


def consolidate(
    *,
    year: int,
    month: int,
    country_ids: list[int] | None = None,
    combinators: Combinators | None = None,
    org_ids: list[int] | None = None,
) -> Consolidation:
    combinators = combinators or default_combinators()
    cells = sector_cells(
        year=year, month=month, country_ids=country_ids, combinators=combinators, org_ids=org_ids
    )
    parent_of = dict(Sector.objects.filter(parent__isnull=False).values_list("id", "parent_id"))
    # A parent sector: max over itself and its sub-sectors, per (c,a,g).
    family: dict[tuple[int, int, int, int], list[Cell]] = defaultdict(list)
    for (c, a, s, g), cell in cells.items():
        family[(c, a, parent_of.get(s, s), g)].append(cell)
    combined = dict(cells)
    for key, members in family.items():
        if key[2] in parent_of.values() and (len(members) > 1 or key not in cells):
            total = Cell(
                consolidated=max(m.consolidated for m in members),
                monthly=max(m.monthly for m in members),
            )
            for member in members:
                total.add_extras(member)
            combined[key] = total
    # X: across top-level sectors (a parent carries its combined figure).
    by_place: dict[tuple[int, int, int], list[Cell]] = defaultdict(list)
    for (c, a, s, g), cell in combined.items():
        if s not in parent_of:
            by_place[(c, a, g)].append(cell)
    inter: dict[tuple[int, int, int], Cell] = {}
    for place, members in by_place.items():
        total = Cell(
            consolidated=_combine(combinators.sectors, [m.consolidated for m in members]),
            monthly=_combine(combinators.sectors, [m.monthly for m in members]),
        )
        for member in members:
            total.add_extras(member)
        inter[place] = total
    return Consolidation(sectors=combined, inter_sector=inter)


def split_by_sex_and_age(value: int, cell: Cell) -> dict[str, int | None]:
    """A figure split in proportion to the breakdown of the rows behind it; None where
    no contributing row gave a breakdown. Rounded down, the remainder to the largest part."""
    total = sum(getattr(cell, b) for b in BREAKDOWN)
    if not total:
        return dict.fromkeys(BREAKDOWN)
    parts = {b: value * getattr(cell, b) // total for b in BREAKDOWN}
    largest = max(BREAKDOWN, key=lambda b: getattr(cell, b))
    parts[largest] += value - sum(parts.values())
    return parts


CELL_FIELDS = [f.name for f in fields(Cell)]
