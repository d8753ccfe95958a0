"""People reached without double counting: the rule of docs/methodology.md, in one place.

For a year Y and a month M, over validated 5W rows of RMRP activities whose indicator
counts people reached, capacity building left out:
  N(c,a,s,o,i,g) = sum of new_beneficiaries, months of Y up to M   (monthly: total_monthly of M)
  P(c,a,s,o,g)   = combine over indicators i of N                    (default max)
  S(c,a,s,g)     = combine over appealing organisations o of P        (default sum)
  a parent sector gets, per (c,a,g), the max over itself and its sub-sectors
  X(c,a,g)       = combine over sectors s of S                        (default max)
The whole rule is one SQL statement (one scan of the rows), run on the database or on the
columnar copy the cube keeps (services/columnar.py); "explain this number"
(services/explain.py) reads its steps from the same text.
"""

from __future__ import annotations

import datetime as dt
import gc
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field, fields
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection
from django.db.models import Q

from puente.reference.models import Indicator, Measure, Sector
from puente.reporting.models import ActivityRow, Modality

COMBINATORS = ("max", "sum")
BREAKDOWN = ("girls", "boys", "women", "men", "other")

# The rows people reached are counted from, over the 5W table `r` joined to its indicator
# `ind`: an indicator of people reached, and not capacity building (staff, teachers and
# officials trained are people trained, never people reached). The same condition as
# `COUNTED` for the ORM.
COUNTED_SQL = (
    f"(ind.measure = '{Measure.PEOPLE_REACHED.value}' "
    f"AND r.modality <> '{Modality.CAPACITY_BUILDING.value}')"
)
COUNTED = Q(indicator__measure=Measure.PEOPLE_REACHED) & ~Q(modality=Modality.CAPACITY_BUILDING)


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

    def add_extras(self, other: Cell) -> None:
        """Breakdown sums and CVA value always add up."""
        self.girls += other.girls
        self.boys += other.boys
        self.women += other.women
        self.men += other.men
        self.other += other.other
        self.cva_value_usd += other.cva_value_usd


def period(year: int, month: int) -> tuple[dt.date, dt.date]:
    if not 1 <= month <= 12:
        raise ValueError("month must be 1-12")
    return dt.date(year, 1, 1), dt.date(year, month, 1)


SOURCES = ("database", "columnar")


def rule_ctes(rows: str, extras: str, families: str, combinators: Combinators) -> str:
    """The whole rule as common table expressions, the same text on the database, on the
    columnar copy (DuckDB) and under "explain this number" (services/explain.py).

    `rows` is a relation with the columns c, a, s, o, i, g, counts, in_month, new and
    total; steps one to three run over it. `extras` (columns c, a, s, g, girls ... other,
    cva: breakdown of rows counted, CVA value of every row) is
    summed straight to (c, a, s, g): these add up at every level, so a far smaller
    grouping than step one's serves them. `families` (columns s, parent) lists every
    sub-sector with its parent sector.

    Each step is one expression, named for what it holds (year to date in `*cons`, the
    month's `total` in `*month` and `mon`):
      n      N(c,a,s,o,i,g)                    n_cons, n_month
      p      P(c,a,s,o,g), across indicators   p_cons, p_month
      rule   S(c,a,s,g), across organisations  cons, mon
      cells  S(c,a,s,g) of every sector with rows (a cell of `extras`), with its sums
      tops   per top-level sector (a parent as its family's max), with its sums
      x      X(c,a,g), across top-level sectors, with its sums
    Measures are BIGINT, CVA a decimal. A caller adds `WITH` and its own SELECT."""
    ind = "MAX" if combinators.indicators == "max" else "SUM"
    org = "MAX" if combinators.orgs == "max" else "SUM"
    sec = "MAX" if combinators.sectors == "max" else "SUM"
    sums = ", ".join(f"SUM({b}) AS {b}" for b in (*BREAKDOWN, "cva"))
    picked = ", ".join(f"CAST(COALESCE(e.{b}, 0) AS BIGINT) AS {b}" for b in BREAKDOWN)
    added_named = ", ".join(f"CAST(SUM({b}) AS BIGINT) AS {b}" for b in BREAKDOWN)
    # Step 5 leaves out the sectors out of inter-sector figures (Common Services): their
    # people and breakdown count 0 there; they keep their own S, and CVA adds up as ever.
    out = intersector_outside()
    x_named = ", ".join(
        f"CAST(SUM(CASE WHEN s IN ({out}) THEN 0 ELSE {b} END) AS BIGINT) AS {b}" for b in BREAKDOWN
    )
    return f"""
        n AS (
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
        ), cells AS (
            SELECT e.c, e.a, e.s, e.g, CAST(COALESCE(r.cons, 0) AS BIGINT) AS cons,
                   CAST(COALESCE(r.mon, 0) AS BIGINT) AS mon, {picked},
                   COALESCE(e.cva, 0) AS cva
            FROM e LEFT JOIN rule r ON r.c = e.c AND r.a = e.a AND r.s = e.s AND r.g = e.g
        ), families AS (
            SELECT s, parent FROM {families}
        ), tops AS (
            SELECT cells.c, cells.a, COALESCE(f.parent, cells.s) AS s, cells.g,
                   MAX(cons) AS cons, MAX(mon) AS mon, {added_named}, SUM(cva) AS cva
            FROM cells LEFT JOIN families f ON f.s = cells.s
            GROUP BY cells.c, cells.a, COALESCE(f.parent, cells.s), cells.g
        ), x AS (
            SELECT c, a, g, CAST({sec}(CASE WHEN s IN ({out}) THEN 0 ELSE cons END) AS BIGINT)
                   AS cons,
                   CAST({sec}(CASE WHEN s IN ({out}) THEN 0 ELSE mon END) AS BIGINT) AS mon,
                   {x_named}, SUM(cva) AS cva
            FROM tops GROUP BY c, a, g
        )
    """  # noqa: S608  (identifiers and functions come from the code)


