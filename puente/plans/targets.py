"""Targets per year, country (or admin-1 area), sector (or one of its indicators) and
population group: imported from CSV/XLSX with the same contract as every import, and set,
with the people in need of the needs analysis, beside people reached."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from puente.accounts.permissions import Action, Actor, check_somewhere
from puente.core.imports import (
    ImportReport,
    ImportScope,
    RowCells,
    import_audit_record,
    write_whole_file,
)
from puente.core.tabular import Column, open_table
from puente.needs.selectors import (
    figures_at_mixed_levels,
    people_in_need_by_sector,
)
from puente.plans.codes import PlansCode
from puente.plans.models import PlanningFigure
from puente.plans.signals import targets_changed
from puente.reference.imports import ReferenceKeys

PLANNING_COLUMNS = (
    Column("year", aliases=("año", "ano")),
    Column("country", aliases=("país", "pais")),
    Column("admin1", required=False, aliases=("departamento", "estado", "provincia", "região")),
    Column("sector", aliases=("setor",)),
    Column("indicator", required=False, aliases=("indicador",)),
    Column("population_group", aliases=("grupo poblacional", "grupo populacional")),
    Column("people", aliases=("personas", "pessoas", "value", "valor")),
)


def targets_import(
    *, source: Any, filename: str, dry_run: bool = False, acting_user: Actor | None = None
) -> ImportReport:
    """Targets per year, country, admin-1 area (optional), sector, indicator (optional)
    and population group; a second import replaces the figures it names. Targets are set
    beside the needs analysis: an acting user needs the needs role over every country of
    the file (None: the command line)."""
    report = ImportReport(dry_run=dry_run)
    scope = ImportScope(acting_user, Action.MANAGE_NEEDS)
    if not scope.anywhere(report):
        return report
    table = open_table(source, filename=filename, columns=PLANNING_COLUMNS, report=report)
    if table is None:
        return report
    keys = ReferenceKeys()
    seen: dict[tuple, int] = {}
    parsed = []
    for number, raw in table:
        report.rows += 1
        cells = RowCells(report, number, raw)
        cells.required("year", "country", "sector", "population_group", "people")
        values = keys.read(cells, "year", "country", "sector", "population_group")
        scope.country(values["country"])
        values["admin1"] = keys.admin1(cells, values["country"])
        values["indicator"] = keys.indicator(cells)
        people = cells.integer("people")
        if not cells.ok:
            continue
        if not _indicator_in_sector(cells, values["indicator"], values["sector"]):
            continue
        key = (
            values["year"],
            values["country"].pk,
            values["admin1"].pk if values["admin1"] else None,
            values["sector"].pk,
            values["indicator"].pk if values["indicator"] else None,
            values["population_group"].pk,
        )
        message = _(
            "The same year, country, admin-1 area, sector, indicator and population group "
            "are already in row %(row)s."
        )
        if not cells.first_of(seen, key, "population_group", message):
            continue
        parsed.append((values, int(people or 0)))

    def write() -> None:
        for values, people in parsed:
            _obj, created = PlanningFigure.objects.update_or_create(
                kind=PlanningFigure.Kind.TARGET, **values, defaults={"people": people}
            )
            report.imported += created
            report.updated += not created
        import_audit_record(
            acting_user=acting_user, kind="targets", filename=filename, report=report
        )
        # Coverage on the dashboards reads the targets: their cached figures go.
        transaction.on_commit(lambda: targets_changed.send(sender=PlanningFigure))

    scope.refuse(report)
    return write_whole_file(report, write)


def _indicator_in_sector(cells: RowCells, indicator: Any, sector: Any) -> bool:
    """`indicator_not_in_sector`: an indicator's target is one of its own sector (or
    sub-sector)."""
    if indicator is None or sector.pk in (indicator.sector_id, indicator.subsector_id):
        return True
    code = PlansCode.INDICATOR_NOT_IN_SECTOR
    cells.invalid(
        "indicator",
        code,
        code.text(
            indicator=indicator.code,
            indicator_sector=indicator.sector.name,
            sector=sector.name,
        ),
    )
    return False


def planning_by_sector(
    *,
    year: int,
    country_ids: tuple[int, ...] | None,
    population_group_id: int | None = None,
    admin1_id: int | None = None,
) -> dict[str, dict[int, int]]:
    """{"target": {sector id: people}, "in-need": {sector id: people}} summed over
    countries and population groups, each with {0: inter-sector}: as people reached are
    counted across sectors (`targets_by_country_and_sector` and the needs selectors give
    the rule, Common Services out of it).

    For an admin-1 area, the figures of that area only: its targets and its people in
    need, where they are given per area. A country's figure is never shown as its
    area's."""
    in_need = people_in_need_by_sector(
        year=year,
        country_ids=country_ids,
        population_group_id=population_group_id,
        admin1_id=admin1_id,
    )
    targets: dict[int, int] = {}
    for (_country, sector), people in targets_by_country_and_sector(
        year=year,
        country_ids=country_ids,
        population_group_id=population_group_id,
        admin1_id=admin1_id,
    ).items():
        targets[sector] = targets.get(sector, 0) + people
    return {"target": targets, "in-need": in_need}


def _target_figures(
    *,
    year: int,
    country_ids: tuple[int, ...] | None,
    population_group_id: int | None,
    admin1_id: int | None,
) -> Any:
    figures = PlanningFigure.objects.filter(year=year, kind=PlanningFigure.Kind.TARGET)
    if country_ids is not None:
        figures = figures.filter(country_id__in=country_ids)
    if population_group_id is not None:
        figures = figures.filter(population_group_id=population_group_id)
    if admin1_id is not None:
        figures = figures.filter(admin1_id=admin1_id)
    return figures


