"""The plan's own fields in a plan file: code, names, kind, appealing organisation, years,
countries, the date of its figures, long-term share, status, the source of its figures and
whether their split by country and activity area is published or illustrative. A file may
repeat them on every row or give them once; they are read as one row, reported at the
file's first row, and completed by the stored plan when the file leaves one out."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from puente.core.codes import CoreCode
from puente.core.imports import ImportReport, RowCells
from puente.core.tabular import normalize_value
from puente.partners.codes import PartnersCode
from puente.partners.models import Organisation
from puente.plans.codes import PlansCode
from puente.plans.models import Plan
from puente.reference.codes import ReferenceCode
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
    "source",
    "split",
    "part_of",
)
# The fields a new plan needs; a stored plan keeps its own when the file leaves them out.
NEW_PLAN_FIELDS = ("plan_name", "start_year", "end_year", "countries")
PLAN_KINDS = {
    "inter-agency": Plan.Kind.INTER_AGENCY,
    "interagency": Plan.Kind.INTER_AGENCY,
    "interagencial": Plan.Kind.INTER_AGENCY,
    "agency": Plan.Kind.AGENCY,
    "agencia": Plan.Kind.AGENCY,
    "agência": Plan.Kind.AGENCY,
}
PLAN_STATUSES = {
    "draft": Plan.Status.DRAFT,
    "borrador": Plan.Status.DRAFT,
    "rascunho": Plan.Status.DRAFT,
    "published": Plan.Status.PUBLISHED,
    "publicado": Plan.Status.PUBLISHED,
}
PLAN_SPLITS = {
    "published": Plan.Split.PUBLISHED,
    "publicado": Plan.Split.PUBLISHED,
    "publicada": Plan.Split.PUBLISHED,
    "illustrative": Plan.Split.ILLUSTRATIVE,
    "ilustrativo": Plan.Split.ILLUSTRATIVE,
    "ilustrativa": Plan.Split.ILLUSTRATIVE,
}
EVERY_COUNTRY = {"all", "todos", "todas"}


@dataclass
class Consistent:
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
                PlansCode.PLAN_MISMATCH,
                _("“%(value)s” differs from “%(first)s” given in row %(row)s.")
                % {"value": text, "first": first[0], "row": first[1]},
                text,
            )

    def get(self, key: Any) -> str:
        return self.values.get(key, ("", 0))[0]


def plan_header(
    report: ImportReport, given: Consistent, plan: Plan | None, *, first_row: int
) -> dict[str, Any]:
    """The plan's own fields from the file, completed by the stored plan if there is one."""
    texts = {column: given.get(column) for column in PLAN_FIELDS}
    texts["long_term_share"] = texts["long_term_share"].rstrip("%").strip()
    cells = RowCells(report, first_row, texts)
    for column in NEW_PLAN_FIELDS:
        if plan is None and not cells.text[column]:
            cells.error(
                column,
                CoreCode.MISSING_REQUIRED,
                _("A new plan needs “%(column)s”.") % {"column": column},
            )
    header = {
        "code": cells.text["plan"],
        **_kind_and_organisation(cells, plan),
        **_years(cells, plan),
        **_countries(cells, plan),
        "names": {
            "name_en": cells.text["plan_name"] or (plan.name_en if plan else ""),
            "name_es": cells.text["plan_name_es"] or (plan.name_es if plan else ""),
            "name_pt": cells.text["plan_name_pt"] or (plan.name_pt if plan else ""),
        },
        **_figures(cells, plan, share_text=given.get("long_term_share")),
        "status": _status(cells, plan),
        **_source(cells, plan),
    }
    header.update(_part_of(cells, plan, header["kind"]))
    return header


def _kind_and_organisation(cells: RowCells, plan: Plan | None) -> dict[str, Any]:
    """`invalid_plan_kind`, `unknown_organisation`, and `missing_required` for an
    agency appeal without its appealing organisation."""
    kind = cells.lookup(
        "plan_kind",
        PLAN_KINDS,
        PlansCode.INVALID_PLAN_KIND,
        _("“%(value)s” is not inter-agency or agency."),
    )
    kind = kind or (plan.kind if plan else Plan.Kind.AGENCY)
    organisation = plan.organisation if plan else None
    if cells.text["organisation"]:
        organisation = cells.lookup(
            "organisation",
            keyed_lookup(Organisation.objects.all(), "acronym", "name"),
            PartnersCode.UNKNOWN_ORGANISATION,
            _("“%(value)s” is not an organisation of the partner directory."),
        )
    elif kind == Plan.Kind.AGENCY and organisation is None:
        cells.error(
            "organisation",
            CoreCode.MISSING_REQUIRED,
            _("An agency appeal needs the appealing “organisation”."),
        )
    return {"kind": kind, "organisation": organisation}


