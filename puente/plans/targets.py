"""Targets per year, country, sector and population group: imported from CSV/XLSX with
the same contract as every import, and set, with the people in need of the needs
analysis, beside people reached."""

from __future__ import annotations

from typing import Any

from django.db import transaction
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
from puente.needs.selectors import INTER_SECTOR, people_in_need_by_sector
from puente.plans.models import PlanningFigure
from puente.plans.signals import targets_changed
from puente.reference.imports import ReferenceKeys

PLANNING_COLUMNS = (
    Column("year", aliases=("año", "ano")),
    Column("country", aliases=("país", "pais")),
    Column("sector", aliases=("setor",)),
    Column("population_group", aliases=("grupo poblacional", "grupo populacional")),
    Column("people", aliases=("personas", "pessoas", "value", "valor")),
)


def targets_import(
    *, source: Any, filename: str, dry_run: bool = False, acting_user: Actor | None = None
) -> ImportReport:
    """Targets per year, country, sector and population group; a second import replaces
    the figures it names. Targets are set beside the needs analysis: an acting user needs
    the needs role over every country of the file (None: the command line)."""
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
        people = cells.integer("people")
        if not cells.ok:
            continue
        key = (
            values["year"],
            values["country"].pk,
            values["sector"].pk,
            values["population_group"].pk,
        )
        message = _(
            "The same year, country, sector and population group are already in row %(row)s."
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

    For an admin-1 area, the figures of that area only: targets are set per country, so
    an area has none; people in need, where the needs analysis gives them per area. A
    country's figure is never shown as its area's."""
    in_need = people_in_need_by_sector(
        year=year,
        country_ids=country_ids,
        population_group_id=population_group_id,
        admin1_id=admin1_id,
    )
    if admin1_id is not None:
        return {"target": {}, "in-need": in_need}
    targets: dict[int, int] = {}
    for (_country, sector), people in targets_by_country_and_sector(
        year=year, country_ids=country_ids, population_group_id=population_group_id
    ).items():
        targets[sector] = targets.get(sector, 0) + people
    return {"target": targets, "in-need": in_need}


def targets_by_country_and_sector(
    *,
    year: int,
    country_ids: tuple[int, ...] | None = None,
    population_group_id: int | None = None,
) -> dict[tuple[int, int], int]:
    """{(country id, sector id or INTER_SECTOR): people targeted}, summed over population
    groups. The inter-sector target takes, per country and population group, the largest
    sector's target and sums those over groups, as people reached are counted across
    sectors; sectors out of inter-sector figures (Common Services) keep their own target
    and take no part in it. Every door reads targets here (docs/methodology.md)."""
    figures = PlanningFigure.objects.filter(year=year, kind=PlanningFigure.Kind.TARGET)
    if country_ids is not None:
        figures = figures.filter(country_id__in=country_ids)
    if population_group_id is not None:
        figures = figures.filter(population_group_id=population_group_id)
    result: dict[tuple[int, int], int] = {}
    largest: dict[tuple[int, int], int] = {}
    for country, sector, group, people, counted, parent_counted in figures.values_list(
        "country_id",
        "sector_id",
        "population_group_id",
        "people",
        "sector__in_intersector",
        "sector__parent__in_intersector",
    ):
        result[(country, sector)] = result.get((country, sector), 0) + people
        if counted and parent_counted is not False:
            largest[(country, group)] = max(largest.get((country, group), 0), people)
    for (country, _group), people in largest.items():
        result[(country, INTER_SECTOR)] = result.get((country, INTER_SECTOR), 0) + people
    return result


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
    """Set the targets of one population group in a country, per sector, leaving the
    other targets as they are: computed figures (flow monitoring's planning command,
    `source`) come through here, a file through `targets_import`."""
    from puente.core.services import audit_record

    written = 0
    for sector, figure in people.items():
        target, _created = PlanningFigure.objects.update_or_create(
            kind=PlanningFigure.Kind.TARGET,
            year=year,
            country=country,
            sector=sector,
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
            "sector": sector,
            "population_group": group,
            "people": people,
        }
        for country, sector, group, people in figures.order_by(
            "country__iso3", "sector__position", "population_group__code"
        ).values_list("country__iso3", "sector__code", "population_group__code", "people")
    ]
