"""Imports of money: exchange rates, and contributions from an FTS-style flows file.

A contribution is stored in its own currency and in US dollars at the stored rate in
force on its date. A flow whose donor is itself an appealing organisation is marked
pass-through, so that the money is counted once (docs/methodology.md)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pycountry
from django.utils.translation import gettext as _

from puente.accounts.permissions import Action, Actor, user_can
from puente.core.codes import CoreCode
from puente.core.imports import (
    ImportReport,
    ImportScope,
    RowCells,
    import_audit_record,
    write_whole_file,
)
from puente.core.tabular import Column, normalize_value, open_table
from puente.funding.codes import FundingCode
from puente.funding.models import Contribution, ExchangeRate
from puente.partners.codes import PartnersCode
from puente.partners.models import Organisation
from puente.plans.codes import PlansCode
from puente.plans.models import Plan
from puente.reference.imports import ReferenceKeys
from puente.reference.selectors import keyed_lookup

RATE_COLUMNS = (
    Column("currency", aliases=("moneda", "moeda")),
    Column("valid_from", aliases=("date", "fecha", "data", "desde")),
    Column("usd_per_unit", aliases=("rate", "tasa", "taxa", "usd")),
)

CONTRIBUTION_COLUMNS = (
    Column("source_id", aliases=("flow id", "flowid", "id")),
    Column("source", required=False, aliases=("fuente", "fonte")),
    Column("donor", aliases=("source organization", "source org", "donante", "doador")),
    Column(
        "recipient",
        aliases=("destination organization", "destination org", "receptor", "recebedor"),
    ),
    Column("plan", required=False, aliases=("destination plan", "plan code", "plano")),
    Column("country", required=False, aliases=("destination location", "país", "pais")),
    Column(
        "sector",
        required=False,
        aliases=("destination cluster", "destination global cluster", "setor"),
    ),
    Column("amount", aliases=("original amount", "monto", "valor")),
    Column("currency", aliases=("original currency", "moneda", "moeda")),
    Column("date", aliases=("decision date", "fecha", "data")),
    Column("status", aliases=("flow status", "estado", "situação")),
    Column("description", required=False, aliases=("descripción", "descrição")),
)

STATUS_WORDS = {
    Contribution.Status.PLEDGED: ("pledged", "pledge", "promesa", "prometido", "promessa"),
    Contribution.Status.COMMITTED: (
        "committed",
        "commitment",
        "comprometido",
        "compromiso",
        "compromisso",
    ),
    Contribution.Status.PAID: ("paid", "pagado", "pago", "paid contribution"),
}
STATUS_LOOKUP = {normalize_value(w): s for s, words in STATUS_WORDS.items() for w in words}
DEFAULT_SOURCE = "fts"


def currency_code(text: str) -> str | None:
    """The ISO 4217 code of a currency written as its code."""
    code = text.strip().upper()
    return code if pycountry.currencies.get(alpha_3=code) is not None else None


class RateTable:
    """The stored rates, read once per import: the rate in force on a date."""

    def __init__(self) -> None:
        self.rates: dict[str, list[tuple[Any, Decimal]]] = {}
        for currency, valid_from, rate in ExchangeRate.objects.order_by(
            "currency", "valid_from"
        ).values_list("currency", "valid_from", "usd_per_unit"):
            self.rates.setdefault(currency, []).append((valid_from, rate))

    def rate(self, currency: str, date: Any) -> Decimal | None:
        if currency == "USD":
            return Decimal(1)
        found = None
        for valid_from, rate in self.rates.get(currency, []):
            if valid_from <= date:
                found = rate
        return found


def exchange_rates_import(
    *, source: Any, filename: str, dry_run: bool = False, acting_user: Actor | None = None
) -> ImportReport:
    """US dollars per unit of a currency from a date on; a rate for the same currency and
    date replaces the stored one. Rates apply to the whole region, so only a region-wide
    funding manager may import them; `acting_user` None is the command line (the server's
    operator). A written file is audited."""
    report = ImportReport(dry_run=dry_run)
    if acting_user is not None and not user_can(acting_user, Action.MANAGE_FUNDING, None):
        report.error(
            None,
            None,
            CoreCode.IMPORT_NOT_ALLOWED,
            _("Exchange rates apply to the whole region: only a regional role may import them."),
        )
        return report
    table = open_table(source, filename=filename, columns=RATE_COLUMNS, report=report)
    if table is None:
        return report
    parsed: dict[tuple[str, Any], tuple[Decimal, int]] = {}
    for number, raw in table:
        report.rows += 1
        cells = RowCells(report, number, raw)
        cells.required("currency", "valid_from", "usd_per_unit")
        code = currency_code(cells.text.get("currency", ""))
        if cells.text.get("currency") and code is None:
            cells.error(
                "currency",
                FundingCode.UNKNOWN_CURRENCY,
                FundingCode.UNKNOWN_CURRENCY.text(value=cells.text["currency"]),
                cells.text["currency"],
            )
        valid_from = cells.date("valid_from")
        rate = _rate(cells)
        if not cells.ok or code is None or rate is None:
            continue
        if (code, valid_from) in parsed:
            cells.error(
                "valid_from",
                CoreCode.DUPLICATE_ROW,
                CoreCode.DUPLICATE_ROW.text(row=parsed[(code, valid_from)][1]),
            )
            continue
        parsed[(code, valid_from)] = (rate, number)

    def write() -> None:
        for (code, valid_from), (rate, _number) in parsed.items():
            _obj, created = ExchangeRate.objects.update_or_create(
                currency=code, valid_from=valid_from, defaults={"usd_per_unit": rate}
            )
            report.imported += created
            report.updated += not created
        import_audit_record(acting_user=acting_user, kind="rates", filename=filename, report=report)

    return write_whole_file(report, write)


def _rate(cells: RowCells) -> Decimal | None:
    """A rate keeps its decimals (amounts keep two), with "." or "," as decimal mark."""
    text = cells.text.get("usd_per_unit", "")
    try:
        rate = Decimal(text.replace(",", ".")) if text else None
    except ArithmeticError:
        rate = None
    if text and (rate is None or not rate.is_finite() or rate <= 0):
        cells.error(
            "usd_per_unit",
            FundingCode.INVALID_RATE,
            FundingCode.INVALID_RATE.text(value=text),
            text,
        )
        return None
    return rate


def organisation_lookup() -> dict[str, Organisation]:
    return keyed_lookup(Organisation.objects.all(), "acronym", "name")


def contributions_import(
    *, source: Any, filename: str, dry_run: bool = False, acting_user: Actor | None = None
) -> ImportReport:
    """Contributions from a flows file, one per row. The same contribution (source and
    source id) twice, in the file or already stored, is an error: nothing is written.
    Through the web, each contribution lies within the user's funding scope: its country,
    or without one, every country its recipient works in."""
    report = ImportReport(dry_run=dry_run)
    scope = ImportScope(acting_user, Action.MANAGE_FUNDING)
    if not scope.anywhere(report):
        return report
    table = open_table(source, filename=filename, columns=CONTRIBUTION_COLUMNS, report=report)
    if table is None:
        return report
    flows = _Flows(scope)
    contributions: list[Contribution] = []
    for number, raw in table:
        report.rows += 1
        contribution = flows.read(RowCells(report, number, raw))
        if contribution is not None:
            contributions.append(contribution)
    _refuse_stored(report, contributions, flows.seen)
    report.errors.sort(key=lambda e: e.row or 0)
    scope.refuse(report)

    def write() -> None:
        Contribution.objects.bulk_create(contributions, batch_size=2000)
        report.imported = len(contributions)
        import_audit_record(
            acting_user=acting_user, kind="funding", filename=filename, report=report
        )

    return write_whole_file(report, write)


class _Flows:
    """The rows of a flows file, read against lookups loaded once per file; `seen` keeps
    the first row of each contribution (source, source id)."""

    def __init__(self, scope: ImportScope):
        self.scope = scope
        self.organisations = organisation_lookup()
        self.keys = ReferenceKeys()
        self.plans = {
            normalize_value(p.code): p for p in Plan.objects.prefetch_related("countries")
        }
        self.rates = RateTable()
        self.recipient_countries: dict[int, list[Any]] = {}
        self.seen: dict[tuple[str, str], int] = {}

    def read(self, cells: RowCells) -> Contribution | None:
        """One row as a contribution, or None when it has errors (each in the report)."""
        cells.required("source_id", "donor", "recipient", "amount", "currency", "date", "status")
        text = cells.text
        recipient = cells.lookup(
            "recipient",
            self.organisations,
            PartnersCode.UNKNOWN_ORGANISATION,
            PartnersCode.UNKNOWN_ORGANISATION.message,
        )
        plan = cells.lookup(
            "plan", self.plans, PlansCode.UNKNOWN_PLAN, PlansCode.UNKNOWN_PLAN.message
        )
        country = self.keys.country(cells)
        sector = self.keys.sector(cells)
        self._in_scope(country, recipient)
        amount = cells.amount("amount")
        date = cells.date("date")
        currency, status, rate = self._money(cells, date)
        self._in_plan(cells, plan, country)
        key = (text.get("source") or DEFAULT_SOURCE, text.get("source_id", ""))
        if key in self.seen:
            cells.error(
                "source_id",
                CoreCode.DUPLICATE_ROW,
                _("The same contribution (source id %(id)s) is already in row %(row)s.")
                % {"id": key[1], "row": self.seen[key]},
                key[1],
            )
        if not cells.ok or currency is None or rate is None or status is None:
            return None
        self.seen[key] = cells.number
        donor = self.organisations.get(normalize_value(text["donor"]))
        return Contribution(
            donor=text["donor"],
            donor_organisation=donor,
            recipient=recipient,
            plan=plan,
            country=country,
            sector=sector,
            amount=amount,
            currency=currency,
            exchange_rate=rate,
            amount_usd=(amount * rate).quantize(Decimal("0.01")),
            date=date,
            status=status,
            # A flow between two appealing organisations passes the money on: counted once.
            pass_through=bool(
                donor is not None
                and donor.appealing
                and recipient.appealing
                and donor.pk != recipient.pk
            ),
            source=key[0],
            source_id=key[1],
            description=text.get("description", ""),
        )

    @staticmethod
    def _in_plan(cells: RowCells, plan: Plan | None, country: Any) -> None:
        """`country_outside_plan`: a contribution to a plan goes to one of its countries."""
        if (
            plan is not None
            and country is not None
            and not any(c.pk == country.pk for c in plan.countries.all())
        ):
            cells.error(
                "country",
                PlansCode.COUNTRY_OUTSIDE_PLAN,
                _("%(country)s is not one of the countries of plan %(plan)s.")
                % {"country": country.name, "plan": plan.code},
                cells.text["country"],
            )

    def _in_scope(self, country: Any, recipient: Organisation | None) -> None:
        """A contribution lies in its country or, without one, in every country its
        recipient works in."""
        if country is not None:
            self.scope.country(country)
        elif recipient is not None:
            if recipient.pk not in self.recipient_countries:
                self.recipient_countries[recipient.pk] = list(recipient.countries.all())
            self.scope.countries(self.recipient_countries[recipient.pk], name=recipient.acronym)

    def _money(self, cells: RowCells, date: Any) -> tuple[str | None, Any, Decimal | None]:
        """`unknown_currency`, `invalid_status`, `no_exchange_rate`: the currency, the
        status and the rate in force on the date."""
        text = cells.text
        currency = currency_code(text.get("currency", ""))
        if text.get("currency") and currency is None:
            cells.error(
                "currency",
                FundingCode.UNKNOWN_CURRENCY,
                FundingCode.UNKNOWN_CURRENCY.text(value=text["currency"]),
                text["currency"],
            )
        status = STATUS_LOOKUP.get(normalize_value(text.get("status", "")))
        if text.get("status") and status is None:
            cells.error(
                "status",
                PlansCode.INVALID_STATUS,
                _("“%(value)s” is not pledged, committed or paid.") % {"value": text["status"]},
                text["status"],
            )
        rate = None
        if currency and date:
            rate = self.rates.rate(currency, date)
            if rate is None:
                cells.error(
                    "currency",
                    FundingCode.NO_EXCHANGE_RATE,
                    FundingCode.NO_EXCHANGE_RATE.text(currency=currency, date=date.isoformat()),
                    text["currency"],
                )
        return currency, status, rate


def _refuse_stored(
    report: ImportReport, contributions: list[Contribution], seen: dict[tuple[str, str], int]
) -> None:
    """`duplicate_contribution`: a contribution of the file already recorded."""
    stored = _stored_keys(seen)
    for contribution in contributions:
        key = (contribution.source, contribution.source_id)
        if key in stored:
            report.error(
                seen[key],
                "source_id",
                FundingCode.DUPLICATE_CONTRIBUTION,
                FundingCode.DUPLICATE_CONTRIBUTION.text(id=key[1], source=key[0]),
                key[1],
            )


def _stored_keys(keys: dict[tuple[str, str], int]) -> set[tuple[str, str]]:
    stored: set[tuple[str, str]] = set()
    by_source: dict[str, list[str]] = {}
    for source, source_id in keys:
        by_source.setdefault(source, []).append(source_id)
    for source, ids in by_source.items():
        for start in range(0, len(ids), 500):
            stored.update(
                Contribution.objects.filter(
                    source=source, source_id__in=ids[start : start + 500]
                ).values_list("source", "source_id")
            )
    return stored
