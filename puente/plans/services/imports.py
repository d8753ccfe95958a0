"""A plan loaded from one flat file (docs/plans.md).

A plan file has one row per activity area, country and year (the funding the area
requires there), with the plan's own columns (header.py) repeated or given once. Loading
it again replaces the plan's objectives, activity areas, requirements and targets;
partners' entries are kept."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from puente.accounts.permissions import Action, Actor
from puente.core.codes import CoreCode
from puente.core.imports import (
    ImportReport,
    ImportScope,
    RowCells,
    import_audit_record,
    write_whole_file,
)
from puente.core.tabular import Column, normalize_value, open_table
from puente.plans.codes import PlansCode
from puente.plans.models import ActivityArea, AreaRequirement, CountryTarget, Objective, Plan
from puente.plans.services.header import PLAN_FIELDS, Consistent, plan_header, plan_save
from puente.reference.imports import ReferenceKeys
from puente.reference.models import Country

PLAN_COLUMNS = (
    Column("plan", aliases=("plan code", "plano")),
    Column("plan_name", required=False),
    Column("plan_name_es", required=False),
    Column("plan_name_pt", required=False),
    Column("plan_kind", required=False),
    Column("organisation", required=False, aliases=("organización", "organização")),
    Column("start_year", required=False),
    Column("end_year", required=False),
    Column("countries", required=False, aliases=("países", "paises")),
    Column("figures_as_of", required=False),
    Column("long_term_share", required=False),
    Column("status", required=False),
    Column("source", required=False, aliases=("fuente", "fonte")),
    Column("split", required=False, aliases=("desglose", "distribución", "distribuição")),
    Column("part_of", required=False, aliases=("parte de",)),
    Column("objective", required=False, aliases=("objetivo",)),
    Column("objective_title", required=False),
    Column("objective_title_es", required=False),
    Column("objective_title_pt", required=False),
    Column("activity_area", required=False, aliases=("área de actividad", "área de atividade")),
    Column("activity_area_name", required=False),
    Column("activity_area_name_es", required=False),
    Column("activity_area_name_pt", required=False),
    Column("priority", required=False, aliases=("prioridad", "prioridade")),
    Column("sector", required=False, aliases=("setor",)),
    Column("planned_activities", required=False),
    Column("planned_activities_es", required=False),
    Column("planned_activities_pt", required=False),
    Column("year", aliases=("año", "ano")),
    Column("country", required=False, aliases=("país", "pais")),
    Column("requirement_usd", required=False, aliases=("requirement", "requerimiento")),
    Column("people_targeted", required=False, aliases=("targeted", "personas meta")),
)
AREA_FIELDS = (
    "objective",
    "activity_area_name",
    "activity_area_name_es",
    "activity_area_name_pt",
    "priority",
    "sector",
    "planned_activities",
    "planned_activities_es",
    "planned_activities_pt",
)
# The texts of an activity area (its objective, sector and priority are read as values).
AREA_TEXTS = (
    "activity_area_name",
    "activity_area_name_es",
    "activity_area_name_pt",
    "planned_activities",
    "planned_activities_es",
    "planned_activities_pt",
)
OBJECTIVE_FIELDS = ("objective_title", "objective_title_es", "objective_title_pt")
# Activities within one cell of a plan file are separated by line breaks or " | ".
ACTIVITY_SEPARATOR = " | "


def _activities(text: str) -> str:
    parts = [p.strip() for chunk in text.splitlines() for p in chunk.split("|")]
    return "\n".join(p for p in parts if p)


def plan_import(
    *, source: Any, filename: str, dry_run: bool = False, acting_user: Actor | None = None
) -> ImportReport:
    """Create or replace one plan from a flat file (docs/plans.md). Loading a plan
    rewrites it in every country it names and every country it named before, so an
    acting user needs the plans role over all of them (None: the command line)."""
    report = ImportReport(dry_run=dry_run)
    scope = ImportScope(acting_user, Action.MANAGE_PLANS)
    if not scope.anywhere(report):
        return report
    table = open_table(source, filename=filename, columns=PLAN_COLUMNS, report=report)
    if table is None:
        return report
    rows = list(table)
    given = Consistent()
    for number, raw in rows:
        cells = RowCells(report, number, raw)
        for column in PLAN_FIELDS:
            given.give(cells, column, column)
    code = given.get("plan")
    plan = Plan.objects.filter(code__iexact=code).prefetch_related("countries").first()
    header = plan_header(report, given, plan, first_row=rows[0][0] if rows else 2)
    if code:
        stored = {c.pk for c in plan.countries.all()} if plan else set()
        scope.countries(
            Country.objects.filter(pk__in=header.get("country_ids", set()) | stored),
            name=_("plan %(plan)s") % {"plan": code},
        )
    body = PlanBody(header=header, keys=ReferenceKeys())
    for number, raw in rows:
        report.rows += 1
        body.read(RowCells(report, number, raw))
    body.complete(report)

    def write() -> None:
        saved = plan_save(plan, header)
        report.updated = int(plan is not None)
        report.imported = int(plan is None)
        body.save(saved)
        import_audit_record(acting_user=acting_user, kind="plan", filename=filename, report=report)

    scope.refuse(report)
    return write_whole_file(report, write)


@dataclass
class PlanBody:
    """What the rows of a plan file hold below the plan's own fields: objectives,
    activity areas, what each area requires per country and year, and the people the
    plan targets per country and year."""

    header: dict[str, Any]
    keys: ReferenceKeys
    areas: dict[str, dict[str, Any]] = field(default_factory=dict)
    objectives: dict[int, dict[str, str]] = field(default_factory=dict)
    # (area key, country id, year) -> (amount, row)
    requirements: dict[tuple[str, int | None, int], tuple[Decimal, int]] = field(
        default_factory=dict
    )
    # (country id, year) -> (people, row)
    targets: dict[tuple[int | None, int], tuple[int, int]] = field(default_factory=dict)
    # Texts of areas and objectives, which rows may repeat.
    texts: Consistent = field(default_factory=Consistent)

    def read(self, cells: RowCells) -> None:
        """One row: its year and country within the plan, the objective and activity
        area it names, the area's requirement there and the people targeted."""
        year, country = self._year_and_country(cells)
        area_code = cells.text.get("activity_area", "")
        objective = cells.integer("objective", low=1, high=99)
        if objective is not None:
            for column in OBJECTIVE_FIELDS:
                self.texts.give(cells, ("objective", objective, column), column)
        sector = self.keys.sector(cells)
        priority = cells.yes_no("priority") if cells.text.get("priority") else None
        requirement = cells.amount("requirement_usd")
        people = cells.integer("people_targeted")
        if area_code:
            for column in AREA_FIELDS:
                self.texts.give(cells, ("area", normalize_value(area_code), column), column)
        elif requirement is not None:
            cells.error(
                "activity_area",
                CoreCode.MISSING_REQUIRED,
                _("A requirement belongs to an activity area: fill “activity_area”."),
            )
        if not cells.ok or year is None:
            return
        if objective is not None:
            self.objectives.setdefault(objective, {})
        if area_code:
            area = self.areas.setdefault(
                normalize_value(area_code), {"code": area_code, "position": len(self.areas) + 1}
            )
            for name, value in (("objective", objective), ("sector", sector)):
                if value is not None:
                    area[name] = value
            if priority is not None:
                area["priority"] = priority
        country_id = country.pk if country else None
        if requirement is not None and not self._requirement(
            cells, (normalize_value(area_code), country_id, year), requirement
        ):
            return
        if people is not None:
            self._target(cells, (country_id, year), people)

    def _year_and_country(self, cells: RowCells) -> tuple[int | None, Country | None]:
        """`missing_required`, `invalid_year`, `year_outside_plan`, `unknown_country`,
        `country_outside_plan`."""
        cells.required("year")
        year = cells.year()
        years = self.header.get("years")
        if year is not None and years and year not in years:
            cells.error(
                "year",
                PlansCode.YEAR_OUTSIDE_PLAN,
                _("%(year)s is outside the plan's years %(first)s–%(last)s.")
                % {"year": year, "first": years[0], "last": years[-1]},
                str(year),
            )
        country = self.keys.country(cells)
        plan_countries = self.header.get("country_ids", set())
        if country is not None and plan_countries and country.pk not in plan_countries:
            cells.invalid(
                "country",
                PlansCode.COUNTRY_OUTSIDE_PLAN,
                _("%(country)s is not one of the countries of plan %(plan)s.")
                % {"country": country.name, "plan": self.header["code"]},
            )
        return year, country

    def _requirement(
        self, cells: RowCells, key: tuple[str, int | None, int], amount: Decimal
    ) -> bool:
        """`duplicate_row`: one requirement per activity area, country and year."""
        if key in self.requirements:
            cells.error(
                "requirement_usd",
                CoreCode.DUPLICATE_ROW,
                _("The same activity area, country and year are already in row %(row)s.")
                % {"row": self.requirements[key][1]},
            )
            return False
        self.requirements[key] = (amount, cells.number)
        return True

    def _target(self, cells: RowCells, key: tuple[int | None, int], people: int) -> None:
        """`plan_mismatch`: one figure of people targeted per country and year."""
        first = self.targets.setdefault(key, (people, cells.number))
        if first[0] != people:
            cells.error(
                "people_targeted",
                PlansCode.PLAN_MISMATCH,
                _("“%(value)s” differs from “%(first)s” given in row %(row)s.")
                % {"value": people, "first": first[0], "row": first[1]},
                str(people),
            )

    def complete(self, report: ImportReport) -> None:
        """The texts of each area and objective, from whichever rows gave them;
        `missing_required` for an activity area no row names."""
        for area_key, area in self.areas.items():
            for column in AREA_TEXTS:
                area[column] = self.texts.get(("area", area_key, column))
            if not area["activity_area_name"]:
                report.error(
                    None,
                    "activity_area_name",
                    CoreCode.MISSING_REQUIRED,
                    _("The activity area “%(value)s” has no name.") % {"value": area["code"]},
                )
        for number, titles in self.objectives.items():
            for column in OBJECTIVE_FIELDS:
                titles[column] = self.texts.get(("objective", number, column))

    def save(self, plan: Plan) -> None:
        """Replace the plan's objectives, activity areas, requirements and targets."""
        plan.objectives.all().delete()
        plan.country_targets.all().delete()
        plan.activity_areas.all().delete()
        objectives = {
            n: Objective.objects.create(
                plan=plan,
                number=n,
                title_en=t["objective_title"] or str(n),
                title_es=t["objective_title_es"],
                title_pt=t["objective_title_pt"],
            )
            for n, t in sorted(self.objectives.items())
        }
        areas = {}
        for key, area in self.areas.items():
            areas[key] = ActivityArea.objects.create(
                plan=plan,
                code=area["code"],
                objective=objectives.get(area.get("objective")),  # type: ignore[arg-type]
                sector=area.get("sector"),
                priority=bool(area.get("priority")),
                name_en=area["activity_area_name"],
                name_es=area["activity_area_name_es"],
                name_pt=area["activity_area_name_pt"],
                planned_activities=_activities(area["planned_activities"]),
                planned_activities_es=_activities(area["planned_activities_es"]),
                planned_activities_pt=_activities(area["planned_activities_pt"]),
                position=area["position"],
            )
        AreaRequirement.objects.bulk_create(
            AreaRequirement(
                activity_area=areas[area_key],
                country_id=country_id,
                year=year,
                requirement_usd=amount,
            )
            for (area_key, country_id, year), (amount, _n) in self.requirements.items()
        )
        CountryTarget.objects.bulk_create(
            CountryTarget(plan=plan, country_id=country_id, year=year, people_targeted=people)
            for (country_id, year), (people, _n) in self.targets.items()
        )
