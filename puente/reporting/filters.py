"""The input of the 5W doors, read once: the row filters (API, rows page, review page,
exports) and a review decision (review page, API).

A value that names nothing is an error naming its parameter, never "no filter": a
mistyped country must not answer with every row."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from django.http import QueryDict
from django.utils.translation import gettext as _

from puente.core.codes import CoreCode
from puente.core.errors import ApplicationError
from puente.core.filters import year_parse
from puente.partners.codes import PartnersCode
from puente.partners.models import Organisation
from puente.plans.codes import PlansCode
from puente.reference.codes import ReferenceCode
from puente.reference.models import Admin1, Country, Indicator, PopulationGroup, Sector
from puente.reporting.codes import ReportingCode
from puente.reporting.models import RowStatus
from puente.reporting.services.columns import parse_month

FILTER_PARAMETERS = (
    "month",
    "year",
    "country",
    "admin1",
    "appealing_org",
    "implementing_org",
    "sector",
    "indicator",
    "population_group",
    "status",
)
REVIEW_DECISIONS = ("submit", RowStatus.VALIDATED.value, RowStatus.RETURNED.value)


def _text(params: Mapping[str, Any], name: str) -> str:
    value = params.get(name)
    return "" if value is None else str(value).strip()


class _Errors:
    """Per-parameter errors: {"country": {"code", "message", "value"}}."""

    def __init__(self) -> None:
        self.fields: dict[str, dict[str, str]] = {}

    def add(self, name: str, code: str, message: str, value: str = "") -> None:
        self.fields.setdefault(name, {"code": code, "message": message, "value": value})

    def raise_if_any(self, code: str, message: Any) -> None:
        if self.fields:
            names = ", ".join(self.fields)
            raise ApplicationError(message % {"names": names}, code=code, extra=self.fields)


def _month(value: str, errors: _Errors, name: str = "month") -> dt.date | None:
    month = parse_month(value)
    if month is None:
        errors.add(
            name,
            CoreCode.INVALID_MONTH,
            _("Write the month as YYYY-MM, for example 2026-03."),
            value,
        )
    return month


def _year(value: str, errors: _Errors) -> int | None:
    try:
        return year_parse(value)
    except ValueError as exc:
        errors.add("year", CoreCode.INVALID_YEAR, str(exc), value)
        return None


def _country(value: str, errors: _Errors, name: str = "country") -> Country | None:
    country = Country.objects.filter(iso3=value.upper()).first()
    if country is None:
        errors.add(
            name,
            ReferenceCode.UNKNOWN_COUNTRY,
            _("%(value)s is not the ISO3 code of a country of the response, such as COL or PER.")
            % {"value": value},
            value,
        )
    return country


def _organisation(value: str, errors: _Errors, name: str) -> Organisation | None:
    org = Organisation.objects.filter(acronym__iexact=value).first()
    if org is None:
        errors.add(
            name,
            PartnersCode.UNKNOWN_ORGANISATION,
            _("No organisation in the registry has the acronym %(value)s.") % {"value": value},
            value,
        )
    return org


def _sector(value: str, errors: _Errors, name: str = "sector") -> Sector | None:
    sector = Sector.objects.filter(code__iexact=value).first()
    if sector is None:
        errors.add(
            name,
            ReferenceCode.UNKNOWN_SECTOR,
            _("%(value)s is not a sector code, such as HEA or PRO-GBV.") % {"value": value},
            value,
        )
    return sector


@dataclass(frozen=True)
class RowFilters:
    """Which 5W rows to list. Empty fields filter nothing; `sector` keeps its
    sub-sectors too."""

    month: dt.date | None = None
    year: int | None = None
    country: Country | None = None
    admin1: Admin1 | None = None
    appealing_org: Organisation | None = None
    implementing_org: Organisation | None = None
    sector: Sector | None = None
    indicator: Indicator | None = None
    population_group: PopulationGroup | None = None
    status: str = ""

    @classmethod
    def parse(cls, params: Mapping[str, Any]) -> RowFilters:
        """The filters of a query string (`request.GET`, `request.query_params`).
        Other parameters (`page`, `limit` …) are left alone; an empty value filters
        nothing. Raises ApplicationError `invalid_filter` whose `extra` holds one error
        per parameter: {"country": {"code": "unknown_country", "message", "value"}}."""
        errors = _Errors()
        found: dict[str, Any] = {}
        raw = {name: _text(params, name) for name in FILTER_PARAMETERS}
        if raw["month"]:
            found["month"] = _month(raw["month"], errors)
        if raw["year"]:
            found["year"] = _year(raw["year"], errors)
        if raw["country"]:
            found["country"] = _country(raw["country"], errors)
        if raw["admin1"]:
            value = raw["admin1"]
            found["admin1"] = Admin1.objects.filter(
                Q(iso_code__iexact=value) | Q(pcode__iexact=value)
            ).first()
            if found["admin1"] is None:
                errors.add(
                    "admin1",
                    ReferenceCode.UNKNOWN_ADMIN1,
                    _("%(value)s is not an admin-1 code (ISO 3166-2 such as CO-ATL, or P-code).")
                    % {"value": value},
                    value,
                )
        for name in ("appealing_org", "implementing_org"):
            if raw[name]:
                found[name] = _organisation(raw[name], errors, name)
        if raw["sector"]:
            found["sector"] = _sector(raw["sector"], errors)
        if raw["indicator"]:
            value = raw["indicator"]
            found["indicator"] = Indicator.objects.filter(code__iexact=value).first()
            if found["indicator"] is None:
                errors.add(
                    "indicator",
                    ReferenceCode.UNKNOWN_INDICATOR,
                    _("%(value)s is not an indicator code, such as HEA-02.") % {"value": value},
                    value,
                )
        if raw["population_group"]:
            value = raw["population_group"]
            found["population_group"] = PopulationGroup.objects.filter(code__iexact=value).first()
            if found["population_group"] is None:
                errors.add(
                    "population_group",
                    ReferenceCode.UNKNOWN_POPULATION_GROUP,
                    _("%(value)s is not a population group code, such as in-destination.")
                    % {"value": value},
                    value,
                )
        if raw["status"]:
            value = raw["status"].lower()
            if value in RowStatus.values:
                found["status"] = value
            else:
                errors.add(
                    "status",
                    PlansCode.INVALID_STATUS,
                    _("The status is one of %(statuses)s.")
                    % {"statuses": ", ".join(RowStatus.values)},
                    raw["status"],
                )
        errors.raise_if_any(ReportingCode.INVALID_FILTER, ReportingCode.INVALID_FILTER.message)
        return cls(**found)

    def as_query(self) -> dict[str, str]:
        """The filters as query parameters, the way `parse` reads them."""
        query = {
            "month": self.month.strftime("%Y-%m") if self.month else "",
            "year": str(self.year) if self.year else "",
            "country": self.country.iso3 if self.country else "",
            "admin1": self.admin1.iso_code if self.admin1 else "",
            "appealing_org": self.appealing_org.acronym if self.appealing_org else "",
            "implementing_org": self.implementing_org.acronym if self.implementing_org else "",
            "sector": self.sector.code if self.sector else "",
            "indicator": self.indicator.code if self.indicator else "",
            "population_group": self.population_group.code if self.population_group else "",
            "status": self.status,
        }
        return {key: value for key, value in query.items() if value}


@dataclass(frozen=True)
class ReviewRequest:
    """One review decision: submit an organisation's month in a country, or validate or
    return its submitted rows of a sector."""

    decision: str
    appealing_org: Organisation
    country: Country
    month: dt.date
    sector: Sector | None = None
    comment: str = ""

    @classmethod
    def parse(cls, data: Mapping[str, Any]) -> ReviewRequest:
        """A decision from the review page's form or the API's body (`appealing_org`;
        the page's `org` is read as the same). Raises ApplicationError `invalid` with
        one error per field, like `RowFilters.parse`."""
        errors = _Errors()
        decision = _text(data, "decision").lower()
        if decision not in REVIEW_DECISIONS:
            errors.add(
                "decision",
                PlansCode.INVALID_DECISION,
                _("The decision is one of %(decisions)s.")
                % {"decisions": ", ".join(REVIEW_DECISIONS)},
                decision,
            )
        org_text = _text(data, "appealing_org") or _text(data, "org")
        country_text = _text(data, "country")
        month_text = _text(data, "month")
        sector_text = _text(data, "sector")
        required = {"appealing_org": org_text, "country": country_text, "month": month_text}
        if decision in (RowStatus.VALIDATED, RowStatus.RETURNED):
            required["sector"] = sector_text
        for name, value in required.items():
            if not value:
                errors.add(name, "required", _("This field is required."))
        org = _organisation(org_text, errors, "appealing_org") if org_text else None
        country = _country(country_text, errors) if country_text else None
        month = _month(month_text, errors) if month_text else None
        sector = _sector(sector_text, errors) if sector_text else None
        errors.raise_if_any(CoreCode.INVALID, _("These fields are not valid: %(names)s."))
        assert org is not None and country is not None and month is not None  # noqa: S101
        return cls(
            decision=decision,
            appealing_org=org,
            country=country,
            month=month,
            sector=sector if decision != "submit" else None,
            comment=_text(data, "comment"),
        )


@dataclass(frozen=True)
class BulkReviewRequest:
    """One decision on every submitted group matching the review page's filters.
    `expected_rows` is the count the reviewer saw and confirmed."""

    decision: str
    filters: RowFilters
    expected_rows: int
    comment: str = ""

    @classmethod
    def parse(cls, data: Mapping[str, Any]) -> BulkReviewRequest:
        """The page's form: `decision` (validated or returned), `comment`,
        `expected_rows` and `filters` (the review page's query string, read by
        `RowFilters.parse`). Raises ApplicationError `invalid` or `invalid_filter`."""
        errors = _Errors()
        decision = _text(data, "decision").lower()
        if decision not in (RowStatus.VALIDATED, RowStatus.RETURNED):
            errors.add(
                "decision",
                PlansCode.INVALID_DECISION,
                _("A review validates or returns."),
                decision,
            )
        expected = _text(data, "expected_rows")
        if not expected.isdigit():
            errors.add("expected_rows", "required", _("This field is required."), expected)
        errors.raise_if_any(CoreCode.INVALID, _("These fields are not valid: %(names)s."))
        return cls(
            decision=decision,
            filters=RowFilters.parse(QueryDict(_text(data, "filters"))),
            expected_rows=int(expected),
            comment=_text(data, "comment"),
        )
