"""The rules of a 5W row, one per group of error codes (docs/imports.md, "5W row errors").

A rule reads some cells of a `Row`, resolves them against the `Lookups` loaded once per
import (validation.py), records its errors through the row's cells and keeps what it
resolved on the row for the rules after it: None there means blank or wrong, its error
already recorded. `RULES` run in order, and a row's errors are listed in that order. A
row without errors then has its key checked (`unique`) and its figures compared with
what is known of them (`WARNINGS`).

No rule queries the database: a file of 200,000 rows is checked in memory, and only a
row in error pays for translating a message.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _

from puente.core.codes import CoreCode
from puente.core.imports import Lookup, RowCells
from puente.core.tabular import normalize_value
from puente.partners.models import Organisation
from puente.reference.codes import ReferenceCode
from puente.reference.models import Admin1, Admin2, Country, Indicator, PopulationGroup
from puente.reporting.codes import ReportingCode
from puente.reporting.models import Modality
from puente.reporting.services.columns import (
    BREAKDOWN,
    NUMBER_FIELDS,
    RowKey,
    conditionality_lookup,
    delivery_mechanism_lookup,
    restriction_lookup,
)

if TYPE_CHECKING:
    from puente.reporting.services.validation import Lookups

# The columns every row fills; admin1 and the figures depend on the country and indicator.
REQUIRED = ("month", "country", "appealing_org", "indicator", "modality", "population_group")
OUTLIER_FACTOR = 10
OUTLIER_FLOOR = 100


# The cash and voucher columns read from a code list (columns.py), each with the error of
# a value outside its list.
CVA_CODE_LISTS: dict[str, tuple[Callable[[], dict[str, str]], ReportingCode]] = {
    "delivery_mechanism": (delivery_mechanism_lookup, ReportingCode.UNKNOWN_DELIVERY_MECHANISM),
    "conditionality": (conditionality_lookup, ReportingCode.UNKNOWN_CONDITIONALITY),
    "restriction": (restriction_lookup, ReportingCode.UNKNOWN_RESTRICTION),
}


@functools.cache
def _code_list(column: str) -> Lookup:
    """A column's code list by code, label (en, es, pt) or alias: a fixed list, read once
    (on first use: labels need the translations, not ready while apps load)."""
    return Lookup(CVA_CODE_LISTS[column][0]())


class Row:
    """One 5W row being checked: its cells, and what the rules resolved so far."""

    __slots__ = (
        "admin1",
        "admin2_area",
        "appealing",
        "cells",
        "country",
        "implementing",
        "indicator",
        "modality",
        "month",
        "numbers",
        "population_group",
        "rmrp",
        "text",
    )

    def __init__(self, cells: RowCells):
        self.cells = cells
        self.text = cells.text
        self.month: dt.date | None = None
        self.country: Country | None = None
        self.admin1: Admin1 | None = None
        self.admin2_area: Admin2 | None = None
        self.appealing: Organisation | None = None
        self.implementing: Organisation | None = None
        self.indicator: Indicator | None = None
        self.population_group: PopulationGroup | None = None
        self.modality: str | None = None
        self.rmrp: bool | None = True
        self.numbers: dict[str, Any] = {}

    def key(self) -> RowKey:
        """The row's key; only a row without errors has one."""
        month, country, admin1 = self.month, self.country, self.admin1
        appealing, implementing, indicator = self.appealing, self.implementing, self.indicator
        assert month and country and admin1 and appealing and implementing and indicator  # noqa: S101
        assert self.population_group and self.modality  # noqa: S101
        return RowKey(
            month=month,
            country=country.id,
            admin1=admin1.id,
            admin2=self.admin2_key(),
            appealing_org=appealing.id,
            implementing_org=implementing.id,
            indicator=indicator.id,
            activity=normalize_value(self.text["activity"]),
            modality=self.modality,
            population_group=self.population_group.id,
        )

    def admin2_key(self) -> str:
        """The admin-2 part of the key, as `normalize_value` reads the area's name where
        the text named an area (by P-code or name alike), else the text: a name is unique
        within an admin-1 (puente load-areas), and a row stored as "Soledad" before the
        country had a list keeps its key when imported again once it has one."""
        if self.admin2_area is not None:
            return normalize_value(self.admin2_area.name)
        return normalize_value(self.text["admin2"])


def _known(row: Row, column: str, lookup: Lookup) -> Any:
    """What the cell names (None: blank, or a name `lookup` does not know)."""
    text = row.text[column]
    return lookup(text) if text else None


def required(row: Row, lookups: Lookups) -> None:
    """`missing_required`: a column every row fills is empty."""
    row.cells.required(*REQUIRED)


