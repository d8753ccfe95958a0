"""Writing plans: an appeal loaded from one flat file, partners' entries in an
inter-agency plan and their review, and publishing.

A plan file has one row per activity area, country and year (the funding the area
requires there), with the plan's own columns repeated or given once. Loading it again
replaces the plan's objectives, activity areas, requirements and targets; partners'
entries are kept."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from puente.accounts.permissions import Action, Target, check
from puente.core.errors import ApplicationError
from puente.core.imports import (
    ImportReport,
    ImportScope,
    RowCells,
    import_audit_record,
    write_whole_file,
)
from puente.core.services import audit_record
from puente.core.tabular import Column, normalize_value, open_table
from puente.partners.models import Organisation
from puente.plans.models import (
    ActivityArea,
    AreaRequirement,
    CountryTarget,
    EntryTarget,
    Objective,
    Plan,
    PlanEntry,
)
from puente.reference.imports import ReferenceKeys
from puente.reference.models import Country, PopulationGroup, Sector
from puente.reference.selectors import country_lookup, keyed_lookup

PLAN_FIELDS = (
    "plan",
    "plan_name",
    "plan_name_es",
    "plan_name_pt",
    "plan_kind",
    "organisation",
    "start_year",
    "end_year",
    "countries",
    "figures_as_of",
    "long_term_share",
    "status",
)
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
PLAN_KINDS = {
    "inter-agency": Plan.Kind.INTER_AGENCY,
    "interagency": Plan.Kind.INTER_AGENCY,
    "interagencial": Plan.Kind.INTER_AGENCY,
    "agency": Plan.Kind.AGENCY,
    "agencia": Plan.Kind.AGENCY,
    "agência": Plan.Kind.AGENCY,
}
# Activities within one cell of a plan file are separated by line breaks or " | ".
ACTIVITY_SEPARATOR = " | "


@dataclass
class _Consistent:
    """Values a file may repeat on many rows: the first given wins, a different one later
    is an error naming both rows."""

    values: dict[Any, tuple[str, int]] = field(default_factory=dict)

    def give(self, cells: RowCells, key: Any, column: str) -> None:
        text = cells.text.get(column, "")
        if not text:
            return
        first = self.values.setdefault(key, (text, cells.number))
        if normalize_value(first[0]) != normalize_value(text):
            cells.error(
                column,
                "plan_mismatch",
                _("“%(value)s” differs from “%(first)s” given in row %(row)s.")
                % {"value": text, "first": first[0], "row": first[1]},
                text,
            )

    def get(self, key: Any) -> str:
        return self.values.get(key, ("", 0))[0]


def _activities(text: str) -> str:
    parts = [p.strip() for chunk in text.splitlines() for p in chunk.split("|")]
    return "\n".join(p for p in parts if p)


def plan_import(
    *, source: Any, filename: str, dry_run: bool = False, acting_user: Any = None
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
    given = _Consistent()
    for number, raw in rows:
        cells = RowCells(report, number, raw)
        for column in PLAN_FIELDS:
            given.give(cells, column, column)
    code = given.get("plan")
    plan = Plan.objects.filter(code__iexact=code).prefetch_related("countries").first()
    header = _plan_header(report, given, plan, first_row=rows[0][0] if rows else 2)
    keys = ReferenceKeys()
    plan_countries: set[int] = header.get("country_ids", set())
    if code:
        stored = {c.pk for c in plan.countries.all()} if plan else set()
        scope.countries(
            Country.objects.filter(pk__in=plan_countries | stored),
            name=_("plan %(plan)s") % {"plan": code},
        )
    areas: dict[str, dict[str, Any]] = {}
    objectives: dict[int, dict[str, str]] = {}
    requirements: dict[tuple[str, int | None, int], tuple[Decimal, int]] = {}
    targets: dict[tuple[int | None, int], tuple[int, int]] = {}
    area_values = _Consistent()
    for number, raw in rows:
        report.rows += 1
        cells = RowCells(report, number, raw)
        cells.required("year")
        year = cells.year()
        if year is not None and header.get("years") and year not in header["years"]:
            cells.error(
                "year",
                "year_outside_plan",
                _("%(year)s is outside the plan's years %(first)s–%(last)s.")
                % {"year": year, "first": header["years"][0], "last": header["years"][-1]},
                str(year),
            )
        country = keys.country(cells)
        if country is not None and plan_countries and country.pk not in plan_countries:
            cells.error(
                "country",
                "country_outside_plan",
                _("%(country)s is not one of the countries of plan %(plan)s.")
                % {"country": country.name, "plan": code},
                cells.text["country"],
            )
        area_code = cells.text.get("activity_area", "")
        objective = cells.integer("objective", low=1, high=99)
        if objective is not None:
            for column in OBJECTIVE_FIELDS:
                area_values.give(cells, ("objective", objective, column), column)
        sector = keys.sector(cells)
        priority = cells.yes_no("priority") if cells.text.get("priority") else None
        requirement = cells.amount("requirement_usd")
        people = cells.integer("people_targeted")
        if area_code:
            for column in AREA_FIELDS:
                area_values.give(cells, ("area", normalize_value(area_code), column), column)
        elif requirement is not None:
            cells.error(
                "activity_area",
                "missing_required",
                _("A requirement belongs to an activity area: fill “activity_area”."),
            )
        if not cells.ok or year is None:
            continue
        if objective is not None:
            objectives.setdefault(objective, {})
        if area_code:
            area = areas.setdefault(
                normalize_value(area_code),
                {"code": area_code, "position": len(areas) + 1},
            )
            if objective is not None:
                area["objective"] = objective
            if sector is not None:
                area["sector"] = sector
            if priority is not None:
                area["priority"] = priority
        if requirement is not None:
            key = (normalize_value(area_code), country.pk if country else None, year)
            if key in requirements:
                cells.error(
                    "requirement_usd",
                    "duplicate_row",
                    _("The same activity area, country and year are already in row %(row)s.")
                    % {"row": requirements[key][1]},
                )
                continue
            requirements[key] = (requirement, number)
        if people is not None:
            target_key = (country.pk if country else None, year)
            first = targets.setdefault(target_key, (people, number))
            if first[0] != people:
                cells.error(
                    "people_targeted",
                    "plan_mismatch",
                    _("“%(value)s” differs from “%(first)s” given in row %(row)s.")
                    % {"value": people, "first": first[0], "row": first[1]},
                    str(people),
                )
    for area_key, area in areas.items():
        for column in AREA_TEXTS:
            area[column] = area_values.get(("area", area_key, column))
        if not area["activity_area_name"]:
            report.error(
                None,
                "activity_area_name",
                "missing_required",
                _("The activity area “%(value)s” has no name.") % {"value": area["code"]},
            )
    for number_key in objectives:
        for column in OBJECTIVE_FIELDS:
            objectives[number_key][column] = area_values.get(("objective", number_key, column))

    def write() -> None:
        saved = _plan_save(plan, header)
        report.updated = int(plan is not None)
        report.imported = int(plan is None)
        saved.objectives.all().delete()
        saved.country_targets.all().delete()
        saved.activity_areas.all().delete()
        objective_objects = {
            n: Objective.objects.create(
                plan=saved,
                number=n,
                title_en=t["objective_title"] or str(n),
                title_es=t["objective_title_es"],
                title_pt=t["objective_title_pt"],
            )
            for n, t in sorted(objectives.items())
        }
        area_objects = {}
        for key, area in areas.items():
            area_objects[key] = ActivityArea.objects.create(
                plan=saved,
                code=area["code"],
                objective=objective_objects.get(area.get("objective")),  # type: ignore[arg-type]
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
                activity_area=area_objects[area_key],
                country_id=country_id,
                year=year,
                requirement_usd=amount,
            )
            for (area_key, country_id, year), (amount, _n) in requirements.items()
        )
        CountryTarget.objects.bulk_create(
            CountryTarget(plan=saved, country_id=country_id, year=year, people_targeted=people)
            for (country_id, year), (people, _n) in targets.items()
        )
        import_audit_record(acting_user=acting_user, kind="plan", filename=filename, report=report)

    scope.refuse(report)
    return write_whole_file(report, write)


def _plan_header(
    report: ImportReport, given: _Consistent, plan: Plan | None, *, first_row: int
) -> dict[str, Any]:
    """The plan's own fields from the file, completed by the stored plan if there is one."""
    header: dict[str, Any] = {"code": given.get("plan")}

    def error(column: str, code: str, message: Any, value: str = "") -> None:
        report.error(first_row, column, code, message, value)

    for column in ("plan_name", "start_year", "end_year", "countries"):
        if plan is None and not given.get(column):
            error(
                column,
                "missing_required",
                _("A new plan needs “%(column)s”.") % {"column": column},
            )
    kind_text = given.get("plan_kind")
    kind = PLAN_KINDS.get(normalize_value(kind_text)) if kind_text else None
    if kind_text and kind is None:
        error(
            "plan_kind",
            "invalid_plan_kind",
            _("“%(value)s” is not inter-agency or agency.") % {"value": kind_text},
            kind_text,
        )
    header["kind"] = kind or (plan.kind if plan else Plan.Kind.AGENCY)
    organisation_text = given.get("organisation")
    header["organisation"] = plan.organisation if plan else None
    if organisation_text:
        organisation = keyed_lookup(Organisation.objects.all(), "acronym", "name").get(
            normalize_value(organisation_text)
        )
        if organisation is None:
            error(
                "organisation",
                "unknown_organisation",
                _("“%(value)s” is not an organisation of the partner directory.")
                % {"value": organisation_text},
                organisation_text,
            )
        header["organisation"] = organisation
    if (
        header["kind"] == Plan.Kind.AGENCY
        and header["organisation"] is None
        and not organisation_text
    ):
        error(
            "organisation",
            "missing_required",
            _("An agency appeal needs the appealing “organisation”."),
        )
    years = []
    for column in ("start_year", "end_year"):
        text = given.get(column)
        if text:
            value = int(text) if text.isdigit() and 2000 <= int(text) <= 2100 else None
            if value is None:
                error(
                    column, "invalid_year", _("“%(value)s” is not a year.") % {"value": text}, text
                )
            years.append(value)
        else:
            years.append(getattr(plan, column) if plan else None)
    if None not in years:
        if years[1] < years[0]:  # type: ignore[operator]
            error(
                "end_year",
                "invalid_year",
                _("The last year comes before the first."),
                str(years[1]),
            )
        else:
            first, last = int(years[0]), int(years[1])  # type: ignore[arg-type]
            header["start_year"], header["end_year"] = first, last
            header["years"] = list(range(first, last + 1))
    countries_text = given.get("countries")
    if countries_text:
        lookup = country_lookup()
        if normalize_value(countries_text) in {"all", "todos", "todas"}:
            header["country_ids"] = {c.pk for c in lookup.values()}
        else:
            ids = set()
            for part in countries_text.replace(",", ";").split(";"):
                found = lookup.get(normalize_value(part))
                if found is None and part.strip():
                    error(
                        "countries",
                        "unknown_country",
                        _("“%(value)s” is not one of the response's countries.")
                        % {"value": part.strip()},
                        part.strip(),
                    )
                elif found is not None:
                    ids.add(found.pk)
            header["country_ids"] = ids
    elif plan is not None:
        header["country_ids"] = {c.pk for c in plan.countries.all()}
    header["names"] = {
        "name_en": given.get("plan_name") or (plan.name_en if plan else ""),
        "name_es": given.get("plan_name_es") or (plan.name_es if plan else ""),
        "name_pt": given.get("plan_name_pt") or (plan.name_pt if plan else ""),
    }
    as_of = given.get("figures_as_of")
    header["figures_as_of"] = plan.figures_as_of if plan else None
    if as_of:
        cells = RowCells(report, first_row, {"figures_as_of": as_of})
        header["figures_as_of"] = cells.date("figures_as_of")
    share_text = given.get("long_term_share")
    header["long_term_share"] = plan.long_term_share if plan else None
    if share_text:
        cells = RowCells(report, first_row, {"long_term_share": share_text.rstrip("%").strip()})
        share = cells.amount("long_term_share")
        if share is not None and share > 100:
            error(
                "long_term_share",
                "out_of_range",
                _("A share is a percentage from 0 to 100."),
                share_text,
            )
        header["long_term_share"] = share
    status_text = given.get("status")
    header["status"] = plan.status if plan else Plan.Status.DRAFT
    if status_text:
        status = {
            "draft": Plan.Status.DRAFT,
            "borrador": Plan.Status.DRAFT,
            "rascunho": Plan.Status.DRAFT,
            "published": Plan.Status.PUBLISHED,
            "publicado": Plan.Status.PUBLISHED,
        }.get(normalize_value(status_text))
        if status is None:
            error(
                "status",
                "invalid_status",
                _("“%(value)s” is not draft or published.") % {"value": status_text},
                status_text,
            )
        header["status"] = status
    return header


