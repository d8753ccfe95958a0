"""Imports of the needs analysis. A file replaces the figures of each year and country it
contains, so a corrected RMNA is loaded again whole; other years are kept."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from puente.accounts.permissions import Action, Actor
from puente.core.imports import (
    ImportReport,
    ImportScope,
    RowCells,
    import_audit_record,
    write_whole_file,
)
from puente.core.tabular import Column, open_table
from puente.needs.codes import NeedsCode
from puente.needs.models import NeedFigure, PopulationFigure
from puente.needs.signals import needs_changed
from puente.reference.codes import ReferenceCode
from puente.reference.imports import ReferenceKeys
from puente.reference.models import Sector

YEAR = Column("year", aliases=("año", "ano"))
COUNTRY = Column("country", aliases=("país", "pais"))
SECTOR = Column("sector", aliases=("setor",))
POPULATION_GROUP = Column("population_group", aliases=("grupo poblacional", "grupo populacional"))

NEED_COLUMNS = (
    YEAR,
    COUNTRY,
    Column("admin1", required=False, aliases=("departamento", "estado", "provincia", "região")),
    SECTOR,
    POPULATION_GROUP,
    Column(
        "people_in_need",
        aliases=("pin", "people", "personas con necesidades", "pessoas com necessidades"),
    ),
    Column("severity", required=False, aliases=("severidad", "severidade")),
)
POPULATION_COLUMNS = (
    YEAR,
    COUNTRY,
    POPULATION_GROUP,
    Column("population", aliases=("población", "população", "people")),
    Column("regular", required=False, aliases=("situación regular", "situação regular")),
    Column("irregular", required=False, aliases=("situación irregular", "situação irregular")),
)


def needs_import(
    *, source: Any, filename: str, dry_run: bool = False, acting_user: Actor | None = None
) -> ImportReport:
    """People in need per year, country, admin1 (optional), sector and population group."""
    report = ImportReport(dry_run=dry_run)
    scope = ImportScope(acting_user, Action.MANAGE_NEEDS)
    if not scope.anywhere(report):
        return report
    table = open_table(source, filename=filename, columns=NEED_COLUMNS, report=report)
    if table is None:
        return report
    keys = ReferenceKeys()
    seen: dict[tuple, int] = {}
    levels: dict[tuple, tuple[bool, int]] = {}
    figures: list[NeedFigure] = []
    for number, raw in table:
        report.rows += 1
        cells = RowCells(report, number, raw)
        figure = _need_read(cells, keys, scope, seen=seen, levels=levels)
        if figure is not None:
            figures.append(figure)

    def write() -> None:
        replaced = {(f.year, f.country_id) for f in figures}
        for year, country_id in replaced:
            report.updated += NeedFigure.objects.filter(year=year, country_id=country_id).delete()[
                0
            ]
        NeedFigure.objects.bulk_create(figures, batch_size=2000)
        report.imported = len(figures)
        import_audit_record(acting_user=acting_user, kind="needs", filename=filename, report=report)
        # The dashboards' reach of need reads these figures: their cached pages go.
        transaction.on_commit(lambda: needs_changed.send(sender=NeedFigure))

    scope.refuse(report)
    return write_whole_file(report, write)


def _need_read(
    cells: RowCells,
    keys: ReferenceKeys,
    scope: ImportScope,
    *,
    seen: dict[tuple, int],
    levels: dict[tuple, tuple[bool, int]],
) -> NeedFigure | None:
    """One row of a needs file as a figure, or None when it has errors (each in the
    report). `seen` keeps the first row of each figure, `levels` whether each sector and
    population group of a country is given per admin-1 area or for the whole country."""
    cells.required("year", "country", "sector", "population_group", "people_in_need")
    values = keys.read(cells, "year", "country", "sector", "population_group")
    scope.country(values["country"])
    admin1 = keys.admin1(cells, values["country"])
    people = cells.integer("people_in_need")
    severity = cells.integer("severity", low=1, high=5)
    if not cells.ok:
        return None
    if not _takes_need(values["sector"]):
        cells.invalid(
            "sector",
            NeedsCode.SECTOR_WITHOUT_NEED,
            NeedsCode.SECTOR_WITHOUT_NEED.text(sector=_sector_label(values["sector"])),
        )
        return None
    key = (
        values["year"],
        values["country"].pk,
        admin1.pk if admin1 else None,
        values["sector"].pk,
        values["population_group"].pk,
    )
    if not cells.first_of(seen, key, "population_group"):
        return None
    # One sector's need in one country is given per admin1 or for the whole country,
    # never both: the two would be added up.
    first = levels.setdefault(key[:2] + key[3:], (admin1 is None, cells.number))
    if first[0] != (admin1 is None):
        cells.error(
            "admin1",
            NeedsCode.MIXED_ADMIN_LEVELS,
            _(
                "Row %(row)s gives this sector and population group for the whole "
                "country and this row for an admin-1 area: use one level."
            )
            % {"row": first[1]},
            cells.text.get("admin1", ""),
        )
        return None
    return NeedFigure(
        year=values["year"],
        country=values["country"],
        admin1=admin1,
        sector=values["sector"],
        population_group=values["population_group"],
        people_in_need=people,
        severity=severity,
    )


def _takes_need(sector: Sector) -> bool:
    """A sector out of inter-sector figures (Common Services, or a sub-sector of it) has
    no people in need."""
    return sector.in_intersector and (sector.parent is None or sector.parent.in_intersector)


def _sector_label(sector: Sector) -> str:
    return f"{sector.name} ({sector.code})"


def population_import(
    *, source: Any, filename: str, dry_run: bool = False, acting_user: Actor | None = None
) -> ImportReport:
    """Population figures per year, country and population group, with legal status."""
    report = ImportReport(dry_run=dry_run)
    scope = ImportScope(acting_user, Action.MANAGE_NEEDS)
    if not scope.anywhere(report):
        return report
    table = open_table(source, filename=filename, columns=POPULATION_COLUMNS, report=report)
    if table is None:
        return report
    keys = ReferenceKeys()
    seen: dict[tuple, int] = {}
    figures: list[PopulationFigure] = []
    for number, raw in table:
        report.rows += 1
        cells = RowCells(report, number, raw)
        cells.required("year", "country", "population_group", "population")
        values = keys.read(cells, "year", "country", "population_group")
        scope.country(values["country"])
        population = cells.integer("population")
        regular = cells.integer("regular")
        irregular = cells.integer("irregular")
        if not cells.ok:
            continue
        if (regular or 0) + (irregular or 0) > population:
            cells.error(
                "irregular",
                NeedsCode.STATUS_ABOVE_POPULATION,
                NeedsCode.STATUS_ABOVE_POPULATION.message,
            )
            continue
        key = (values["year"], values["country"].pk, values["population_group"].pk)
        if not cells.first_of(seen, key, "population_group"):
            continue
        figures.append(
            PopulationFigure(
                year=values["year"],
                country=values["country"],
                population_group=values["population_group"],
                population=population,
                regular=regular,
                irregular=irregular,
            )
        )

    def write() -> None:
        for year, country_id in {(f.year, f.country_id) for f in figures}:
            report.updated += PopulationFigure.objects.filter(
                year=year, country_id=country_id
            ).delete()[0]
        PopulationFigure.objects.bulk_create(figures)
        report.imported = len(figures)
        import_audit_record(
            acting_user=acting_user, kind="population", filename=filename, report=report
        )

    scope.refuse(report)
    return write_whole_file(report, write)


@transaction.atomic
def transit_figures_set(
    *,
    year: int,
    country: Any,
    population_group: Any,
    population: int,
    people_in_need: dict[Any, int],
    acting_user: Actor | None,
    source: str,
) -> dict[str, int]:
    """Set one population group's population and its people in need per sector for a
    whole country (no admin-1 detail), leaving every other figure of the year as it is.
    Computed figures (flow monitoring's planning command, `source`) come through here, a
    file through `needs_import`. A sector the needs analysis gives per admin-1 area for
    the group is refused (`mixed_admin_levels`): the two levels would be added up, and
    so is a group that does not apply in the country (`population_group_not_in_country`)."""
    from puente.core.services import audit_record

    if not population_group.countries.filter(pk=country.pk).exists():
        raise ReferenceCode.POPULATION_GROUP_NOT_IN_COUNTRY.error(
            group=population_group.name, country=country.name
        )
    without = [_sector_label(s) for s in people_in_need if not _takes_need(s)]
    if without:
        raise NeedsCode.SECTOR_WITHOUT_NEED.error(sector=", ".join(without))
    by_area = set(
        NeedFigure.objects.filter(
            year=year,
            country=country,
            population_group=population_group,
            sector__in=list(people_in_need),
            admin1__isnull=False,
        ).values_list("sector__code", flat=True)
    )
    if by_area:
        raise NeedsCode.MIXED_ADMIN_LEVELS.error(sectors=", ".join(sorted(by_area)))
    figure, _created = PopulationFigure.objects.update_or_create(
        year=year,
        country=country,
        population_group=population_group,
        defaults={"population": population},
    )
    figure.full_clean()
    for sector, people in people_in_need.items():
        need, _created = NeedFigure.objects.update_or_create(
            year=year,
            country=country,
            admin1=None,
            sector=sector,
            population_group=population_group,
            defaults={"people_in_need": people},
        )
        need.full_clean()
    audit_record(
        acting_user=acting_user,
        action="needs.figures_set",
        target=figure,
        data={
            "source": source,
            "population": population,
            "people_in_need": {s.code: n for s, n in people_in_need.items()},
        },
    )
    transaction.on_commit(lambda: needs_changed.send(sender=NeedFigure))
    return {"population": population, "sectors": len(people_in_need)}