def _rule_sql(rows: str, extras: str, families: str, combinators: Combinators) -> str:
    """The rule's result: S(c,a,s,g) for every sector and sub-sector, a parent sector's
    cell combined with its sub-sectors' (max), then X(c,a,g) with NULL in place of the
    sector, each with its sums."""
    measures = f"cons, mon, {', '.join(BREAKDOWN)}, cva"
    return f"""
        WITH {rule_ctes(rows, extras, families, combinators)}
        SELECT c, a, s, g, {measures} FROM cells
        WHERE s NOT IN (SELECT parent FROM families)
        UNION ALL
        SELECT c, a, s, g, {measures} FROM tops
        WHERE s IN (SELECT parent FROM families)
        UNION ALL
        SELECT c, a, NULL, g, {measures} FROM x
    """  # noqa: S608  (identifiers come from the code)


def _in(column: str, values: list[int], placeholder: str) -> str:
    return f" AND {column} IN ({', '.join([placeholder] * len(values))})"


@dataclass
class Consolidation:
    """S per (c,a,s,g) with parents combined, and X per (c,a,g)."""

    sectors: dict[tuple[int, int, int, int], Cell]
    inter_sector: dict[tuple[int, int, int], Cell]


@contextmanager
def _collector_paused() -> Iterator[None]:
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@_collector_paused()
def consolidate(
    *,
    year: int,
    month: int,
    country_ids: list[int] | None = None,
    combinators: Combinators | None = None,
    org_ids: list[int] | None = None,
    source: str = "database",
    area: str = "admin1",
    indicator_ids: list[int] | None = None,
    key: str = "sector",
) -> Consolidation:
    """The rule for a year through a month: every S and X cell.

    `source` "database" reads the 5W table; "columnar" reads the Parquet copy the cube
    refresh keeps (services/columnar.py), written for these countries if missing. Both
    run the same rule text (`_rule_sql`) and their rows are folded the same way.

    The result is tens of thousands of small objects without cycles: the cyclic garbage
    collector, which would otherwise walk every object of the process several times while
    they are made, is paused meanwhile (a tenth of the time on a million rows,
    docs/performance.md).

    `area` "admin2" runs the same rule with the admin-2 area in place of the admin-1
    (cells keyed by `Admin2` id; rows naming no admin-2 area left out), from the database
    only: the cube and its columnar copy stop at admin-1.

    `indicator_ids`: the rule over the rows of these indicators only. `key` "indicator"
    keys S by indicator in place of the sector (each indicator its own family, no parent:
    S(c,a,i,g) is the rule within that one indicator, for the indicator progress table,
    every indicator in one run); its X cells, breakdowns and CVA mean nothing. Both may
    read the columnar copy, one organisation's figures too (its rows carry the
    organisation; the breakdowns, which do not, are not read), each partition first
    brought to the cube's state (`partitions_current`)."""
    if area not in AREAS:
        raise ValueError(f"area must be one of {AREAS}")
    if area == "admin2" and source != "database":
        raise ValueError("figures by admin-2 area are read from the database")
    if source not in SOURCES:
        raise ValueError(f"source must be one of {SOURCES}")
    if indicator_ids is not None and key != "indicator" and source != "database":
        raise ValueError("figures of some indicators by sector are read from the database")
    if key not in ("sector", "indicator"):
        raise ValueError("key must be sector or indicator")
    combinators = combinators or default_combinators()
    start, end = period(year, month)
    if (country_ids is not None and not country_ids) or indicator_ids == []:
        return Consolidation(sectors={}, inter_sector={})
    if source == "columnar" and key == "indicator":
        return _fold(
            _columnar_indicator_result(
                year=year,
                month=month,
                country_ids=country_ids,
                org_ids=org_ids,
                indicator_ids=indicator_ids,
                combinators=combinators,
            ),
            cva_in_cents=True,
        )
    if source == "columnar":
        if org_ids is not None:
            raise ValueError("the columnar copy holds no organisation's own figures")
        return _fold(
            _columnar_result(
                year=year, month=month, country_ids=country_ids, combinators=combinators
            ),
            cva_in_cents=True,
        )
    return _fold(
        _database_result(
            start=start,
            end=end,
            country_ids=country_ids,
            org_ids=org_ids,
            combinators=combinators,
            area=area,
            indicator_ids=indicator_ids,
            key=key,
        ),
        cva_in_cents=False,
    )