def _plan_save(plan: Plan | None, header: dict[str, Any]) -> Plan:
    plan = plan or Plan(code=header["code"])
    plan.kind = header["kind"]
    plan.organisation = header["organisation"]
    plan.start_year, plan.end_year = header["start_year"], header["end_year"]
    plan.figures_as_of = header["figures_as_of"]
    plan.long_term_share = header["long_term_share"]
    plan.status = header["status"]
    for name, value in header["names"].items():
        setattr(plan, name, value)
    plan.full_clean(exclude=["countries"])
    plan.save()
    plan.countries.set(header["country_ids"])
    return plan


@transaction.atomic
def plan_publish(*, acting_user: Any, plan: Plan, published: bool) -> Plan:
    check(acting_user, Action.MANAGE_PLANS, None)
    plan.status = Plan.Status.PUBLISHED if published else Plan.Status.DRAFT
    plan.save(update_fields=["status", "updated_at"])
    audit_record(
        acting_user=acting_user,
        action="plan_publish" if published else "plan_unpublish",
        target=plan,
    )
    return plan


@transaction.atomic
def plan_entry_save(
    *,
    acting_user: Any,
    plan: Plan,
    organisation: Organisation,
    country: Country,
    sector: Sector,
    year: int,
    requirement_usd: Decimal,
    activities: str,
    targets: dict[PopulationGroup, int],
    submit: bool,
) -> PlanEntry:
    """A partner writes (and optionally submits) its entry for a country and sector. An
    approved entry is changed only after a coordinator returns it."""
    check(
        acting_user,
        Action.SUBMIT_PLAN,
        Target(country=country, sector=sector, organisation=organisation),
    )
    if plan.kind != Plan.Kind.INTER_AGENCY:
        raise ApplicationError(
            gettext_lazy("Only an inter-agency plan takes partners' entries."),
            code="not_inter_agency",
        )
    if year not in plan.years:
        raise ApplicationError(
            gettext_lazy("The year is outside the plan."), code="year_outside_plan"
        )
    if not plan.countries.filter(pk=country.pk).exists():
        raise ApplicationError(
            gettext_lazy("The country is not one of the plan's countries."),
            code="country_outside_plan",
        )
    if requirement_usd < 0 or any(p < 0 for p in targets.values()):
        raise ApplicationError(
            gettext_lazy("Amounts and targets cannot be negative."), code="negative_amount"
        )
    entry = (
        PlanEntry.objects.select_for_update()
        .filter(plan=plan, organisation=organisation, country=country, sector=sector, year=year)
        .first()
    )
    if entry is not None and entry.status == PlanEntry.Status.APPROVED:
        raise ApplicationError(
            gettext_lazy("This entry is approved; ask the sector coordinator to return it first."),
            code="entry_approved",
        )
    entry = entry or PlanEntry(
        plan=plan, organisation=organisation, country=country, sector=sector, year=year
    )
    entry.requirement_usd = requirement_usd
    entry.activities = activities.strip()
    entry.status = PlanEntry.Status.SUBMITTED if submit else PlanEntry.Status.DRAFT
    entry.full_clean()
    entry.save()
    entry.targets.all().delete()
    EntryTarget.objects.bulk_create(
        EntryTarget(entry=entry, population_group=group, people=people)
        for group, people in targets.items()
        if people
    )
    audit_record(
        acting_user=acting_user,
        action="plan_entry_submit" if submit else "plan_entry_save",
        target=entry,
        data={"requirement_usd": str(requirement_usd)},
    )
    return entry


