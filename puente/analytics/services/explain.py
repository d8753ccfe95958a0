"""“Explain this number”: the rows behind a consolidated figure and, for each, the step of
the rule that kept or dropped it. It applies the same rule as the engine to the rows of
one figure, so the kept rows add up to the figure shown."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _

from puente.analytics.services.consolidation import Combinators, default_combinators, period
from puente.core.templatetags.figures import figure_format
from puente.reference.models import Sector
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
    start, end = period(year, month)
    rows = ActivityRow.objects.filter(
        status="validated", rmrp_activity=True, indicator__counts_people=True
    )
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
    if rows.count() > EXPLAIN_LIMIT:
        raise TooManyRows
    if visible is not None:
        visible_ids = set(rows.filter(visible).values_list("pk", flat=True))
    rows = rows.select_related(
        "country", "admin1", "appealing_org", "indicator", "sector", "population_group"
    ).order_by("month", "id")
    field_name = "total_monthly" if measure == "monthly" else "new_beneficiaries"
    explained = [
        ExplainedRow(
            row=r,
            value=getattr(r, field_name) or 0,
            visible=visible_ids is None or r.pk in visible_ids,
        )
        for r in rows
    ]

    # Step 1: N per (c,a,s,o,i,g).
    n: dict[tuple, int] = defaultdict(int)
    for e in explained:
        n[_key(e.row, "i")] += e.value
    for e in explained:
        e.steps.append(
            _("Added to %(indicator)s of %(org)s: %(total)s")
            % {
                "indicator": e.row.indicator.code,
                "org": e.org_label(),
                "total": figure_format(n[_key(e.row, "i")]),
            }
        )
    # Step 2: across indicators of one organisation and sector.
    best_indicator: dict[tuple, tuple[int, str]] = {}
    for key, value in sorted(n.items(), key=lambda kv: kv[0][4]):
        p_key = key[:4] + key[5:]
        if p_key not in best_indicator or value > best_indicator[p_key][0]:
            best_indicator[p_key] = (value, key[4])
    p: dict[tuple, int] = defaultdict(int)
    for key, value in n.items():
        p_key = key[:4] + key[5:]
        p[p_key] = max(p[p_key], value) if combinators.indicators == "max" else p[p_key] + value
    for e in explained:
        p_key = _key(e.row, "p")
        if combinators.indicators == "sum":
            e.steps.append(_("Indicators added up"))
        elif best_indicator[p_key][1] == e.row.indicator_id:
            e.steps.append(
                _("Kept: the indicator of %(org)s that reached most people in this sector")
                % {"org": e.org_label()}
            )
        else:
            e.counted = False
            e.steps.append(
                _(
                    "Dropped: another indicator of %(org)s reached more people in this "
                    "sector (%(best)s)"
                )
                % {
                    "org": e.org_label(),
                    "best": figure_format(best_indicator[p_key][0]),
                }
            )
    # Step 3: across organisations.
    s: dict[tuple, int] = defaultdict(int)
    best_org: dict[tuple, tuple[int, int]] = {}
    for key, value in p.items():
        s_key = key[:3] + key[4:]
        s[s_key] = s[s_key] + value if combinators.orgs == "sum" else max(s[s_key], value)
        if s_key not in best_org or value > best_org[s_key][0]:
            best_org[s_key] = (value, key[3])
    for e in explained:
        if not e.counted:
            continue
        if combinators.orgs == "sum":
            e.steps.append(_("Added to the other organisations of the sector"))
        elif best_org[_key(e.row, "s")][1] != e.row.appealing_org_id:
            e.counted = False
            e.steps.append(_("Dropped: another organisation reached more people in this sector"))
    # Step 4: a parent sector takes the max over itself and its sub-sectors.
    parent_of = {sid: pid or sid for sid, pid in Sector.objects.values_list("id", "parent_id")}
    family_size: dict[tuple, int] = defaultdict(int)
    family_best: dict[tuple, tuple[int, int]] = {}
    for (c, a, sec, g), value in s.items():
        parent = parent_of[sec]
        family_size[(c, a, parent, g)] += 1
        f_key = (c, a, parent, g)
        if f_key not in family_best or value > family_best[f_key][0]:
            family_best[f_key] = (value, sec)
    top: dict[tuple, int] = {}
    for (c, a, parent, g), (value, _sector) in family_best.items():
        top[(c, a, parent, g)] = value
    for e in explained:
        if not e.counted:
            continue
        parent = parent_of[e.row.sector_id]
        if family_size[(e.row.country_id, e.row.admin1_id, parent, e.row.population_group_id)] > 1:
            if (
                family_best[(e.row.country_id, e.row.admin1_id, parent, e.row.population_group_id)][
                    1
                ]
                == e.row.sector_id
            ):
                e.steps.append(_("Kept: the largest of the sector and its sub-sectors"))
            else:
                e.counted = False
                e.steps.append(
                    _("Dropped: a related sub-sector or its parent sector reached more people")
                )
    # Step 5: across sectors, per place and population group.
    best_sector: dict[tuple, tuple[int, int]] = {}
    for (c, a, parent, g), value in top.items():
        x_key = (c, a, g)
        if x_key not in best_sector or value > best_sector[x_key][0]:
            best_sector[x_key] = (value, parent)
    figure_by_place: dict[tuple, int] = defaultdict(int)
    for (c, a, _parent, g), value in top.items():
        x_key = (c, a, g)
        if combinators.sectors == "sum":
            figure_by_place[x_key] += value
        else:
            figure_by_place[x_key] = max(figure_by_place[x_key], value)
    for e in explained:
        if not e.counted or sector is not None:
            continue
        parent = e.row.sector.parent_id or e.row.sector_id
        x_key = (e.row.country_id, e.row.admin1_id, e.row.population_group_id)
        if combinators.sectors == "sum":
            e.steps.append(_("Sectors added up"))
        elif best_sector[x_key][1] == parent:
            e.steps.append(_("Kept: the sector that reached most people here"))
        else:
            e.counted = False
            e.steps.append(
                _("Dropped: another sector reached more people in this place and population group")
            )
    figure = sum(top.values()) if sector is not None else sum(figure_by_place.values())
    return figure, explained


def _key(row: Any, level: str) -> tuple:
    full = (
        row.country_id,
        row.admin1_id,
        row.sector_id,
        row.appealing_org_id,
        row.indicator_id,
        row.population_group_id,
    )
    if level == "i":
        return full
    if level == "p":
        return full[:4] + full[5:]
    return full[:3] + full[5:]