def month(row: Row, lookups: Lookups) -> None:
    """`invalid_month`, `month_in_future`."""
    text = row.text["month"]
    if not text:
        return
    row.month = found = lookups.month(row.cells.raw.get("month"), text)
    if found is None:
        row.cells.invalid(
            "month",
            CoreCode.INVALID_MONTH,
            _("“%(value)s” is not a month: write it as YYYY-MM (for example 2025-03).")
            % {"value": text},
        )
    elif found > lookups.current_month:
        row.cells.invalid(
            "month",
            ReportingCode.MONTH_IN_FUTURE,
            ReportingCode.MONTH_IN_FUTURE.text(month=found.strftime("%Y-%m")),
        )


def place(row: Row, lookups: Lookups) -> None:
    """`unknown_country`; `admin1_not_in_country`, `unknown_admin1`, and
    `missing_required` for an empty admin1 in a country of several admin-1 areas (a
    country of one area, Aruba or Curaçao, is its own)."""
    cells = row.cells
    row.country = country = _known(row, "country", lookups.country)
    if country is None:
        if row.text["country"]:
            cells.invalid(
                "country",
                ReferenceCode.UNKNOWN_COUNTRY,
                ReferenceCode.UNKNOWN_COUNTRY.text(value=row.text["country"]),
            )
        return
    text = row.text["admin1"]
    if not text:
        if country.id in lookups.single_area:
            row.admin1 = lookups.single_area[country.id]
        else:
            cells.required("admin1")
        return
    row.admin1 = lookups.admin1_in[country.id](text)
    if row.admin1 is not None:
        return
    if lookups.admin1_any(text) is not None:
        cells.invalid(
            "admin1",
            ReferenceCode.ADMIN1_NOT_IN_COUNTRY,
            _("“%(value)s” is not in %(country)s.") % {"value": text, "country": country.name},
        )
    else:
        cells.invalid(
            "admin1",
            ReferenceCode.UNKNOWN_ADMIN1,
            _("“%(value)s” is not an admin-1 area of %(country)s.")
            % {"value": text, "country": country.name},
        )


def admin2(row: Row, lookups: Lookups) -> None:
    """`unknown_admin2`: in a country with admin-2 areas (puente load-areas), a filled
    admin2 names one of the row's admin-1 by P-code or name (case and accents ignored).
    Elsewhere, and when blank, the text is kept as written."""
    text = row.text["admin2"]
    admin1, country = row.admin1, row.country
    if not text or admin1 is None or country is None:
        return
    if country.id not in lookups.admin2_countries:
        return
    lookup = lookups.admin2_in.get(admin1.id)
    row.admin2_area = lookup(text) if lookup is not None else None
    if row.admin2_area is None:
        row.cells.invalid(
            "admin2",
            ReportingCode.UNKNOWN_ADMIN2,
            ReportingCode.UNKNOWN_ADMIN2.text(value=text, admin1=admin1.name, country=country.name),
        )


def organisations(row: Row, lookups: Lookups) -> None:
    """`unknown_org`, `org_not_in_country`: the appealing organisation and the
    implementing one (empty: the appealing organisation implements)."""
    row.appealing = _organisation(row, lookups, "appealing_org")
    if row.text["implementing_org"]:
        row.implementing = _organisation(row, lookups, "implementing_org")
    else:
        row.implementing = row.appealing


def _organisation(row: Row, lookups: Lookups, column: str) -> Organisation | None:
    org = _known(row, column, lookups.org)
    if org is None:
        if row.text[column]:
            row.cells.invalid(
                column,
                ReportingCode.UNKNOWN_ORG,
                ReportingCode.UNKNOWN_ORG.text(value=row.text[column]),
            )
        return None
    country = row.country
    if country is not None and country.id not in lookups.org_countries[org.id]:
        row.cells.invalid(
            column,
            ReportingCode.ORG_NOT_IN_COUNTRY,
            ReportingCode.ORG_NOT_IN_COUNTRY.text(org=org.acronym, country=country.name),
        )
    return org


def classification(row: Row, lookups: Lookups) -> None:
    """`unknown_indicator` (the indicator fixes the sector), `unknown_population_group`,
    `unknown_modality`, and `invalid_yes_no` for rmrp_activity (empty: yes)."""
    cells, text = row.cells, row.text
    row.indicator = _known(row, "indicator", lookups.indicator)
    if row.indicator is None and text["indicator"]:
        cells.invalid(
            "indicator",
            ReferenceCode.UNKNOWN_INDICATOR,
            ReferenceCode.UNKNOWN_INDICATOR.text(value=text["indicator"]),
        )
    row.population_group = _known(row, "population_group", lookups.population_group)
    if row.population_group is None and text["population_group"]:
        cells.invalid(
            "population_group",
            ReferenceCode.UNKNOWN_POPULATION_GROUP,
            ReferenceCode.UNKNOWN_POPULATION_GROUP.text(value=text["population_group"]),
        )
    row.modality = _known(row, "modality", lookups.modality)
    if row.modality is None and text["modality"]:
        cells.invalid(
            "modality",
            ReportingCode.UNKNOWN_MODALITY,
            ReportingCode.UNKNOWN_MODALITY.text(value=text["modality"]),
        )
    if row.text["rmrp_activity"]:
        row.rmrp = cells.yes_no("rmrp_activity")


