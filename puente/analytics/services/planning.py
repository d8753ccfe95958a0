"""Targets per year, country, sector and population group: imported from CSV/XLSX with
the same contract as every import, and set, with the people in need of the needs
analysis, beside people reached."""

from __future__ import annotations

from pathlib import Path
from typing import IO, Any

from django.utils.translation import gettext as _

from puente.analytics.models import PlanningFigure
from puente.core.imports import ImportReport, write_whole_file
from puente.core.tabular import Column, cell_text, normalize_value, open_table, parse_number
from puente.reference.selectors import country_lookup, population_group_lookup, sector_lookup

PLANNING_COLUMNS = (
    Column("year", aliases=("año", "ano")),
    Column("country", aliases=("país", "pais")),
    Column("sector", aliases=("setor",)),
    Column("population_group", aliases=("grupo poblacional", "grupo populacional")),
    Column("people", aliases=("personas", "pessoas", "value", "valor")),
)


def _import(
    kind: str, source: IO[bytes] | Path | bytes, filename: str, dry_run: bool
) -> ImportReport:
    report = ImportReport(dry_run=dry_run)
    table = open_table(source, filename=filename, columns=PLANNING_COLUMNS, report=report)
    if table is None:
        return report
    countries, sectors, groups = country_lookup(), sector_lookup(), population_group_lookup()
    seen: dict[tuple, int] = {}
    parsed = []
    for number, raw in table:
        report.rows += 1
        values = {k: cell_text(v) for k, v in raw.items()}
        before = len(report.errors)
        for column in ("year", "country", "sector", "population_group", "people"):
            if not values.get(column):
                report.error(
                    number,
                    column,
                    "missing_required",
                    _("The column “%(column)s” is required.") % {"column": column},
                )
        year, _code = parse_number(values.get("year", ""), integer=True)
        if values.get("year") and (year is None or not 2000 <= int(year) <= 2100):
            report.error(
                number,
                "year",
                "invalid_year",
                _("“%(value)s” is not a year.") % {"value": values["year"]},
                values["year"],
            )
        country = countries.get(normalize_value(values.get("country", "")))
        if values.get("country") and country is None:
            report.error(
                number,
                "country",
                "unknown_country",
                _("“%(value)s” is not one of the response's countries.")
                % {"value": values["country"]},
                values["country"],
            )
        sector = sectors.get(normalize_value(values.get("sector", "")))
        if values.get("sector") and sector is None:
            report.error(
                number,
                "sector",
                "unknown_sector",
                _("Unknown sector “%(value)s”.") % {"value": values["sector"]},
                values["sector"],
            )
        group = groups.get(normalize_value(values.get("population_group", "")))
        if values.get("population_group") and group is None:
            report.error(
                number,
                "population_group",
                "unknown_population_group",
                _("“%(value)s” is not a population group.") % {"value": values["population_group"]},
                values["population_group"],
            )
        people, code = parse_number(raw.get("people"), integer=True)
        if values.get("people") and code:
            report.error(
                number,
                "people",
                code,
                _("“%(value)s” is not a whole number of people.") % {"value": values["people"]},
                values["people"],
            )
        if len(report.errors) == before:
            key = (year, country.pk, sector.pk, group.pk)  # type: ignore[union-attr]
            if key in seen:
                report.error(
                    number,
                    "population_group",
                    "duplicate_row",
                    _(
                        "The same year, country, sector and population group are "
                        "already in row %(row)s."
                    )
                    % {"row": seen[key]},
                )
                continue
            seen[key] = number
            parsed.append((int(year or 0), country, sector, group, int(people or 0)))

    def write() -> None:
        for year, country, sector, group, people in parsed:
            _obj, created = PlanningFigure.objects.update_or_create(
                kind=kind,
                year=year,
                country=country,
                sector=sector,
                population_group=group,
                defaults={"people": people},
            )
            report.imported += created
            report.updated += not created

    return write_whole_file(report, write)


def targets_import(*, source: Any, filename: str, dry_run: bool = False) -> ImportReport:
    return _import(PlanningFigure.Kind.TARGET, source, filename, dry_run)


def planning_by_sector(
    *, year: int, country_ids: tuple[int, ...] | None, population_group_id: int | None = None
) -> dict[str, dict[int, int]]:
    """{"target": {sector id: people}, "in-need": {sector id: people}} summed over
    countries and population groups, each with {0: inter-sector}: per country and
    population group (and admin-1 area for needs) the largest sector's figure, as people
    reached are counted across sectors."""
    from puente.needs.selectors import people_in_need_by_sector

    figures = PlanningFigure.objects.filter(year=year, kind=PlanningFigure.Kind.TARGET)
    if country_ids is not None:
        figures = figures.filter(country_id__in=country_ids)
    if population_group_id is not None:
        figures = figures.filter(population_group_id=population_group_id)
    targets: dict[int, int] = {}
    inter: dict[tuple[int, int], int] = {}
    for country, sector, group, people in figures.values_list(
        "country_id", "sector_id", "population_group_id", "people"
    ):
        targets[sector] = targets.get(sector, 0) + people
        inter[(country, group)] = max(inter.get((country, group), 0), people)
    for people in inter.values():
        targets[0] = targets.get(0, 0) + people
    in_need = people_in_need_by_sector(
        year=year, country_ids=country_ids, population_group_id=population_group_id
    )
    return {"target": targets, "in-need": in_need}
