"""Partners' entries in an inter-agency plan from a spreadsheet (`puente import plan-entries
FILE`, the plan page's upload, the template of `entry_template.py`): one row per
organisation, country, sector and year, written by the same service as the entry form.

The whole file or nothing: a row the plan's rules refuse (a year outside the plan, an
approved entry, an organisation the user may not write for) is reported at its row and
column, and no entry of the file is written."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from puente.accounts.permissions import Action, Actor
from puente.core.codes import CoreCode
from puente.core.errors import ApplicationError
from puente.core.imports import (
    ImportReport,
    ImportScope,
    RollbackImport,
    RowCells,
    import_audit_record,
)
from puente.core.tabular import Column, open_table
from puente.partners.codes import PartnersCode
from puente.partners.models import Organisation
from puente.plans.codes import PlansCode
from puente.plans.models import Plan
from puente.plans.services.entries import plan_entry_save
from puente.reference.imports import ReferenceKeys
from puente.reference.models import PopulationGroup
from puente.reference.selectors import keyed_lookup

ENTRY_STATUSES = {
    "draft": False,
    "borrador": False,
    "rascunho": False,
    "submitted": True,
    "submit": True,
    "enviado": True,
    "enviada": True,
}
TARGET_PREFIX = "target_"
PLAN_ENTRY_COLUMNS = (
    Column("plan", aliases=("plano",)),
    Column("organisation", aliases=("organización", "organização", "appealing_org")),
    Column("country", aliases=("país", "pais")),
    Column("sector", aliases=("setor",)),
    Column("year", aliases=("año", "ano")),
    Column("requirement_usd", aliases=("requirement", "requerimiento", "requerimento")),
    Column("activities", required=False, aliases=("actividades", "atividades")),
    Column("status", required=False, aliases=("estado",)),
)
# Where a refusal of the entry service is reported.
COLUMN_OF_CODE: dict[str, str] = {
    PlansCode.YEAR_OUTSIDE_PLAN: "year",
    PlansCode.COUNTRY_OUTSIDE_PLAN: "country",
    PlansCode.ENTRY_APPROVED: "status",
    PlansCode.NOT_INTER_AGENCY: "plan",
    CoreCode.NEGATIVE_AMOUNT: "requirement_usd",
    CoreCode.PERMISSION_DENIED: "organisation",
}


def plan_entry_columns() -> tuple[Column, ...]:
    """The file's columns: the entry's own, then people targeted per population group
    (`target_in-destination`, ...), each optional."""
    groups = PopulationGroup.objects.order_by("pk").values_list("code", flat=True)
    return (
        *PLAN_ENTRY_COLUMNS,
        *(Column(f"{TARGET_PREFIX}{code}", required=False) for code in groups),
    )


def plan_entries_import(
    *, source: Any, filename: str, dry_run: bool = False, acting_user: Actor | None = None
) -> ImportReport:
    """Write (and, with status `submitted`, submit) the entries of the file; see the
    module's docstring. An acting user writes only for the organisations, countries and
    sectors the entry form lets them (None: the command line)."""
    report = ImportReport(dry_run=dry_run)
    scope = ImportScope(acting_user, Action.SUBMIT_PLAN)
    if not scope.anywhere(report):
        return report
    columns = plan_entry_columns()
    table = open_table(source, filename=filename, columns=columns, report=report)
    if table is None:
        return report
    keys = ReferenceKeys()
    plans = keyed_lookup(Plan.objects.filter(kind=Plan.Kind.INTER_AGENCY), "code")
    organisations = keyed_lookup(Organisation.objects.all(), "acronym", "name")
    groups = {g.code: g for g in PopulationGroup.objects.all()}
    seen: dict[tuple, int] = {}
    parsed: list[tuple[int, dict[str, Any]]] = []
    for number, raw in table:
        report.rows += 1
        cells = RowCells(report, number, raw)
        values = _row(cells, keys, plans, organisations, groups)
        if not cells.ok:
            continue
        key = tuple(values[k].pk for k in ("plan", "organisation", "country", "sector")) + (
            values["year"],
        )
        message = _(
            "The same plan, organisation, country, sector and year are already in row %(row)s."
        )
        if cells.first_of(seen, key, "sector", message):
            parsed.append((number, values))

    if report.rows == 0 and not report.errors:
        report.error(2, None, CoreCode.EMPTY_FILE, _("The file has no data rows."))
        return report
    # The rows read well go through the entry service even when others did not, so that
    # one pass reports every refusal; anything wrong and it is all rolled back.
    try:
        with transaction.atomic():
            for number, values in parsed:
                _row_save(report, number, values, acting_user)
            if report.errors or dry_run:
                raise RollbackImport
            import_audit_record(
                acting_user=acting_user, kind="plan-entries", filename=filename, report=report
            )
    except RollbackImport:
        pass
    if report.errors:
        report.imported = 0
    report.errors.sort(key=lambda e: (e.row or 0, e.column or ""))
    return report


def _row_save(
    report: ImportReport, number: int, values: dict[str, Any], acting_user: Actor | None
) -> None:
    try:
        with transaction.atomic():
            plan_entry_save(acting_user=acting_user, **values)
    except ApplicationError as exc:
        column = COLUMN_OF_CODE.get(exc.code, "organisation")
        message = str(exc.message)
        if exc.code == CoreCode.PERMISSION_DENIED:
            message = _(
                "You may not write entries of %(organisation)s in %(country)s for "
                "the sector %(sector)s."
            ) % {
                "organisation": values["organisation"].acronym,
                "country": values["country"].name,
                "sector": values["sector"].code,
            }
        report.error(number, column, exc.code, message)
    else:
        report.imported += 1


def _row(
    cells: RowCells,
    keys: ReferenceKeys,
    plans: dict[str, Plan],
    organisations: dict[str, Organisation],
    groups: dict[str, PopulationGroup],
) -> dict[str, Any]:
    cells.required("plan", "organisation", "country", "sector", "year", "requirement_usd")
    plan = cells.lookup(
        "plan",
        plans,
        PlansCode.UNKNOWN_PLAN,
        _("“%(value)s” is not an inter-agency plan."),
    )
    organisation = cells.lookup(
        "organisation",
        organisations,
        PartnersCode.UNKNOWN_ORGANISATION,
        PartnersCode.UNKNOWN_ORGANISATION.message,
    )
    references = keys.read(cells, "year", "country", "sector")
    requirement = cells.amount("requirement_usd")
    submit = False
    if cells.text.get("status"):
        submit = cells.lookup(
            "status",
            ENTRY_STATUSES,
            PlansCode.INVALID_STATUS,
            _("“%(value)s” is not draft or submitted."),
        )
    targets = {}
    for code, group in groups.items():
        column = f"{TARGET_PREFIX}{code}"
        if cells.text.get(column):
            people = cells.integer(column, low=0, high=10**10)
            if people:
                targets[group] = int(people)
                if references["country"] is not None:
                    keys.group_in_country(cells, group, references["country"], column)
    return {
        "plan": plan,
        "organisation": organisation,
        "country": references["country"],
        "sector": references["sector"],
        "year": references["year"],
        "requirement_usd": requirement,
        "activities": cells.text.get("activities", ""),
        "targets": targets,
        "submit": bool(submit),
    }
