"""“Explain this number”: the rows behind a consolidated figure and, for each, the step of
the rule that kept or dropped it.

The figure and every number the steps show come from the consolidation's own rule text
(`rule_ctes`, services/consolidation.py) run over the rows of the figure, in the same
statement that lists them: N, P, S, a parent sector's figure and X are the expressions
the engine computes. On top of them the statement ranks, at each max, the indicator,
organisation, sector or sub-sector that gives the figure (a tie goes to the lowest
indicator id, and otherwise to what was reported first); its rows are kept and the others
dropped, so the kept rows add up to the figure shown."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet, prefetch_related_objects
from django.utils.translation import gettext as _

from puente.analytics.services.consolidation import (
    BREAKDOWN,
    COUNTED,
    Combinators,
    database_families,
    default_combinators,
    intersector_outside,
    period,
    rule_ctes,
)
from puente.core.templatetags.figures import figure_format
from puente.reporting.models import ActivityRow

EXPLAIN_LIMIT = 20000


class TooManyRows(Exception):
    pass


@dataclass
class ExplainedRow:
    row: Any
    value: int
    visible: bool
    steps: list[str] = field(default_factory=list)
    counted: bool = True

    def org_label(self) -> str:
        """The organisation as the viewer may see it: a row outside their scope names it in
        none of its steps either."""
        return self.row.appealing_org.acronym if self.visible else str(_("another organisation"))


def figure_explain(
    *,
    year: int,
    month: int,
    measure: str = "consolidated",
    country_id: int | None = None,
    admin1_id: int | None = None,
    sector: Any = None,
    population_group_id: int | None = None,
    org_id: int | None = None,
    visible_ids: set[int] | None = None,
    visible: Q | None = None,
    combinators: Combinators | None = None,
) -> tuple[int, list[ExplainedRow]]:
    """Returns (figure, rows). The rows the viewer may see in detail, with their
    organisation: `visible` (a filter of ActivityRow) or `visible_ids`; neither: all."""
    combinators = combinators or default_combinators()
    rows = _figure_rows(
        year=year,
        month=month,
        measure=measure,
        country_id=country_id,
        admin1_id=admin1_id,
        sector=sector,
        population_group_id=population_group_id,
        org_id=org_id,
    )
    if rows.count() > EXPLAIN_LIMIT:
        raise TooManyRows
    if visible is not None:
        visible_ids = set(rows.filter(visible).values_list("pk", flat=True))
    field_name = "total_monthly" if measure == "monthly" else "new_beneficiaries"
    ruled = list(_rule_per_row(rows, field_name, combinators, across_sectors=sector is None))
    prefetch_related_objects(
        ruled, "country", "admin1", "appealing_org", "indicator", "sector", "population_group"
    )
    explained = []
    for row in ruled:
        item = ExplainedRow(
            row=row,
            value=getattr(row, field_name) or 0,
            visible=visible_ids is None or row.pk in visible_ids,
        )
        _describe(item, combinators, across_sectors=sector is None)
        explained.append(item)
    figure = ruled[0].rule_figure if ruled else 0
    return figure, explained


def _figure_rows(
    *,
    year: int,
    month: int,
    measure: str,
    country_id: int | None,
    admin1_id: int | None,
    sector: Any,
    population_group_id: int | None,
    org_id: int | None,
) -> QuerySet[ActivityRow]:
    """The rows the consolidation counts in this figure: validated RMRP rows of indicators
    of people reached, capacity building left out (`COUNTED`), of the year through the
    month (monthly: of the month alone)."""
    start, end = period(year, month)
    rows = ActivityRow.objects.filter(COUNTED, status="validated", rmrp_activity=True)
    rows = (
        rows.filter(month=end)
        if measure == "monthly"
        else rows.filter(month__gte=start, month__lte=end)
    )
    if country_id:
        rows = rows.filter(country_id=country_id)
    if admin1_id:
        rows = rows.filter(admin1_id=admin1_id)
    if population_group_id:
        rows = rows.filter(population_group_id=population_group_id)
    if org_id:
        rows = rows.filter(appealing_org_id=org_id)
    if sector is not None:
        rows = (
            rows.filter(Q(sector=sector) | Q(sector__parent=sector))
            if not sector.parent_id
            else rows.filter(sector=sector)
        )
    return rows


def _rule_per_row(
    rows: QuerySet[ActivityRow],
    field_name: str,
    combinators: Combinators,
    *,
    across_sectors: bool = True,
) -> Any:
    """Each row of the figure, in the order reported (month, then id), with the rule's
    numbers and choices for it as attributes:
    - `rule_n`: N of its indicator; `rule_best_n`: the largest N among the indicators of
      its organisation, sector and place; `rule_indicator_kept`: its indicator gives P;
    - `rule_org_kept`: its organisation's P is the largest of the sector's;
    - `rule_family`: how many of its sector's family (parent and sub-sectors) have rows
      here; `rule_sector_kept`: its sector's S gives the family's figure;
    - `rule_top_kept`: its top-level sector's figure is the largest here;
      `rule_top_outside`: its top-level sector is out of inter-sector figures (Common
      Services), so step 5 counts it as 0;
    - `rule_figure`: the figure, the sum of X over places and population groups (with one
      sector asked, its rows are one family, so X is that sector's figure).

    The rule reads the measure explained as `new` (year to date: new beneficiaries of the
    months through M; monthly: the total of month M alone, "the same five steps with
    total_monthly of month M") and leaves its monthly columns empty. Rows and rule come
    from one statement, so the rows listed are the rows ruled even while rows change."""
    cell, params = (
        rows.order_by()
        .values_list(
            "id",
            "month",
            "country_id",
            "admin1_id",
            "sector_id",
            "appealing_org_id",
            "indicator_id",
            "population_group_id",
            field_name,
        )
        .query.sql_with_params()
    )
    # The breakdown and CVA the rule carries along play no part in the figure.
    breakdown = ", ".join(f"0 AS {b}" for b in (*BREAKDOWN, "cva"))
    rule = rule_ctes("explained", "explained", database_families(), combinators)
    out = intersector_outside()
    # Without a sector the figure is X; with one, its family's figure (Common Services
    # included, though X leaves them out).
    figure_of = "x" if across_sectors else "tops"
    table = ActivityRow._meta.db_table
    # Identifiers and field names come from the code; values are the queryset's parameters.
    sql = f"""
        WITH explained AS (
            SELECT q.id, ROW_NUMBER() OVER (ORDER BY q.month, q.id) AS k,
                   q.country_id AS c, q.admin1_id AS a, q.sector_id AS s,
                   q.appealing_org_id AS o, q.indicator_id AS i, q.population_group_id AS g,
                   TRUE AS counts, FALSE AS in_month,
                   COALESCE(CAST(q.{field_name} AS INTEGER), 0) AS new, 0 AS total,
                   {breakdown}
            FROM ({cell}) q
        ), {rule}, first_p AS (
            SELECT c, a, s, o, g, MIN(k) AS k FROM explained GROUP BY c, a, s, o, g
        ), first_s AS (
            SELECT c, a, s, g, MIN(k) AS k FROM explained GROUP BY c, a, s, g
        ), ranked_n AS (
            SELECT c, a, s, o, i, g, n_cons,
                   MAX(n_cons) OVER (PARTITION BY c, a, s, o, g) AS best,
                   ROW_NUMBER() OVER (PARTITION BY c, a, s, o, g ORDER BY n_cons DESC, i)
                       AS place
            FROM n
        ), ranked_p AS (
            SELECT p.c, p.a, p.s, p.o, p.g,
                   ROW_NUMBER() OVER (PARTITION BY p.c, p.a, p.s, p.g ORDER BY p.p_cons DESC, f.k)
                       AS place
            FROM p JOIN first_p f
              ON f.c = p.c AND f.a = p.a AND f.s = p.s AND f.o = p.o AND f.g = p.g
        ), sectors AS (
            SELECT r.c, r.a, r.s, r.g, r.cons, COALESCE(fam.parent, r.s) AS parent, f.k
            FROM rule r
            JOIN first_s f ON f.c = r.c AND f.a = r.a AND f.s = r.s AND f.g = r.g
            LEFT JOIN families fam ON fam.s = r.s
        ), ranked_s AS (
            SELECT c, a, s, g, parent,
                   COUNT(*) OVER (PARTITION BY c, a, parent, g) AS family,
                   ROW_NUMBER() OVER (PARTITION BY c, a, parent, g ORDER BY cons DESC, k)
                       AS place
            FROM sectors
        ), ranked_t AS (
            SELECT t.c, t.a, t.s, t.g,
                   CASE WHEN t.s IN ({out}) THEN 1 ELSE 0 END AS outside,
                   ROW_NUMBER() OVER (
                       PARTITION BY t.c, t.a, t.g
                       ORDER BY CASE WHEN t.s IN ({out}) THEN 0 ELSE t.cons END DESC, f.k
                   ) AS place
            FROM tops t JOIN (
                SELECT c, a, parent, g, MIN(k) AS k FROM sectors GROUP BY c, a, parent, g
            ) f ON f.c = t.c AND f.a = t.a AND f.parent = t.s AND f.g = t.g
        )
        SELECT t.*, rn.n_cons AS rule_n, rn.best AS rule_best_n,
               rn.place = 1 AS rule_indicator_kept, rp.place = 1 AS rule_org_kept,
               rs.family AS rule_family, rs.place = 1 AS rule_sector_kept,
               rt.place = 1 AS rule_top_kept,
               rt.outside = 1 AS rule_top_outside,
               (SELECT CAST(SUM(cons) AS BIGINT) FROM {figure_of}) AS rule_figure
        FROM explained ex
        JOIN {table} t ON t.id = ex.id
        JOIN ranked_n rn ON rn.c = ex.c AND rn.a = ex.a AND rn.s = ex.s AND rn.o = ex.o
                        AND rn.i = ex.i AND rn.g = ex.g
        JOIN ranked_p rp ON rp.c = ex.c AND rp.a = ex.a AND rp.s = ex.s AND rp.o = ex.o
                        AND rp.g = ex.g
        JOIN ranked_s rs ON rs.c = ex.c AND rs.a = ex.a AND rs.s = ex.s AND rs.g = ex.g
        JOIN ranked_t rt ON rt.c = ex.c AND rt.a = ex.a AND rt.s = rs.parent AND rt.g = ex.g
        ORDER BY ex.k
    """  # noqa: S608
    return ActivityRow.objects.raw(sql, params)


def _describe(item: ExplainedRow, combinators: Combinators, *, across_sectors: bool) -> None:
    """The steps of the rule for one row, from the rule's numbers and choices; the first
    step that drops it is its last."""
    row = item.row
    item.steps.append(
        _("Added to %(indicator)s of %(org)s: %(total)s")
        % {
            "indicator": row.indicator.code,
            "org": item.org_label(),
            "total": figure_format(row.rule_n),
        }
    )
    # Step 2: across indicators of one organisation and sector.
    if combinators.indicators == "sum":
        item.steps.append(_("Indicators added up"))
    elif row.rule_indicator_kept:
        item.steps.append(
            _("Kept: the indicator of %(org)s that reached most people in this sector")
            % {"org": item.org_label()}
        )
    else:
        item.counted = False
        item.steps.append(
            _("Dropped: another indicator of %(org)s reached more people in this sector (%(best)s)")
            % {"org": item.org_label(), "best": figure_format(row.rule_best_n)}
        )
        return
    # Step 3: across organisations.
    if combinators.orgs == "sum":
        item.steps.append(_("Added to the other organisations of the sector"))
    elif not row.rule_org_kept:
        item.counted = False
        item.steps.append(_("Dropped: another organisation reached more people in this sector"))
        return
    # Step 4: a parent sector takes the max over itself and its sub-sectors.
    if row.rule_family > 1:
        if row.rule_sector_kept:
            item.steps.append(_("Kept: the largest of the sector and its sub-sectors"))
        else:
            item.counted = False
            item.steps.append(
                _("Dropped: a related sub-sector or its parent sector reached more people")
            )
            return
    # Step 5: across sectors, per place and population group.
    if not across_sectors:
        return
    if row.rule_top_outside:
        item.counted = False
        item.steps.append(_("Dropped: this sector stays out of inter-sector figures"))
        return
    if combinators.sectors == "sum":
        item.steps.append(_("Sectors added up"))
    elif row.rule_top_kept:
        item.steps.append(_("Kept: the sector that reached most people here"))
    else:
        item.counted = False
        item.steps.append(
            _("Dropped: another sector reached more people in this place and population group")
        )