def population_group_in_country(row: Row, lookups: Lookups) -> None:
    """`population_group_not_in_country`: the population group does not apply in the
    row's country (reference data: people in transit nowhere in the Caribbean, Colombian
    returnees in Colombia only)."""
    country, group = row.country, row.population_group
    if (
        country is not None
        and group is not None
        and country.id not in lookups.group_countries.get(group.id, ())
    ):
        row.cells.invalid(
            "population_group",
            ReferenceCode.POPULATION_GROUP_NOT_IN_COUNTRY,
            ReferenceCode.POPULATION_GROUP_NOT_IN_COUNTRY.text(
                group=group.name, country=country.name
            ),
        )


def indicator_in_force(row: Row, lookups: Lookups) -> None:
    """`indicator_not_in_force`: the indicator is not in force in the row's year (its
    first and last year) or country (its countries and platforms, when it has any)."""
    country, indicator, found = row.country, row.indicator, row.month
    if country is None or indicator is None or found is None:
        return
    first, last, countries = lookups.in_force[indicator.id]
    if (
        (first is not None and found.year < first)
        or (last is not None and found.year > last)
        or (countries is not None and country.id not in countries)
    ):
        row.cells.invalid(
            "indicator",
            ReportingCode.INDICATOR_NOT_IN_FORCE,
            ReportingCode.INDICATOR_NOT_IN_FORCE.text(
                indicator=indicator.code, country=country.name, year=found.year
            ),
        )


def figures(row: Row, lookups: Lookups) -> None:
    """`not_a_number`, `negative_number`, `not_an_integer` in any figure, and
    `missing_required` for those the indicator needs: the monthly total and the new
    beneficiaries of an indicator that counts people, the quantity of one that counts
    outputs."""
    cells, text, numbers = row.cells, row.text, row.numbers
    for column in NUMBER_FIELDS:
        digits = text[column]
        if digits.isdigit() and digits.isascii():  # the common case, kept fast
            numbers[column] = int(digits) if column != "cva_value_usd" else Decimal(digits)
        elif not digits:
            numbers[column] = None
        else:
            numbers[column] = cells.figure(column, integer=column != "cva_value_usd")
    indicator = row.indicator
    if indicator is None:
        return
    if indicator.counts_people:
        for column in ("total_monthly", "new_beneficiaries"):
            if not text[column]:
                cells.error(
                    column,
                    CoreCode.MISSING_REQUIRED,
                    _("The column “%(column)s” is required for an indicator that counts people.")
                    % {"column": column},
                )
    elif not text["quantity"]:
        cells.error(
            "quantity",
            CoreCode.MISSING_REQUIRED,
            _("The column “%(column)s” is required for an indicator that counts outputs.")
            % {"column": "quantity"},
        )


def breakdown(row: Row, lookups: Lookups) -> None:
    """`new_exceeds_total`, `breakdown_mismatch` (checked when any of girls, boys, women,
    men and other is given), `disability_exceeds_new`."""
    cells, numbers = row.cells, row.numbers
    total, new = numbers["total_monthly"], numbers["new_beneficiaries"]
    if total is not None and new is not None and new > total:
        cells.invalid(
            "new_beneficiaries",
            ReportingCode.NEW_EXCEEDS_TOTAL,
            ReportingCode.NEW_EXCEEDS_TOTAL.text(new=new, total=total),
        )
    parts = [numbers[c] for c in BREAKDOWN]
    if any(p is not None for p in parts):
        added = sum(p or 0 for p in parts)
        if added != (new or 0):
            cells.invalid(
                "new_beneficiaries",
                ReportingCode.BREAKDOWN_MISMATCH,
                ReportingCode.BREAKDOWN_MISMATCH.text(sum=added, new=new or 0),
            )
    disability = numbers["disability"]
    if disability is not None and disability > (new or 0):
        cells.invalid(
            "disability",
            ReportingCode.DISABILITY_EXCEEDS_NEW,
            ReportingCode.DISABILITY_EXCEEDS_NEW.text(disability=disability, new=new or 0),
        )