def targets_by_country_and_sector(
    *,
    year: int,
    country_ids: tuple[int, ...] | None = None,
    population_group_id: int | None = None,
    admin1_id: int | None = None,
) -> dict[tuple[int, int], int]:
    """{(country id, sector id or INTER_SECTOR): people targeted}, summed over population
    groups, from the targets without an indicator (an indicator's target may count
    outputs, not people). Targets given per admin-1 area and for the whole country
    count as people in need at mixed levels (`figures_at_mixed_levels`): a sector's
    target sums its areas, or is its country-wide target, the larger where both are
    given; the inter-sector target takes, per area and population group, the largest
    sector's target, sums the areas, and is never below a sector's country-wide target,
    as people reached are counted across sectors. Sectors out of inter-sector figures
    (Common Services) keep their own target and take no part in it. `admin1_id`: the
    targets of that area alone. Every door reads targets here (docs/methodology.md)."""
    figures = _target_figures(
        year=year,
        country_ids=country_ids,
        population_group_id=population_group_id,
        admin1_id=admin1_id,
    ).filter(indicator__isnull=True)
    return figures_at_mixed_levels(
        figures.values_list(
            "country_id",
            "admin1_id",
            "sector_id",
            "population_group_id",
            "people",
            "sector__in_intersector",
            "sector__parent__in_intersector",
        )
    )


def targets_by_indicator(
    *,
    year: int,
    country_ids: tuple[int, ...] | None = None,
    population_group_id: int | None = None,
    admin1_id: int | None = None,
) -> dict[int, int]:
    """{indicator id: target} of the indicators' own targets, summed over countries and
    population groups; per country, areas and the whole country as a sector's target
    (`figures_at_mixed_levels`). `admin1_id`: the targets of that area alone."""
    figures = _target_figures(
        year=year,
        country_ids=country_ids,
        population_group_id=population_group_id,
        admin1_id=admin1_id,
    ).filter(indicator__isnull=False)
    totals: dict[int, int] = {}
    for (_country, indicator), people in figures_at_mixed_levels(
        (country, admin1, indicator, group, people, False, None)
        for country, admin1, indicator, group, people in figures.values_list(
            "country_id", "admin1_id", "indicator_id", "population_group_id", "people"
        )
    ).items():
        totals[indicator] = totals.get(indicator, 0) + people
    return totals


def targets_level(
    *, year: int, country_ids: tuple[int, ...] | None, admin1_id: int | None
) -> str | None:
    """The level the targets shown are set at: "country" for a country or the region,
    "admin1" for an admin-1 area with targets of its own, None for an area without any
    (a country's targets are never shown as its area's)."""
    if admin1_id is None:
        return "country"
    figures = PlanningFigure.objects.filter(
        year=year, kind=PlanningFigure.Kind.TARGET, admin1_id=admin1_id
    )
    if country_ids is not None:
        figures = figures.filter(country_id__in=country_ids)
    return "admin1" if figures.exists() else None


@transaction.atomic
def targets_set(
    *,
    year: int,
    country: Any,
    population_group: Any,
    people: dict[Any, int],
    acting_user: Actor | None,
    source: str,
) -> int:
    """Set the targets of one population group in a country, per sector, for the whole
    country and without an indicator, leaving the other targets as they are: computed
    figures (flow monitoring's planning command, `source`) come through here, a file
    through `targets_import`."""
    from puente.core.services import audit_record

    written = 0
    for sector, figure in people.items():
        target, _created = PlanningFigure.objects.update_or_create(
            kind=PlanningFigure.Kind.TARGET,
            year=year,
            country=country,
            admin1=None,
            sector=sector,
            indicator=None,
            population_group=population_group,
            defaults={"people": figure},
        )
        target.full_clean()
        written += 1
        audit_record(
            acting_user=acting_user,
            action="targets.set",
            target=target,
            data={"source": source, "people": figure},
        )
    transaction.on_commit(lambda: targets_changed.send(sender=PlanningFigure))
    return written


def targets_read_check(user: Actor) -> None:
    """Targets are read by those who read reports somewhere, as the needs pages:
    PermissionDenied for anyone else."""
    check_somewhere(user, Action.VIEW_REPORTS)


def target_rows(
    user: Actor, *, year: int, country_ids: tuple[int, ...] | None = None
) -> list[dict[str, Any]]:
    """The targets of a year as a table, in the columns the targets import reads (a
    download of it imports again unchanged); `targets_read_check` first."""
    targets_read_check(user)
    figures = PlanningFigure.objects.filter(kind=PlanningFigure.Kind.TARGET, year=year)
    if country_ids is not None:
        figures = figures.filter(country_id__in=country_ids)
    return [
        {
            "year": year,
            "country": country,
            "admin1": admin1 or "",
            "sector": sector,
            "indicator": indicator or "",
            "population_group": group,
            "people": people,
        }
        for country, admin1, sector, indicator, group, people in figures.order_by(
            "country__iso3",
            F("admin1__iso_code").asc(nulls_first=True),
            "sector__position",
            F("indicator__code").asc(nulls_first=True),
            "population_group__code",
        ).values_list(
            "country__iso3",
            "admin1__iso_code",
            "sector__code",
            "indicator__code",
            "population_group__code",
            "people",
        )
    ]