def _columnar_result(
    *, year: int, month: int, country_ids: list[int] | None, combinators: Combinators
) -> list[tuple[Any, ...]]:
    """The rule's rows over the columnar copy (DuckDB), CVA in cents."""
    from puente.analytics.services.columnar import partitions_ensure

    countries = partitions_ensure(year=year, country_ids=_countries_or_all(country_ids))
    rows = "(SELECT *, TRUE AS counts, month = ? AS in_month FROM src WHERE month <= ?) r"
    extras = "(SELECT * FROM extras WHERE month = ?) x"
    pairs = Sector.objects.filter(parent__isnull=False).values_list("id", "parent_id")
    # Ids from the database, as integers; an empty list still gives the columns.
    listed = ", ".join(f"({int(sub)}, {int(parent)})" for sub, parent in pairs)
    family_rows = (
        f"(SELECT * FROM (VALUES {listed}) AS v(s, parent))"  # noqa: S608
        if listed
        else "(SELECT CAST(NULL AS INTEGER) AS s, CAST(NULL AS INTEGER) AS parent LIMIT 0)"
    )
    families = f"{family_rows} fam"
    return _columnar_rule(
        _rule_sql(rows, extras, families, combinators), year=year, month=month, countries=countries
    )


def _columnar_rule(
    rule: str, *, year: int, month: int, countries: list[int]
) -> list[tuple[Any, ...]]:
    """The rule's rows over the partitions of `countries`; its relations take the month
    three times (the rows' month and its bound, the extras' month)."""
    from puente.analytics.services.columnar import columnar_query

    # Columnar results arrive column by column, where a DECIMAL would be a float:
    # CVA comes in cents.
    measures = ", ".join(("cons", "mon", *BREAKDOWN))
    (result,) = columnar_query(
        [f"SELECT c, a, s, g, {measures}, CAST(cva * 100 AS BIGINT) FROM ({rule})"],  # noqa: S608
        year=year,
        country_ids=countries,
        params=[month, month, month],
    )
    return result


def _countries_or_all(country_ids: list[int] | None) -> Iterable[int]:
    from puente.reference.models import Country

    return country_ids if country_ids is not None else Country.objects.values_list("id", flat=True)


def _columnar_indicator_result(
    *,
    year: int,
    month: int,
    country_ids: list[int] | None,
    org_ids: list[int] | None,
    indicator_ids: list[int] | None,
    combinators: Combinators,
) -> list[tuple[Any, ...]]:
    """The rule keyed by indicator over the columnar copy, each partition first brought
    to the cube's state: S(c,a,i,g) from the rows' `new` and `total`, no breakdown nor
    CVA (zeros), as the indicator progress table reads it."""
    from puente.analytics.services.columnar import partitions_current

    countries = partitions_current(year=year, country_ids=_countries_or_all(country_ids))
    # Ids from the database or the caller's lists, as integers.
    where = "month <= ?"
    if indicator_ids is not None:
        where += f" AND i IN ({', '.join(str(int(i)) for i in indicator_ids)})"
    if org_ids is not None:
        where += f" AND o IN ({', '.join(str(int(o)) for o in org_ids)})"
    rows = (
        f"(SELECT c, a, i AS s, o, i, g, TRUE AS counts, month = ? AS in_month, new, total "  # noqa: S608
        f"FROM src WHERE {where}) r"
    )
    zeros = ", ".join(f"0 AS {b}" for b in BREAKDOWN)
    keys = (
        f"(SELECT DISTINCT c, a, i AS s, g, {zeros}, CAST(0 AS DECIMAL(14, 2)) AS cva "  # noqa: S608
        f"FROM src WHERE {where}) x"
    )
    return _columnar_rule(
        _rule_sql(rows, keys, NO_FAMILIES, combinators), year=year, month=month, countries=countries
    )