def cva(row: Row, lookups: Lookups) -> None:
    """`cva_value_required`: a cash and voucher row gives its value in USD (the one
    source of the value of cash: no indicator counts US dollars);
    `unknown_delivery_mechanism`, `unknown_conditionality`, `unknown_restriction`: a
    value outside the column's code list. A value given is stored as its code, whatever
    the row's modality; none of the three is required."""
    if row.modality == Modality.CVA and row.numbers["cva_value_usd"] is None:
        row.cells.invalid(
            "cva_value_usd",
            ReportingCode.CVA_VALUE_REQUIRED,
            ReportingCode.CVA_VALUE_REQUIRED.text(),
        )
    for column, (_table, error) in CVA_CODE_LISTS.items():
        value = row.text[column]
        if not value:
            continue
        code = _code_list(column)(value)
        if code is None:
            row.cells.invalid(column, error, error.text(value=value))
        else:
            row.text[column] = code


def period_lock(row: Row, lookups: Lookups) -> None:
    """`period_locked`: the month is locked for the country."""
    country, found = row.country, row.month
    if country is not None and found is not None and (country.id, found) in lookups.locks:
        row.cells.invalid(
            "month",
            ReportingCode.PERIOD_LOCKED,
            _("%(month)s is locked for %(country)s: ask the platform's IM officer.")
            % {"month": found.strftime("%Y-%m"), "country": country.name},
        )


def reporting_scope(row: Row, lookups: Lookups) -> None:
    """`not_allowed`: the acting user's roles do not allow reporting for the appealing
    organisation, in the country and the indicator's sector."""
    country, indicator, appealing = row.country, row.indicator, row.appealing
    if (
        country is not None
        and indicator is not None
        and appealing is not None
        and not lookups.may_report(country, indicator, appealing)
    ):
        row.cells.invalid(
            "appealing_org",
            ReportingCode.NOT_ALLOWED,
            ReportingCode.NOT_ALLOWED.text(org=appealing.acronym, country=country.name),
        )


Rule = Callable[[Row, "Lookups"], None]
RULES: tuple[Rule, ...] = (
    required,
    month,
    place,
    admin2,
    organisations,
    classification,
    population_group_in_country,
    indicator_in_force,
    figures,
    breakdown,
    cva,
    period_lock,
    reporting_scope,
)


def unique(row: Row, seen: dict[str, int], key: str) -> bool:
    """`duplicate_row`: no earlier row of the file has the same key (`seen`: key -> the
    first row that had it)."""
    first = seen.get(key)
    if first is None:
        seen[key] = row.cells.number
        return True
    row.cells.invalid(
        "indicator",
        CoreCode.DUPLICATE_ROW,
        _(
            "Row %(first)s has the same month, place, organisations, indicator, activity, "
            "modality and population group."
        )
        % {"first": first},
    )
    return False


def above_people_in_need(row: Row, lookups: Lookups) -> None:
    """Warning `above_people_in_need`: a monthly total above the people in need of the
    row's year, admin-1 area (or else its country), sector (or its parent sector) and
    population group, where the needs analysis gives that figure."""
    total = row.numbers["total_monthly"]
    if not lookups.in_need or total is None:
        return
    year = row.month.year if row.month else None
    country, admin1 = row.country, row.admin1
    indicator, group = row.indicator, row.population_group
    assert year and country and admin1 and indicator and group  # noqa: S101
    need, area_of_need = None, None
    sector_ids = (lookups.indicator_sector[indicator.id], indicator.sector_id)
    for area in (admin1.id, None):
        for sector_id in sector_ids:
            need_key = (year, country.id, area, sector_id, group.id)
            if need is None and need_key in lookups.in_need:
                need, area_of_need = lookups.in_need[need_key], area
    if need is not None and total > need:
        place = admin1.name if area_of_need is not None else country.name
        row.cells.warning(
            "total_monthly",
            ReportingCode.ABOVE_PEOPLE_IN_NEED,
            ReportingCode.ABOVE_PEOPLE_IN_NEED.text(value=total, need=need, country=place),
        )


def outlier(row: Row, lookups: Lookups) -> None:
    """Warning `outlier`: a monthly total of at least OUTLIER_FLOOR and more than
    OUTLIER_FACTOR times what the organisation usually reports for the indicator."""
    total = row.numbers["total_monthly"]
    appealing, indicator = row.appealing, row.indicator
    assert appealing and indicator  # noqa: S101
    usual = lookups.usual.get((appealing.id, indicator.id))
    if usual and total is not None and total >= OUTLIER_FLOOR and total > OUTLIER_FACTOR * usual:
        row.cells.warning(
            "total_monthly",
            ReportingCode.OUTLIER,
            ReportingCode.OUTLIER.text(
                value=total, org=appealing.acronym, indicator=indicator.code, usual=round(usual)
            ),
        )


WARNINGS: tuple[Rule, ...] = (above_people_in_need, outlier)
