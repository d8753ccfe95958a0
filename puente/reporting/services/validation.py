"""Validation of 5W rows, whatever door they come through (file, form, API).

A `RowValidator` is built once per import: it loads every lookup (countries, admin-1
areas, organisations, indicators, population groups, locks, usual figures, people in
need) in a few queries, then checks each row in memory against the rules of `rules.py`.
A valid row becomes a `ValidRow`, the tuple the writer stores; every problem becomes a
`RowError` with row, column, code, message and value, in the active language.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Avg, Count
from django.utils import timezone

from puente.accounts.permissions import Action, Actor, Target, user_can
from puente.core.imports import ImportReport, Lookup, RowCells
from puente.partners.models import Organisation
from puente.reference.models import Admin1, Admin2, Country, Indicator, PopulationGroup
from puente.reference.selectors import group_countries, indicators_in_force, keyed_lookup
from puente.reporting.models import ActivityRow, PeriodLock, RowStatus
from puente.reporting.services.columns import (
    BLANK_ROW,
    INTEGER_FIELDS,
    ValidRow,
    modality_lookup,
    month_start,
    parse_month,
)
from puente.reporting.services.rules import RULES, WARNINGS, Row, unique


class Lookups:
    """Everything the rules look a row up in, read once per import."""

    def __init__(self, *, acting_user: Actor | None, today: dt.date | None):
        self.acting_user = acting_user
        self.current_month = month_start(today or timezone.now().date())
        self.country = Lookup(
            keyed_lookup(Country.objects.all(), "iso3", "iso2", "name_en", "name_es", "name_pt")
        )
        areas = list(Admin1.objects.all())
        by_country: dict[int, list[Admin1]] = {}
        for area in areas:
            by_country.setdefault(area.country_id, []).append(area)
        # A country of one area (Aruba, Curaçao) needs no admin1 in its rows.
        self.single_area = {cid: items[0] for cid, items in by_country.items() if len(items) == 1}
        self.admin1_in = {
            cid: Lookup(keyed_lookup(items, "iso_code", "pcode", "name"))
            for cid, items in by_country.items()
        }
        self.admin1_any = Lookup(keyed_lookup(areas, "iso_code", "pcode", "name"))
        # Admin-2 areas by admin-1 (P-code or name): only countries with a list have them.
        admin2_by_admin1: dict[int, list[Admin2]] = {}
        self.admin2_countries: set[int] = set()
        for area2 in Admin2.objects.all():
            admin2_by_admin1.setdefault(area2.admin1_id, []).append(area2)
            self.admin2_countries.add(area2.country_id)
        self.admin2_in = {
            aid: Lookup(keyed_lookup(items, "pcode", "name"))
            for aid, items in admin2_by_admin1.items()
        }
        organisations = list(Organisation.objects.prefetch_related("countries"))
        self.org = Lookup(keyed_lookup(organisations, "acronym", "name"))
        self.org_countries = {o.pk: {c.pk for c in o.countries.all()} for o in organisations}
        indicators = list(Indicator.objects.select_related("sector", "subsector"))
        self.indicator = Lookup(keyed_lookup(indicators, "code"))
        self.indicator_sector = {i.id: i.reporting_sector.id for i in indicators}
        self.population_group = Lookup(
            keyed_lookup(PopulationGroup.objects.all(), "code", "name_en", "name_es", "name_pt")
        )
        self.group_countries = group_countries()
        self.in_force = indicators_in_force()
        self.modality = Lookup(modality_lookup())
        self.locks = set(PeriodLock.objects.values_list("country_id", "month"))
        self.usual = self._usual_figures()
        self.in_need = self._people_in_need()
        self._months: dict[str, dt.date | None] = {}
        self._allowed: dict[tuple[int, int, int], bool] = {}

    @staticmethod
    def _usual_figures() -> dict[tuple[int, int], float]:
        """Average monthly reach of each organisation per indicator, from the reviewed rows
        of the last twelve months."""
        since = (timezone.now().date() - dt.timedelta(days=366)).replace(day=1)
        rows = (
            ActivityRow.objects.filter(status=RowStatus.VALIDATED, month__gte=since)
            .values("appealing_org_id", "indicator_id")
            .annotate(mean=Avg("total_monthly"), n=Count("id"))
            .filter(n__gte=3)
        )
        return {(r["appealing_org_id"], r["indicator_id"]): float(r["mean"] or 0) for r in rows}

    @staticmethod
    def _people_in_need() -> dict[tuple[int, int, int | None, int, int], int]:
        """People in need per (year, country, admin1, sector, population group) from the
        needs analysis, with admin1 None for the country as a whole (the sum of its areas)."""
        from puente.needs.models import NeedFigure

        need: dict[tuple[int, int, int | None, int, int], int] = {}
        for y, c, a, s, g, people in NeedFigure.objects.values_list(
            "year", "country_id", "admin1_id", "sector_id", "population_group_id", "people_in_need"
        ):
            if a is not None:
                need[(y, c, a, s, g)] = people
            need[(y, c, None, s, g)] = need.get((y, c, None, s, g), 0) + people
        return need

    def month(self, value: Any, text: str) -> dt.date | None:
        """The month of a cell; typed months are parsed once per file."""
        if type(value) is not str:
            return parse_month(value)
        try:
            return self._months[text]
        except KeyError:
            self._months[text] = parsed = parse_month(text)
            return parsed

    def may_report(self, country: Country, indicator: Indicator, org: Organisation) -> bool:
        if self.acting_user is None:
            return True
        key = (country.id, indicator.id, org.id)
        if key not in self._allowed:
            target = Target(country=country, sector=indicator.reporting_sector, organisation=org)
            self._allowed[key] = user_can(self.acting_user, Action.SUBMIT_REPORT, target)
        return self._allowed[key]


class RowValidator:
    def __init__(self, *, acting_user: Actor | None = None, today: dt.date | None = None):
        self.lookups = Lookups(acting_user=acting_user, today=today)
        self.seen: dict[str, int] = {}  # row key -> the first row of the file with it

    def validate(self, number: int, raw: dict[str, Any], report: ImportReport) -> ValidRow | None:
        """Check one row; append its errors and warnings to the report; return it when
        valid."""
        row = Row(RowCells(report, number, raw, blank=BLANK_ROW))
        lookups = self.lookups
        for rule in RULES:
            rule(row, lookups)
        if not row.cells.ok:
            return None
        key = row.key().digest()
        if not unique(row, self.seen, key):
            return None
        for warning in WARNINGS:
            warning(row, lookups)
        return self._valid(row, key)

    def _valid(self, row: Row, key: str) -> ValidRow:
        """The values the writer stores, in the order of `STORED_FIELDS`."""
        text, numbers = row.text, row.numbers
        assert row.country and row.admin1 and row.appealing and row.implementing  # noqa: S101
        assert row.indicator and row.population_group  # noqa: S101
        return ValidRow(
            number=row.cells.number,
            values=(
                key,
                row.month,
                row.country.id,
                row.admin1.id,
                row.admin2_area.name if row.admin2_area else text["admin2"],
                row.admin2_area.id if row.admin2_area else None,
                row.appealing.id,
                row.implementing.id,
                row.indicator.id,
                self.lookups.indicator_sector[row.indicator.id],
                text["activity"][:500],
                row.rmrp,
                row.modality,
                numbers["cva_value_usd"],
                text["delivery_mechanism"][:128],
                text["conditionality"],
                text["restriction"],
                row.population_group.id,
                *(numbers[c] for c in INTEGER_FIELDS),
            ),
        )