# The area column of each grain the rule can run at.
AREA_COLUMNS = {"admin1": "admin1_id", "admin2": "admin2_area_id"}
AREAS = tuple(AREA_COLUMNS)


def _database_result(
    *,
    start: dt.date,
    end: dt.date,
    country_ids: list[int] | None,
    org_ids: list[int] | None,
    combinators: Combinators,
    area: str = "admin1",
    indicator_ids: list[int] | None = None,
    key: str = "sector",
) -> list[tuple[Any, ...]]:
    """The rule's rows over the 5W table, one organisation's figures included; with
    `area` "admin2", per admin-2 area instead of admin-1; with `indicator_ids`, over
    the rows of these indicators."""
    rows = ActivityRow._meta.db_table
    indicators = Indicator._meta.db_table
    where = ""
    params: list[Any] = [end, start, end]
    if country_ids is not None:
        where += _in("r.country_id", country_ids, "%s")
        params.extend(country_ids)
    if org_ids is not None:
        where += _in("r.appealing_org_id", org_ids, "%s")
        params.extend(org_ids)
    if indicator_ids is not None:
        where += _in("r.indicator_id", indicator_ids, "%s")
        params.extend(indicator_ids)
    if area == "admin2":
        where += " AND r.admin2_area_id IS NOT NULL"
    # Counts are summed as integers: PostgreSQL sums bigint through slow numeric.
    people = ", ".join(
        f"CASE WHEN {COUNTED_SQL} THEN CAST(r.{b} AS INTEGER) ELSE 0 END AS {b}" for b in BREAKDOWN
    )
    relation = f"""(
        SELECT r.country_id AS c, r.{AREA_COLUMNS[area]} AS a, r.{key}_id AS s,
               r.appealing_org_id AS o, r.indicator_id AS i, r.population_group_id AS g,
               {COUNTED_SQL} AS counts, r.month = %s AS in_month,
               CAST(r.new_beneficiaries AS INTEGER) AS new,
               CAST(r.total_monthly AS INTEGER) AS total, {people},
               r.cva_value_usd AS cva
        FROM {rows} r JOIN {indicators} ind ON ind.id = r.indicator_id
        WHERE r.status = 'validated' AND r.rmrp_activity = TRUE
          AND r.month >= %s AND r.month <= %s{where}
    ) AS rows"""  # noqa: S608  (identifiers come from the code, values are parameters)
    with connection.cursor() as cursor, _hash_aggregation(cursor):
        families = database_families() if key == "sector" else NO_FAMILIES
        cursor.execute(_rule_sql(relation, relation, families, combinators), params * 2)
        return cursor.fetchall()


def intersector_outside() -> str:
    """The top-level sectors out of inter-sector figures (`Sector.in_intersector` off:
    Common Services) as the SQL list of their ids, "NULL" when there are none (then
    `s IN (NULL)` holds for no row). Ids from the database, as integers."""
    ids = Sector.objects.filter(parent__isnull=True, in_intersector=False).values_list(
        "pk", flat=True
    )
    return ", ".join(str(int(pk)) for pk in ids) or "NULL"


# No sub-sector and no parent: the families relation when S is keyed by indicator.
NO_FAMILIES = "(SELECT 0 AS s, 0 AS parent WHERE 1 = 0) fam"


def database_families() -> str:
    """The rule's `families` relation on the database: every sub-sector with its parent."""
    return (
        f"(SELECT id AS s, parent_id AS parent FROM {Sector._meta.db_table} "  # noqa: S608
        "WHERE parent_id IS NOT NULL) fam"
    )


def _fold(result: list[tuple[Any, ...]], *, cva_in_cents: bool) -> Consolidation:
    """The rule's rows as cells: S with a sector, X without."""
    # Every measure comes out of the SQL as an integer; CVA as a decimal of two places
    # (SQLite gives a float or an integer: made exact here), from the columnar copy in
    # cents.
    cent = Decimal("0.01")
    no_cents = Decimal("0.00")
    sectors: dict[tuple[int, int, int, int], Cell] = {}
    inter: dict[tuple[int, int, int], Cell] = {}
    for c, a, s, g, cons, mon, girls, boys, women, men, other, cva in result:
        if cva_in_cents:
            cva = Decimal(cva).scaleb(-2) if cva else no_cents
        elif type(cva) is not Decimal:
            cva = Decimal(str(cva)).quantize(cent)
        cell = Cell(cons, mon, girls, boys, women, men, other, cva)
        if s is None:
            inter[(c, a, g)] = cell
        else:
            sectors[(c, a, s, g)] = cell
    return Consolidation(sectors=sectors, inter_sector=inter)


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