def _years(cells: RowCells, plan: Plan | None) -> dict[str, Any]:
    """`invalid_year`: a first or last year that is not a year from 2000 to 2100, or a
    last year before the first."""
    years = []
    for column in ("start_year", "end_year"):
        text = cells.text[column]
        if not text:
            years.append(getattr(plan, column) if plan else None)
            continue
        value = int(text) if text.isdigit() and 2000 <= int(text) <= 2100 else None
        if value is None:
            cells.invalid(
                column, CoreCode.INVALID_YEAR, _("“%(value)s” is not a year.") % {"value": text}
            )
        years.append(value)
    first, last = years
    if first is None or last is None:
        return {}
    if last < first:
        cells.error(
            "end_year", CoreCode.INVALID_YEAR, _("The last year comes before the first."), str(last)
        )
        return {}
    return {
        "start_year": int(first),
        "end_year": int(last),
        "years": list(range(int(first), int(last) + 1)),
    }


def _countries(cells: RowCells, plan: Plan | None) -> dict[str, Any]:
    """`unknown_country` in the plan's countries (`all`: every country of the response)."""
    text = cells.text["countries"]
    if not text:
        return {"country_ids": {c.pk for c in plan.countries.all()}} if plan else {}
    lookup = country_lookup()
    if normalize_value(text) in EVERY_COUNTRY:
        return {"country_ids": {c.pk for c in lookup.values()}}
    found = cells.lookup_many(
        "countries",
        lookup,
        ReferenceCode.UNKNOWN_COUNTRY,
        _("“%(value)s” is not one of the response's countries."),
    )
    return {"country_ids": {c.pk for c in found}}


def _figures(cells: RowCells, plan: Plan | None, *, share_text: str) -> dict[str, Any]:
    """`invalid_date` for the date of the plan's figures; `not_a_number`,
    `negative_amount` and `out_of_range` for its long-term share (a percentage)."""
    figures_as_of = plan.figures_as_of if plan else None
    if cells.text["figures_as_of"]:
        figures_as_of = cells.date("figures_as_of")
    share = plan.long_term_share if plan else None
    if share_text:
        share = cells.amount("long_term_share")
        if share is not None and share > 100:
            cells.error(
                "long_term_share",
                CoreCode.OUT_OF_RANGE,
                _("A share is a percentage from 0 to 100."),
                share_text,
            )
    return {"figures_as_of": figures_as_of, "long_term_share": share}


def _status(cells: RowCells, plan: Plan | None) -> Any:
    """`invalid_status`: not draft or published."""
    if not cells.text["status"]:
        return plan.status if plan else Plan.Status.DRAFT
    return cells.lookup(
        "status",
        PLAN_STATUSES,
        PlansCode.INVALID_STATUS,
        _("“%(value)s” is not draft or published."),
    )


def _source(cells: RowCells, plan: Plan | None) -> dict[str, Any]:
    """`invalid_split`: the split by country and activity area is neither published nor
    illustrative. A stored plan keeps its source and split when the file leaves them out."""
    split = plan.split if plan else Plan.Split.PUBLISHED
    if cells.text["split"]:
        split = cells.lookup(
            "split",
            PLAN_SPLITS,
            PlansCode.INVALID_SPLIT,
            _("“%(value)s” is not published or illustrative."),
        )
    return {
        "source": cells.text["source"] or (plan.source if plan else ""),
        "split": split,
    }


def _part_of(cells: RowCells, plan: Plan | None, kind: Any) -> dict[str, Any]:
    """`unknown_plan`: the inter-agency plan an agency appeal is part of names no
    inter-agency plan; `not_an_agency_appeal` when the file's plan is not an agency appeal.
    A stored plan keeps its link when the file leaves the column out."""
    text = cells.text["part_of"]
    if not text:
        return {"part_of": plan.part_of if plan else None}
    if kind != Plan.Kind.AGENCY:
        cells.error(
            "part_of", PlansCode.NOT_AN_AGENCY_APPEAL, PlansCode.NOT_AN_AGENCY_APPEAL.text(), text
        )
        return {}
    parent = cells.lookup(
        "part_of",
        keyed_lookup(Plan.objects.filter(kind=Plan.Kind.INTER_AGENCY), "code"),
        PlansCode.UNKNOWN_PLAN,
        _("“%(value)s” is not an inter-agency plan."),
    )
    return {"part_of": parent}


def plan_save(plan: Plan | None, header: dict[str, Any]) -> Plan:
    """Create the plan, or change the stored one, from its fields in the file."""
    plan = plan or Plan(code=header["code"])
    plan.kind = header["kind"]
    plan.organisation = header["organisation"]
    plan.start_year, plan.end_year = header["start_year"], header["end_year"]
    plan.figures_as_of = header["figures_as_of"]
    plan.long_term_share = header["long_term_share"]
    plan.status = header["status"]
    plan.source = header["source"]
    plan.split = header["split"]
    plan.part_of = header.get("part_of")
    for name, value in header["names"].items():
        setattr(plan, name, value)
    plan.full_clean(exclude=["countries"])
    plan.save()
    plan.countries.set(header["country_ids"])
    return plan
