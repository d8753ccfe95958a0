"""Validation of 5W rows, whatever door they come through (file, form, API).

A `RowValidator` is built once per import: it loads every lookup (countries, admin-1
areas, organisations, indicators, population groups, locks, usual figures) in a few
queries, then checks each row in memory. A valid row becomes a `ValidRow`, the tuple
the writer stores; every problem becomes a `RowError` with row, column, code, message
and value, in the active language.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Avg, Count
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from puente.accounts.permissions import Action, Target, user_can
from puente.core.imports import ImportReport, RowError, parse_yes_no, yes_no_error_message
from puente.core.tabular import Column, cell_text, normalize_value, parse_number
from puente.partners.models import Organisation
from puente.reference.models import Admin1, Country, Indicator, PopulationGroup
from puente.reference.selectors import keyed_lookup
from puente.reporting.models import ActivityRow, Modality, PeriodLock, RowStatus

COLUMNS = (
    Column("month", aliases=("mes", "mês", "periodo", "período", "reporting month")),
    Column("country", aliases=("pais", "país")),
    Column(
        "admin1",
        required=False,
        aliases=(
            "adm1",
            "admin 1",
            "departamento",
            "provincia",
            "província",
            "estado",
            "region",
            "región",
            "região",
        ),
    ),
    Column(
        "admin2",
        required=False,
        aliases=("adm2", "admin 2", "municipio", "município", "canton", "cantón", "distrito"),
    ),
    Column(
        "appealing_org",
        aliases=(
            "appealing organisation",
            "appealing organization",
            "organizacion solicitante",
            "organización solicitante",
            "organizacao solicitante",
            "organização solicitante",
            "socio",
            "parceiro",
        ),
    ),
    Column(
        "implementing_org",
        required=False,
        aliases=(
            "implementing organisation",
            "implementing organization",
            "organizacion implementadora",
            "organización implementadora",
            "organizacao implementadora",
            "organização implementadora",
            "socio implementador",
            "parceiro implementador",
        ),
    ),
    Column("indicator", aliases=("indicador", "indicator code", "codigo indicador")),
    Column(
        "activity",
        required=False,
        aliases=(
            "actividad",
            "atividade",
            "activity description",
            "descripcion de la actividad",
            "descrição da atividade",
        ),
    ),
    Column("rmrp_activity", required=False, aliases=("actividad rmrp", "atividade rmrp", "rmrp")),
    Column("modality", aliases=("modalidad", "modalidade")),
    Column(
        "cva_value_usd",
        required=False,
        aliases=("cva value usd", "valor cva usd", "valor usd", "valor cva", "valor_tm_usd"),
    ),
    Column("delivery_mechanism", required=False, aliases=("mecanismo de entrega", "mecanismo")),
    Column(
        "population_group",
        aliases=(
            "grupo poblacional",
            "grupo de poblacion",
            "grupo de población",
            "grupo populacional",
            "poblacion",
            "população",
            "populacao",
        ),
    ),
    Column("quantity", required=False, aliases=("cantidad", "quantidade", "outputs")),
    Column(
        "total_monthly",
        required=False,
        aliases=("total mensual", "total mensal", "people reached", "total"),
    ),
    Column(
        "new_beneficiaries",
        required=False,
        aliases=(
            "nuevos beneficiarios",
            "novos beneficiarios",
            "novos beneficiários",
            "nuevos",
            "novos",
            "new",
        ),
    ),
    Column("girls", required=False, aliases=("ninas", "niñas", "meninas")),
    Column("boys", required=False, aliases=("ninos", "niños", "meninos")),
    Column("women", required=False, aliases=("mujeres", "mulheres")),
    Column("men", required=False, aliases=("hombres", "homens")),
    Column("other", required=False, aliases=("otro", "otros", "outro", "outros")),
    Column(
        "disability",
        required=False,
        aliases=(
            "discapacidad",
            "personas con discapacidad",
            "deficiencia",
            "deficiência",
            "pessoas com deficiencia",
            "pessoas com deficiência",
        ),
    ),
)
COLUMN_NAMES = [c.name for c in COLUMNS]
# Columns an export adds beside the import columns; read and ignored, so an exported file
# can be corrected and imported again.
EXPORT_ONLY_COLUMNS = (
    Column("admin1_name", required=False),
    Column("sector", required=False),
    Column("status", required=False),
)
BREAKDOWN = ("girls", "boys", "women", "men", "other")
INTEGER_FIELDS = ("quantity", "total_monthly", "new_beneficiaries", *BREAKDOWN, "disability")
KEY_FIELDS = (
    "month",
    "country",
    "admin1",
    "admin2",
    "appealing_org",
    "implementing_org",
    "indicator",
    "activity",
    "modality",
    "population_group",
)

# The columns the writer stores, in order. `ValidRow.values` follows it.
STORED_FIELDS = (
    "row_key",
    "month",
    "country_id",
    "admin1_id",
    "admin2",
    "appealing_org_id",
    "implementing_org_id",
    "indicator_id",
    "sector_id",
    "activity",
    "rmrp_activity",
    "modality",
    "cva_value_usd",
    "delivery_mechanism",
    "population_group_id",
    *INTEGER_FIELDS,
)

NUMBER_FIELDS = (*INTEGER_FIELDS, "cva_value_usd")
EMPTY_TEXT = dict.fromkeys(COLUMN_NAMES, "")

# Fields compared (and replaced) when a row with the same key comes again.
COMPARED_FIELDS = STORED_FIELDS[1:]

MODALITY_ALIASES = {
    "in kind": Modality.IN_KIND,
    "en especie": Modality.IN_KIND,
    "em especie": Modality.IN_KIND,
    "especie": Modality.IN_KIND,
    "cash": Modality.CVA,
    "cva": Modality.CVA,
    "tm": Modality.CVA,
    "transferencias monetarias": Modality.CVA,
    "transferencias monetárias": Modality.CVA,
    "efectivo": Modality.CVA,
    "dinheiro": Modality.CVA,
    "cupones": Modality.CVA,
    "servicio": Modality.SERVICE,
    "servicios": Modality.SERVICE,
    "servico": Modality.SERVICE,
    "capacity building": Modality.CAPACITY_BUILDING,
    "capacitacion": Modality.CAPACITY_BUILDING,
    "fortalecimiento de capacidades": Modality.CAPACITY_BUILDING,
    "capacitacao": Modality.CAPACITY_BUILDING,
    "otro": Modality.OTHER,
    "outro": Modality.OTHER,
}
OUTLIER_FACTOR = 10
OUTLIER_FLOOR = 100


@dataclass(frozen=True, slots=True)
class ValidRow:
    number: int
    values: tuple[Any, ...]

    @property
    def key(self) -> str:
        return self.values[0]

    @property
    def country_id(self) -> int:
        return self.values[2]

    @property
    def month(self) -> dt.date:
        return self.values[1]


def month_start(value: dt.date) -> dt.date:
    return value.replace(day=1)


def parse_month(value: Any) -> dt.date | None:
    """'2025-03', '2025-03-17', '17/03/2025', '03/2025' or a date cell -> 2025-03-01."""
    if isinstance(value, dt.datetime):
        return value.date().replace(day=1)
    if isinstance(value, dt.date):
        return value.replace(day=1)
    text = cell_text(value)
    for pattern, groups in (
        (r"^(\d{4})[-/.](\d{1,2})$", ("y", "m")),
        (r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T].*)?$", ("y", "m", "d")),
        (r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$", ("d", "m", "y")),
        (r"^(\d{1,2})[-/.](\d{4})$", ("m", "y")),
    ):
        match = re.match(pattern, text)
        if match:
            parts = dict(zip(groups, (int(g) for g in match.groups()), strict=True))
            try:
                return dt.date(parts["y"], parts["m"], parts.get("d", 1)).replace(day=1)
            except ValueError:
                return None
    return None


def row_key(parts: tuple[Any, ...]) -> str:
    """A stable 32-character key of the fields that identify a row."""
    text = "\x1f".join("" if p is None else str(p) for p in parts)
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


class _Lookup:
    """Resolve typed text to an object by exact text first, then by normalised text."""

    def __init__(self, table: dict[str, Any]):
        self.table = table
        self.cache: dict[str, Any] = {}

    def __call__(self, text: str) -> Any:
        try:
            return self.cache[text]
        except KeyError:
            found = self.table.get(normalize_value(text))
            self.cache[text] = found
            return found


def modality_lookup() -> dict[str, str]:
    table: dict[str, str] = {normalize_value(k): str(v) for k, v in MODALITY_ALIASES.items()}
    for value, _label in Modality.choices:
        table[normalize_value(value)] = value
        for language in ("en", "es", "pt"):
            with translation.override(language):
                table[normalize_value(str(Modality(value).label))] = value
    return table


class RowValidator:
    def __init__(self, *, acting_user: Any = None, today: dt.date | None = None):
        self.acting_user = acting_user
        self.current_month = month_start(today or timezone.now().date())
        countries = list(Country.objects.all())
        self.country = _Lookup(
            keyed_lookup(countries, "iso3", "iso2", "name_en", "name_es", "name_pt")
        )
        areas = list(Admin1.objects.all())
        self.single_area: dict[int, Admin1] = {}
        by_country: dict[int, list[Admin1]] = {}
        for area in areas:
            by_country.setdefault(area.country_id, []).append(area)
        for country_id, items in by_country.items():
            if len(items) == 1:
                self.single_area[country_id] = items[0]
        self.admin1_in = {
            cid: _Lookup(keyed_lookup(items, "iso_code", "pcode", "name"))
            for cid, items in by_country.items()
        }
        self.admin1_any = _Lookup(keyed_lookup(areas, "iso_code", "pcode", "name"))
        organisations = list(Organisation.objects.prefetch_related("countries"))
        self.org = _Lookup(keyed_lookup(organisations, "acronym", "name"))
        self.org_countries = {o.pk: {c.pk for c in o.countries.all()} for o in organisations}
        indicators = list(Indicator.objects.select_related("sector", "subsector"))
        self.indicator = _Lookup(keyed_lookup(indicators, "code"))
        self.indicator_sector = {i.id: i.reporting_sector.id for i in indicators}
        self.population_group = _Lookup(
            keyed_lookup(PopulationGroup.objects.all(), "code", "name_en", "name_es", "name_pt")
        )
        self.modality = _Lookup(modality_lookup())
        self.locks = set(PeriodLock.objects.values_list("country_id", "month"))
        self.usual = self._usual_figures()
        self.in_need = self._people_in_need()
        self.seen: dict[str, int] = {}
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

    def _month(self, value: Any, text: str) -> dt.date | None:
        if type(value) is not str:
            return parse_month(value)
        try:
            return self._months[text]
        except KeyError:
            self._months[text] = parsed = parse_month(text)
            return parsed

    def _may_report(self, country: Country, indicator: Indicator, org: Organisation) -> bool:
        if self.acting_user is None:
            return True
        key = (country.id, indicator.id, org.id)
        if key not in self._allowed:
            target = Target(country=country, sector=indicator.reporting_sector, organisation=org)
            self._allowed[key] = user_can(self.acting_user, Action.SUBMIT_REPORT, target)
        return self._allowed[key]

    def validate(self, number: int, raw: dict[str, Any], report: ImportReport) -> ValidRow | None:
        """Check one row; append its errors to the report; return it when valid."""
        errors_before = len(report.errors)
        text = dict(EMPTY_TEXT)
        for name, value in raw.items():
            text[name] = value.strip() if type(value) is str else cell_text(value)

        def fail(column: str, code: str, message: Any) -> None:
            report.errors.append(
                RowError(
                    row=number,
                    column=column,
                    code=code,
                    message=message,
                    value=text.get(column, ""),
                )
            )

        for column in (
            "month",
            "country",
            "appealing_org",
            "indicator",
            "modality",
            "population_group",
        ):
            if not text[column]:
                fail(
                    column,
                    "missing_required",
                    _("The column “%(column)s” is required.") % {"column": column},
                )

        month = None
        if text["month"]:
            month = self._month(raw.get("month"), text["month"])
            if month is None:
                fail(
                    "month",
                    "invalid_month",
                    _("“%(value)s” is not a month: write it as YYYY-MM (for example 2025-03).")
                    % {"value": text["month"]},
                )
            elif month > self.current_month:
                fail(
                    "month",
                    "month_in_future",
                    _("%(month)s is in the future.") % {"month": month.strftime("%Y-%m")},
                )

        country = self.country(text["country"]) if text["country"] else None
        if text["country"] and country is None:
            fail(
                "country",
                "unknown_country",
                _("“%(value)s” is not one of the response's countries.")
                % {"value": text["country"]},
            )

        admin1 = None
        if country is not None:
            if text["admin1"]:
                admin1 = self.admin1_in[country.id](text["admin1"])
                if admin1 is None:
                    elsewhere = self.admin1_any(text["admin1"])
                    if elsewhere is not None:
                        fail(
                            "admin1",
                            "admin1_not_in_country",
                            _("“%(value)s” is not in %(country)s.")
                            % {"value": text["admin1"], "country": country.name},
                        )
                    else:
                        fail(
                            "admin1",
                            "unknown_admin1",
                            _("“%(value)s” is not an admin-1 area of %(country)s.")
                            % {"value": text["admin1"], "country": country.name},
                        )
            elif country.id in self.single_area:
                admin1 = self.single_area[country.id]
            else:
                fail(
                    "admin1",
                    "missing_required",
                    _("The column “%(column)s” is required.") % {"column": "admin1"},
                )

        appealing = self._org(text, "appealing_org", country, fail)
        implementing = appealing
        if text["implementing_org"]:
            implementing = self._org(text, "implementing_org", country, fail)

        indicator = self.indicator(text["indicator"]) if text["indicator"] else None
        if text["indicator"] and indicator is None:
            fail(
                "indicator",
                "unknown_indicator",
                _("“%(value)s” is not an indicator code of the registry.")
                % {"value": text["indicator"]},
            )

        population_group = None
        if text["population_group"]:
            population_group = self.population_group(text["population_group"])
            if population_group is None:
                fail(
                    "population_group",
                    "unknown_population_group",
                    _("“%(value)s” is not a population group.")
                    % {"value": text["population_group"]},
                )

        modality = self.modality(text["modality"]) if text["modality"] else None
        if text["modality"] and modality is None:
            fail(
                "modality",
                "unknown_modality",
                _(
                    "“%(value)s” is not a modality (in-kind, cva, service, capacity-building, "
                    "other)."
                )
                % {"value": text["modality"]},
            )

        rmrp = True
        if text["rmrp_activity"]:
            parsed = parse_yes_no(text["rmrp_activity"])
            if parsed is None:
                fail("rmrp_activity", "invalid_yes_no", yes_no_error_message(text["rmrp_activity"]))
            else:
                rmrp = parsed

        numbers: dict[str, Any] = {}
        for column in NUMBER_FIELDS:
            digits = text[column]
            if digits.isdigit() and digits.isascii():  # the common case, kept fast
                numbers[column] = int(digits) if column != "cva_value_usd" else Decimal(digits)
                continue
            if not digits:
                numbers[column] = None
                continue
            value, code = parse_number(raw.get(column), integer=column != "cva_value_usd")
            if code == "not_a_number":
                fail(column, code, _("“%(value)s” is not a number.") % {"value": text[column]})
            elif code == "negative_number":
                fail(
                    column,
                    code,
                    _("A number of %(column)s cannot be negative.") % {"column": column},
                )
            elif code == "not_an_integer":
                fail(column, code, _("%(column)s must be a whole number.") % {"column": column})
            numbers[column] = value

        if indicator is not None and indicator.counts_people:
            for column in ("total_monthly", "new_beneficiaries"):
                if not text[column]:
                    fail(
                        column,
                        "missing_required",
                        _(
                            "The column “%(column)s” is required for an indicator that counts "
                            "people."
                        )
                        % {"column": column},
                    )
        elif indicator is not None and not text["quantity"]:
            fail(
                "quantity",
                "missing_required",
                _("The column “%(column)s” is required for an indicator that counts outputs.")
                % {"column": "quantity"},
            )

        total, new = numbers["total_monthly"], numbers["new_beneficiaries"]
        if total is not None and new is not None and new > total:
            fail(
                "new_beneficiaries",
                "new_exceeds_total",
                _("New beneficiaries (%(new)s) exceed the monthly total (%(total)s).")
                % {"new": new, "total": total},
            )
        parts = [numbers[c] for c in BREAKDOWN]
        if any(p is not None for p in parts):
            breakdown = sum(p or 0 for p in parts)
            if breakdown != (new or 0):
                fail(
                    "new_beneficiaries",
                    "breakdown_mismatch",
                    _(
                        "Girls, boys, women, men and other add up to %(sum)s, not to the %(new)s "
                        "new beneficiaries."
                    )
                    % {"sum": breakdown, "new": new or 0},
                )
        if numbers["disability"] is not None and numbers["disability"] > (new or 0):
            fail(
                "disability",
                "disability_exceeds_new",
                _(
                    "Persons with disabilities (%(disability)s) exceed the new beneficiaries "
                    "(%(new)s)."
                )
                % {"disability": numbers["disability"], "new": new or 0},
            )
        if modality == Modality.CVA and numbers["cva_value_usd"] is None:
            fail(
                "cva_value_usd",
                "cva_value_required",
                _("A cash and voucher row needs its value in USD."),
            )

        if country is not None and month is not None and (country.id, month) in self.locks:
            fail(
                "month",
                "period_locked",
                _("%(month)s is locked for %(country)s: ask the platform's IM officer.")
                % {"month": month.strftime("%Y-%m"), "country": country.name},
            )

        if (
            country is not None
            and indicator is not None
            and appealing is not None
            and not self._may_report(country, indicator, appealing)
        ):
            fail(
                "appealing_org",
                "not_allowed",
                _("Your roles do not allow reporting for %(org)s in %(country)s.")
                % {"org": appealing.acronym, "country": country.name},
            )

        if len(report.errors) > errors_before:
            return None
        assert month and country and admin1 and appealing and implementing and indicator  # noqa: S101
        assert population_group and modality  # noqa: S101
        key = row_key(
            (
                month,
                country.id,
                admin1.id,
                normalize_value(text["admin2"]),
                appealing.id,
                implementing.id,
                indicator.id,
                normalize_value(text["activity"]),
                modality,
                population_group.id,
            )
        )
        first = self.seen.get(key)
        if first is not None:
            fail(
                "indicator",
                "duplicate_row",
                _(
                    "Row %(first)s has the same month, place, organisations, indicator, activity, "
                    "modality and population group."
                )
                % {"first": first},
            )
            return None
        self.seen[key] = number

        if self.in_need and total is not None:
            need, place = None, country.name
            sector_ids = [self.indicator_sector[indicator.id], indicator.sector_id]
            for area in ([admin1.id] if admin1 else []) + [None]:
                for sector_id in sector_ids:
                    need_key = (month.year, country.id, area, sector_id, population_group.id)
                    if need is None and need_key in self.in_need:
                        need = self.in_need[need_key]
                        place = admin1.name if area is not None and admin1 else country.name
            if need is not None and total > need:
                report.warnings.append(
                    RowError(
                        row=number,
                        column="total_monthly",
                        code="above_people_in_need",
                        value=text["total_monthly"],
                        message=_(
                            "%(value)s people reached in a month is more than the %(need)s "
                            "people in need of this sector and population group in "
                            "%(country)s."
                        )
                        % {"value": total, "need": need, "country": place},
                    )
                )
        usual = self.usual.get((appealing.id, indicator.id))
        if (
            usual
            and total is not None
            and total >= OUTLIER_FLOOR
            and total > OUTLIER_FACTOR * usual
        ):
            report.warnings.append(
                RowError(
                    row=number,
                    column="total_monthly",
                    code="outlier",
                    value=text["total_monthly"],
                    message=_(
                        "%(value)s is far above what %(org)s usually reports for %(indicator)s "
                        "(about %(usual)s a month)."
                    )
                    % {
                        "value": total,
                        "org": appealing.acronym,
                        "indicator": indicator.code,
                        "usual": round(usual),
                    },
                )
            )
        return ValidRow(
            number=number,
            values=(
                key,
                month,
                country.id,
                admin1.id,
                text["admin2"],
                appealing.id,
                implementing.id,
                indicator.id,
                self.indicator_sector[indicator.id],
                text["activity"][:500],
                rmrp,
                modality,
                numbers["cva_value_usd"],
                text["delivery_mechanism"][:128],
                population_group.id,
                *(numbers[c] for c in INTEGER_FIELDS),
            ),
        )

    def _org(
        self,
        text: dict[str, str],
        column: str,
        country: Country | None,
        fail: Callable[[str, str, Any], None],
    ) -> Organisation | None:
        if not text[column]:
            return None
        org = self.org(text[column])
        if org is None:
            fail(
                column,
                "unknown_org",
                _("“%(value)s” is not an organisation of the registry (acronym or name).")
                % {"value": text[column]},
            )
            return None
        if country is not None and country.id not in self.org_countries[org.id]:
            fail(
                column,
                "org_not_in_country",
                _("%(org)s is not registered as working in %(country)s.")
                % {"org": org.acronym, "country": country.name},
            )
        return org
