"""The XLSX a partner fills with its entries in an inter-agency plan: the entries sheet
with drop-down lists (its organisations, the plan's countries, sectors, years, draft or
submitted), whole-number checks on the amounts and targets, and instructions in the
user's language. `entry_imports.plan_entries_import` reads it back."""

from __future__ import annotations

import io
from collections.abc import Iterable

import xlsxwriter
from django.utils.translation import gettext as _
from xlsxwriter.utility import xl_col_to_name

from puente.partners.models import Organisation
from puente.plans.models import Plan
from puente.plans.services.entry_imports import TARGET_PREFIX, plan_entry_columns
from puente.reference.models import PopulationGroup, Sector

TEMPLATE_ROWS = 1000


def plan_entry_template_build(*, plan: Plan, organisations: Iterable[Organisation]) -> bytes:
    """The template for `plan`, offering the organisations given (those the user writes
    entries for)."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet(_("Plan entries")[:31])
    instructions = book.add_worksheet(_("Instructions")[:31])
    lists = book.add_worksheet("lists")
    bold = book.add_format({"bold": True, "bg_color": "#EEF1F5", "border": 1})
    wrap = book.add_format({"text_wrap": True, "valign": "top"})

    names = [c.name for c in plan_entry_columns()]
    choices = {
        "plan": [plan.code],
        "organisation": sorted(o.acronym for o in organisations),
        "country": sorted(c.iso3 for c in plan.countries.all()),
        "sector": [s.code for s in Sector.objects.all()],
        "year": [str(y) for y in plan.years],
        "status": ["draft", "submitted"],
    }
    for index, (name, values) in enumerate(choices.items()):
        lists.write(0, index, name, bold)
        lists.write_column(1, index, values)
        letter = xl_col_to_name(index)
        if not values:
            continue
        column = names.index(name)
        sheet.data_validation(
            1,
            column,
            TEMPLATE_ROWS,
            column,
            {
                "validate": "list",
                "source": f"=lists!${letter}$2:${letter}${len(values) + 1}",
                "error_title": name,
                "error_message": _("Choose a value from the list."),
            },
        )
    lists.hide()

    sheet.write_row(0, 0, names, bold)
    sheet.freeze_panes(1, 0)
    sheet.set_column(0, len(names) - 1, 16)
    sheet.set_column(names.index("activities"), names.index("activities"), 40)
    for name in names:
        if name == "requirement_usd" or name.startswith(TARGET_PREFIX):
            column = names.index(name)
            sheet.data_validation(
                1,
                column,
                TEMPLATE_ROWS,
                column,
                {
                    "validate": "decimal" if name == "requirement_usd" else "integer",
                    "criteria": ">=",
                    "value": 0,
                    "error_message": _("A number, zero or more."),
                },
            )

    groups = ", ".join(
        f"{TARGET_PREFIX}{g.code} ({g.name})" for g in PopulationGroup.objects.order_by("pk")
    )
    lines = [
        _("Entries in %(plan)s") % {"plan": plan.name},
        "",
        _(
            "Fill one row per organisation, country, sector and year in the sheet “%(sheet)s”. "
            "Do not rename or move its columns."
        )
        % {"sheet": _("Plan entries")[:31]},
        _("requirement_usd: the funding the organisation requires there, in US dollars."),
        _("activities: what the organisation plans to do, in a few lines."),
        _("status: draft keeps the entry for you to finish; submitted sends it for review."),
        _("People targeted by population group, each optional: %(groups)s.") % {"groups": groups},
        "",
        _(
            "Upload the file on the plan's page, or run: puente import plan-entries FILE. "
            "When a row is wrong, the report names its row and column and nothing of the "
            "file is written; an entry already approved is changed only after the "
            "coordinator returns it."
        ),
    ]
    instructions.set_column(0, 0, 110)
    for row, line in enumerate(lines):
        instructions.write(row, 0, line, wrap)
    book.close()
    return buffer.getvalue()