@transaction.atomic
def plan_entry_review(
    *, acting_user: Any, entry: PlanEntry, decision: str, comment: str = ""
) -> PlanEntry:
    """The sector coordinator of the country approves a submitted entry or returns it with
    a comment."""
    check(
        acting_user,
        Action.REVIEW_PLAN,
        Target(country=entry.country, sector=entry.sector, organisation=entry.organisation),
    )
    if decision not in (PlanEntry.Status.APPROVED, PlanEntry.Status.RETURNED):
        raise ApplicationError(
            gettext_lazy("A review approves or returns."), code="invalid_decision"
        )
    if decision == PlanEntry.Status.RETURNED and not comment.strip():
        raise ApplicationError(
            gettext_lazy("Say why the entry is returned."), code="comment_required"
        )
    if entry.status != PlanEntry.Status.SUBMITTED:
        raise ApplicationError(
            gettext_lazy("Only a submitted entry can be reviewed."), code="nothing_to_review"
        )
    entry.status = decision
    entry.review_comment = comment.strip()
    entry.reviewed_by = acting_user if getattr(acting_user, "pk", None) else None
    entry.save(update_fields=["status", "review_comment", "reviewed_by", "updated_at"])
    audit_record(
        acting_user=acting_user,
        action=f"plan_entry_{decision}",
        target=entry,
        data={"comment": comment.strip()},
    )
    return entry
