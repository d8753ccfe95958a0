"""The XLSX template a partner fills for one country: the 5W sheet with drop-down lists
(admin-1, organisations, indicators, population groups, modalities, yes/no, and the code
lists of cash and voucher rows: delivery mechanism, conditionality, restriction) and an
instructions sheet in the user's language."""

from __future__ import annotations

import io

import xlsxwriter
from django.utils.translation import gettext as _
from xlsxwriter.utility import xl_col_to_name

from puente.partners.models import Organisation
from puente.reference.models import Country, Indicator, PopulationGroup
from puente.reference.selectors import indicators_in_force
from puente.reporting.models import Modality
from puente.reporting.services.columns import (
    COLUMN_NAMES,
    Conditionality,
    DeliveryMechanism,
    Restriction,
)

TEMPLATE_ROWS = 2000


def template_build(*, country: Country) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet("5W")
    instructions = book.add_worksheet(_("Instructions")[:31])
    indicators_sheet = book.add_worksheet(_("Indicators")[:31])
    lists = book.add_worksheet("lists")
    bold = book.add_format({"bold": True, "bg_color": "#EEF1F5", "border": 1})
    wrap = book.add_format({"text_wrap": True, "valign": "top"})

    areas = sorted(a.name for a in country.admin1_areas.all())
    orgs = sorted(Organisation.objects.filter(countries=country).values_list("acronym", flat=True))
    # Only what a row of this country may name: the indicators in force there (any year)
    # and the population groups that apply there (reference data).
    in_force = indicators_in_force()
    indicators = [
        indicator
        for indicator in Indicator.objects.select_related("sector", "subsector").order_by("code")
        if (places := in_force[indicator.pk][2]) is None or country.pk in places
    ]
    groups = [g.code for g in PopulationGroup.objects.filter(countries=country)]
    modalities = [value for value, _label in Modality.choices]
    yes_no = [_("yes"), _("no")]
    columns = {
        "country": [country.iso3],
        "admin1": areas,
        "appealing_org": orgs,
        "implementing_org": orgs,
        "indicator": [i.code for i in indicators],
        "population_group": groups,
        "modality": modalities,
        "rmrp_activity": yes_no,
        "delivery_mechanism": [value for value, _label in DeliveryMechanism.choices],
        "conditionality": [value for value, _label in Conditionality.choices],
        "restriction": [value for value, _label in Restriction.choices],
    }
    for index, (name, values) in enumerate(columns.items()):
        lists.write(0, index, name, bold)
        lists.write_column(1, index, values)
    lists.hide()

    sheet.write_row(0, 0, COLUMN_NAMES, bold)
    sheet.freeze_panes(1, 0)
    sheet.set_column(0, len(COLUMN_NAMES) - 1, 16)
    for index, name in enumerate(columns):
        values = columns[name]
        if not values:
            continue
        target = COLUMN_NAMES.index(name)
        letter = xl_col_to_name(index)
        sheet.data_validation(
            1,
            target,
            TEMPLATE_ROWS,
            target,
            {
                "validate": "list",
                "source": f"=lists!${letter}$2:${letter}${len(values) + 1}",
                "error_title": name,
                "error_message": _("Choose a value from the list."),
            },
        )
    month_column = COLUMN_NAMES.index("month")
    sheet.data_validation(
        1,
        month_column,
        TEMPLATE_ROWS,
        month_column,
        {
            "validate": "length",
            "criteria": "between",
            "minimum": 7,
            "maximum": 10,
            "input_title": "month",
            "input_message": _("Write the month as YYYY-MM."),
        },
    )
    for name in (
        "quantity",
        "total_monthly",
        "new_beneficiaries",
        "girls",
        "boys",
        "women",
        "men",
        "other",
        "disability",
    ):
        col = COLUMN_NAMES.index(name)
        sheet.data_validation(
            1,
            col,
            TEMPLATE_ROWS,
            col,
            {
                "validate": "integer",
                "criteria": ">=",
                "value": 0,
                "error_message": _("A whole number, zero or more."),
            },
        )

    indicators_sheet.write_row(
        0, 0, [_("Code"), _("Sector"), _("Indicator"), _("Unit"), _("Counts people")], bold
    )
    for row, indicator in enumerate(indicators, start=1):
        indicators_sheet.write_row(
            row,
            0,
            [
                indicator.code,
                indicator.reporting_sector.code,
                indicator.name,
                indicator.unit,
                _("yes") if indicator.counts_people else _("no"),
            ],
        )
    indicators_sheet.set_column(0, 1, 12)
    indicators_sheet.set_column(2, 2, 80)

    lines = [
        _("5W monthly report template for %(country)s") % {"country": country.name},
        "",
        _(
            "Fill one row per month, place, organisation, indicator, activity, modality and "
            "population group, in the sheet “5W”. Do not rename or move its columns."
        ),
        _("month: the month reported, as YYYY-MM (for example 2025-03)."),
        _("admin1 and admin2: the department, state or province, and the municipality."),
        _(
            "appealing_org: your organisation's acronym; implementing_org: the partner that "
            "carried out the activity, or empty when it was your organisation."
        ),
        _("indicator: a code from the sheet “Indicators”. It decides the sector."),
        _(
            "total_monthly: people reached this month. new_beneficiaries: of them, people "
            "reached for the first time this year. Girls, boys, women, men and other must add "
            "up to new_beneficiaries; disability counts persons with disabilities among them."
        ),
        _("quantity: outputs, for indicators that do not count people (kits, consultations)."),
        _(
            "modality: in-kind, cva, service, capacity-building or other. A cva row needs "
            "cva_value_usd."
        ),
        _(
            "delivery_mechanism, conditionality and restriction (optional): how cash or "
            "vouchers reached people, whether they had to do something to receive them "
            "(conditional or unconditional), and whether they could spend them on anything "
            "(unrestricted) or only on given goods or shops (restricted)."
        ),
        _("population_group: one of %(groups)s (the groups of %(country)s).")
        % {"groups": ", ".join(groups), "country": country.name},
        _(
            "Uploading a corrected file replaces the rows with the same month, place, "
            "organisations, indicator, activity, modality and population group."
        ),
    ]
    instructions.set_column(0, 0, 110)
    for row, line in enumerate(lines):
        instructions.write(row, 0, line, bold if row == 0 else wrap)
    book.close()
    return buffer.getvalue()
