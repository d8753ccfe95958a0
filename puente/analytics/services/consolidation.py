"""People reached without double counting: the rule of docs/methodology.md, in one place.

For a year Y and a month M, over validated 5W rows of RMRP activities whose indicator
counts people:
  N(c,a,s,o,i,g) = sum of new_beneficiaries, months of Y up to M   (monthly: total_monthly of M)
  P(c,a,s,o,g)   = combine over indicators i of N                    (default max)
  S(c,a,s,g)     = combine over appealing organisations o of P        (default sum)
  a parent sector gets, per (c,a,g), the max over itself and its sub-sectors
  X(c,a,g)       = combine over sectors s of S                        (default max)
Steps one to three run in SQL (one scan of the rows), on the database or on the columnar
copy the cube keeps (services/columnar.py); the rest runs on the few thousand cells that
remain.
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


@dataclass(slots=True)
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
        self.girls += other.girls
        self.boys += other.boys
        self.women += other.women
        self.men += other.men
        self.other += other.other
        self.cva_value_usd += other.cva_value_usd
        self.outputs += other.outputs


def period(year: int, month: int) -> tuple[dt.date, dt.date]:
    if not 1 <= month <= 12:
        raise ValueError("month must be 1-12")
    return dt.date(year, 1, 1), dt.date(year, month, 1)


SOURCES = ("database", "columnar")


def _rule_sql(rows: str, extras: str, combinators: Combinators) -> str:
    """Steps one to three over `rows`, a relation with the columns c, a, s, o, i, g,
    counts, in_month, new and total; and, summed straight to (c, a, s, g), the breakdown,
    CVA value and outputs of `extras` (columns c, a, s, g, girls ... other, cva, outputs:
    breakdown and CVA of rows counting people, outputs of the others). They add up at
    every level, so a far smaller grouping than step one's serves them. The same text runs
    on the database and on the columnar copy (DuckDB)."""
    ind = "MAX" if combinators.indicators == "max" else "SUM"
    org = "MAX" if combinators.orgs == "max" else "SUM"
    sums = ", ".join(f"SUM({b}) AS {b}" for b in (*BREAKDOWN, "cva", "outputs"))
    picked = ", ".join(f"COALESCE(e.{b}, 0)" for b in (*BREAKDOWN, "cva", "outputs"))
    return f"""
        WITH n AS (
            SELECT c, a, s, o, i, g, SUM(new) AS n_cons,
                   SUM(CASE WHEN in_month THEN total ELSE 0 END) AS n_month
            FROM {rows}
            WHERE counts
            GROUP BY c, a, s, o, i, g
        ), p AS (
            SELECT c, a, s, o, g, {ind}(n_cons) AS p_cons, {ind}(n_month) AS p_month
            FROM n GROUP BY c, a, s, o, g
        ), rule AS (
            SELECT c, a, s, g, {org}(p_cons) AS cons, {org}(p_month) AS mon
            FROM p GROUP BY c, a, s, g
        ), e AS (
            SELECT c, a, s, g, {sums} FROM {extras} GROUP BY c, a, s, g
        )
        SELECT e.c, e.a, e.s, e.g, COALESCE(r.cons, 0), COALESCE(r.mon, 0), {picked}
        FROM e LEFT JOIN rule r ON r.c = e.c AND r.a = e.a AND r.s = e.s AND r.g = e.g
    """  # noqa: S608  (identifiers and functions come from the code)


def _in(column: str, values: list[int], placeholder: str) -> str:
    return f" AND {column} IN ({', '.join([placeholder] * len(values))})"


def sector_cells(
    *,
    year: int,
    month: int,
    country_ids: list[int] | None = None,
    combinators: Combinators | None = None,
    org_ids: list[int] | None = None,
    source: str = "database",
) -> dict[tuple[int, int, int, int], Cell]:
    """S(c,a,s,g) for every sector and sub-sector, before parents are combined.

    `source` "database" reads the 5W table; "columnar" reads the Parquet copy the cube
    refresh keeps (services/columnar.py), written for these countries if missing."""
    if source not in SOURCES:
        raise ValueError(f"source must be one of {SOURCES}")
    combinators = combinators or default_combinators()
    start, end = period(year, month)
    if country_ids is not None and not country_ids:
        return {}
    params: list[Any]
    if source == "columnar":
        from puente.analytics.services.columnar import columnar_query, partitions_ensure
        from puente.reference.models import Country

        if org_ids is not None:
            raise ValueError("the columnar copy holds no organisation's own figures")
        countries = partitions_ensure(
            year=year,
            country_ids=country_ids
            if country_ids is not None
            else Country.objects.values_list("id", flat=True),
        )
        rows = "(SELECT *, TRUE AS counts, month = ? AS in_month FROM src WHERE month <= ?) r"
        extras = "(SELECT * FROM extras WHERE month = ?) x"
        (result,) = columnar_query(
            [_rule_sql(rows, extras, combinators)],
            year=year,
            country_ids=countries,
            params=[month, month, month],
        )
    else:
        rows = ActivityRow._meta.db_table
        indicators = Indicator._meta.db_table
        where = ""
        params = [end, start, end]
        if country_ids is not None:
            where += _in("r.country_id", country_ids, "%s")
            params.extend(country_ids)
        if org_ids is not None:
            where += _in("r.appealing_org_id", org_ids, "%s")
            params.extend(org_ids)
        # Counts are summed as integers: PostgreSQL sums bigint through slow numeric.
        people = ", ".join(
            f"CASE WHEN ind.counts_people THEN CAST(r.{b} AS INTEGER) ELSE 0 END AS {b}"
            for b in BREAKDOWN
        )
        relation = f"""(
            SELECT r.country_id AS c, r.admin1_id AS a, r.sector_id AS s,
                   r.appealing_org_id AS o, r.indicator_id AS i, r.population_group_id AS g,
                   ind.counts_people AS counts, r.month = %s AS in_month,
                   CAST(r.new_beneficiaries AS INTEGER) AS new,
                   CAST(r.total_monthly AS INTEGER) AS total, {people},
                   r.cva_value_usd AS cva,
                   CASE WHEN ind.counts_people THEN 0 ELSE CAST(r.quantity AS INTEGER) END
                       AS outputs
            FROM {rows} r JOIN {indicators} ind ON ind.id = r.indicator_id
            WHERE r.status = 'validated' AND r.rmrp_activity = TRUE
              AND r.month >= %s AND r.month <= %s{where}
        ) AS rows"""  # noqa: S608  (identifiers come from the code, values are parameters)
        with connection.cursor() as cursor, _hash_aggregation(cursor):
            cursor.execute(_rule_sql(relation, relation, combinators), params * 2)
            result = cursor.fetchall()
    # Every measure comes out of the SQL as an integer (COALESCEd), CVA as a decimal of
    # two places (SQLite gives a float or an integer: made exact here).
    cent = Decimal("0.01")
    cells: dict[tuple[int, int, int, int], Cell] = {}
    for c, a, s, g, cons, mon, girls, boys, women, men, other, cva, outputs in result:
        if type(cva) is not Decimal:
            cva = Decimal(str(cva)).quantize(cent)
        cells[(c, a, s, g)] = Cell(cons, mon, girls, boys, women, men, other, cva, outputs)
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
    source: str = "database",
) -> Consolidation:
    combinators = combinators or default_combinators()
    cells = sector_cells(
        year=year,
        month=month,
        country_ids=country_ids,
        combinators=combinators,
        org_ids=org_ids,
        source=source,
    )
    parent_of = dict(Sector.objects.filter(parent__isnull=False).values_list("id", "parent_id"))
    parents = set(parent_of.values())
    by_sum = combinators.sectors == "sum"
    inter: dict[tuple[int, int, int], Cell] = {}

    def fold(place: tuple[int, int, int], cell: Cell) -> None:
        """X: combine a top-level sector's cell into its place (extras always add)."""
        total = inter.get(place)
        if total is None:
            inter[place] = Cell(
                cell.consolidated,
                cell.monthly,
                cell.girls,
                cell.boys,
                cell.women,
                cell.men,
                cell.other,
                cell.cva_value_usd,
                cell.outputs,
            )
            return
        if by_sum:
            total.consolidated += cell.consolidated
            total.monthly += cell.monthly
        else:
            total.consolidated = max(total.consolidated, cell.consolidated)
            total.monthly = max(total.monthly, cell.monthly)
        total.add_extras(cell)

    # A parent sector: max over itself and its sub-sectors, per (c,a,g); the others go
    # straight into X.
    combined = dict(cells)
    families: dict[tuple[int, int, int, int], list[Cell]] = defaultdict(list)
    for (c, a, s, g), cell in cells.items():
        parent = parent_of.get(s)
        if parent is not None:
            families[(c, a, parent, g)].append(cell)
        elif s in parents:
            families[(c, a, s, g)].append(cell)
        else:
            fold((c, a, g), cell)
    for key, members in families.items():
        if len(members) > 1 or key not in cells:
            total = Cell(
                consolidated=max(m.consolidated for m in members),
                monthly=max(m.monthly for m in members),
            )
            for member in members:
                total.add_extras(member)
            combined[key] = total
        fold((key[0], key[1], key[3]), combined[key])
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
