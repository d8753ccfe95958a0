"""The figures a dashboard shows, as one JSON document, for the internal dashboards and
the public page alike (both read the cube through `people_reached`); and the one reading
of a reach query (period and filters) that every door uses: the dashboard pages, their
JSON and exports, "explain this number", the API and the CLI."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Max
from django.utils import formats, timezone, translation
from django.utils.dates import MONTHS
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from puente.accounts.models import ScopeKind
from puente.accounts.permissions import (
    ROLE_ACTIONS,
    Action,
    Actor,
    Target,
    scope_covers,
    user_can,
    user_can_somewhere,
    user_roles,
)
from puente.analytics.models import CubeState
from puente.analytics.selectors import (
    GROUPINGS,
    FiguresAsOf,
    ReachFilters,
    figures_apart,
    figures_as_of,
    indicator_progress,
    latest_validated_month,
    people_reached,
    reach_trend,
)
from puente.analytics.services.completeness import reporting_validated
from puente.analytics.services.consolidation import Cell, split_by_sex_and_age
from puente.analytics.services.cube import CUBE_VERSION_KEY, cube_version_position
from puente.core.codes import CoreCode, ErrorCode
from puente.core.errors import ApplicationError, PermissionDenied
from puente.core.filters import year_parse
from puente.core.i18n import active_language, collation_key, sorted_by_name
from puente.core.replica import replica_reads_from
from puente.partners.codes import PartnersCode
from puente.partners.models import Organisation
from puente.plans.targets import planning_by_sector, targets_level
from puente.reference.codes import ReferenceCode
from puente.reference.models import Admin1, Admin2, Country, PopulationGroup, Sector
from puente.reporting.services.columns import parse_month

# The years a query may ask for; anything else is a typing error, not an empty year.

_REFERENCE: dict[tuple[str, str], tuple[float, dict[str, Any]]] = {}


def reference_by_code(model: Any, field: str) -> dict[str, Any]:
    """Reference rows by code, kept a minute in the process: every dashboard request needs
    them and they change only when reference data is loaded again."""
    key = (model._meta.label, field)
    now = time.monotonic()
    cached = _REFERENCE.get(key)
    if cached is None or now - cached[0] > 60:
        table = {getattr(obj, field): obj for obj in model._default_manager.all()}
        _REFERENCE[key] = cached = (now, table)
    return cached[1]


def by_name(objects: Iterable[Any]) -> list[Any]:
    """Reference rows sorted by their name in the active language."""
    return sorted_by_name(objects)


@dataclass(frozen=True)
class DashboardQuery:
    year: int
    month: int
    country: Country | None = None
    admin1: Admin1 | None = None
    sector: Sector | None = None
    population_group: PopulationGroup | None = None
    org: Organisation | None = None

    @property
    def level(self) -> str:
        if self.admin1 is not None:
            return "admin1"
        return "country" if self.country is not None else "region"

    def filters(self) -> ReachFilters:
        return ReachFilters(
            country_ids=(self.country.pk,) if self.country else None,
            admin1_id=self.admin1.pk if self.admin1 else None,
            sector_id=self.sector.pk if self.sector else None,
            population_group_id=self.population_group.pk if self.population_group else None,
            org_id=self.org.pk if self.org else None,
        )

    def params(self, **changes: Any) -> dict[str, Any]:
        params = {
            "year": self.year,
            "month": self.month,
            "country": self.country.iso3 if self.country else None,
            "admin1": self.admin1.iso_code if self.admin1 else None,
            "sector": self.sector.code if self.sector else None,
            "population_group": self.population_group.code if self.population_group else None,
            "org": self.org.acronym if self.org else None,
        }
        params.update(changes)
        return {k: v for k, v in params.items() if v not in (None, "")}


class ReachQueryInvalid(ApplicationError):
    """Parameters of a reach query that are not a period or not codes Puente knows. Each
    wrong parameter keeps its own error (`errors`); the first gives the code and message of
    the whole, and `extra` lists them all, as the API's `detail`."""

    def __init__(self, errors: dict[str, ApplicationError]) -> None:
        first = next(iter(errors.values()))
        super().__init__(
            first.message,
            code=first.code,
            extra={
                name: {"code": error.code, "message": str(error.message)}
                for name, error in errors.items()
            },
        )
        self.errors = errors

    def messages(self) -> dict[str, str]:
        return {name: str(error.message) for name, error in self.errors.items()}


class ReachQueryForbidden(ReachQueryInvalid):
    """A filter the user may not use: 403, `permission_denied`, the filter in `detail`."""

    status = 403


def org_filter_allowed(user: Actor, query: DashboardQuery) -> bool:
    """May `user` read the figures of `query.org` alone? Only where one of the user's
    scopes for viewing reports covers every row of that organisation the query counts:
    the region (and superusers); an organisation scope, for that organisation only; a
    country, platform or sector scope, when the query is limited to a country (and for a
    sector scope, a sector) inside it. Anyone else sees other organisations only in the
    aggregates, as on the public dashboard."""
    if query.org is None:
        return True
    if user_can(user, Action.VIEW_REPORTS, None):
        return True
    for assignment in user_roles(user):
        if Action.VIEW_REPORTS not in ROLE_ACTIONS.get(assignment.role, frozenset()):
            continue
        if assignment.scope_kind == ScopeKind.ORGANISATION:
            if assignment.organisation_id == query.org.pk:
                return True
        elif scope_covers(assignment, Target(country=query.country, sector=query.sector)):
            return True
    return False


def reach_query_for_user(
    params: Mapping[str, Any], user: Actor, *, period_required: bool = False
) -> DashboardQuery:
    """`reach_query_parse` for a signed-in reader, the one check of every internal door
    (dashboard page, its JSON, explain, downloads, the API): PermissionDenied for a user
    who reads no reports anywhere; an organisation filter outside what the user may see
    per organisation (`org_filter_allowed`) is refused (ReachQueryForbidden), never
    answered with that organisation's figures."""
    if not user_can_somewhere(user, Action.VIEW_REPORTS):
        raise PermissionDenied()
    query = reach_query_parse(params, period_required=period_required)
    if query.org is not None and not org_filter_allowed(user, query):
        raise ReachQueryForbidden(
            {
                "org": ApplicationError(
                    _(
                        "You may not see the figures of %(org)s on their own: choose your "
                        "own organisation, or none to see the figures of all organisations "
                        "together."
                    )
                    % {"org": query.org.acronym},
                    code=CoreCode.PERMISSION_DENIED,
                )
            }
        )
    return query


def country_detail_allowed(user: Actor, query: DashboardQuery) -> bool:
    """Which organisations of a country have reported (completeness) is shown to users who
    may view every report of that country."""
    return query.country is not None and user_can(
        user, Action.VIEW_REPORTS, Target(country=query.country)
    )


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _year(raw: str) -> int:
    try:
        return year_parse(raw)
    except ValueError as exc:
        raise ApplicationError(str(exc), code=CoreCode.INVALID_YEAR) from exc


def _month(raw: str) -> int:
    if not re.fullmatch(r"\d{1,2}", raw) or not 1 <= int(raw) <= 12:
        raise ApplicationError(
            _("“%(value)s” is not a month: give its number, 1 to 12.") % {"value": raw},
            code=CoreCode.INVALID_MONTH,
        )
    return int(raw)


def _default_period(year: int | None, country: Country | None) -> tuple[int, int]:
    """The latest month with validated rows (of the year when one is given, of the country
    when one is chosen): the month a dashboard opens on. Without any, the last month
    before this one (of the year asked)."""
    latest = latest_validated_month(country_ids=(country.pk,) if country else None, year=year)
    if latest is not None:
        return latest.year, latest.month
    today = timezone.now().date()
    previous = today.replace(day=1) - dt.timedelta(days=1)
    if year is None or year == previous.year:
        return previous.year, previous.month
    return year, 12 if year < previous.year else 1


def reach_query_parse(
    params: Mapping[str, Any], *, allow_org: bool = True, period_required: bool = False
) -> DashboardQuery:
    """Read a reach query from request or command-line parameters: `year` with `month`
    (1-12) or `through` (YYYY-MM of that year), `country` (ISO3), `admin1` (ISO 3166-2),
    `sector` (code), `population_group` (code) and, where allowed, `org` (acronym).

    A value that is not a period or not a known code is an error (ReachQueryInvalid),
    never an empty filter: a mistyped country must not give the whole region. Without a
    period, the latest month with validated rows, unless `period_required`."""
    errors: dict[str, ApplicationError] = {}

    def read(name: str, reader: Any) -> Any:
        raw = _text(params.get(name))
        if not raw:
            return None
        try:
            return reader(raw)
        except ApplicationError as error:
            errors[name] = error
            return None

    def lookup(model: Any, field: str, code: ErrorCode, message: Any = None) -> Any:
        def reader(raw: str) -> Any:
            if model is Organisation:
                # Organisations change with every partner import: read, never kept.
                obj = Organisation.objects.filter(acronym__iexact=raw).first()
            else:
                table = reference_by_code(model, field)
                obj = table.get(raw) or table.get(raw.upper()) or table.get(raw.lower())
            if obj is None:
                raise ApplicationError((message or code.message) % {"value": raw}, code=code)
            return obj

        return reader

    year = read("year", _year)
    month = read("month", _month)
    through = read("through", lambda raw: raw)
    if through is not None:
        first = parse_month(through)
        if first is None or (year is not None and first.year != year):
            errors["through"] = ApplicationError(
                _("“%(value)s” is not a month (YYYY-MM) of the year asked.") % {"value": through},
                code=CoreCode.INVALID_MONTH,
            )
        else:
            year, month = first.year, first.month
    country = read(
        "country",
        lookup(Country, "iso3", ReferenceCode.UNKNOWN_COUNTRY),
    )
    admin1 = read(
        "admin1",
        lookup(Admin1, "iso_code", ReferenceCode.UNKNOWN_ADMIN1),
    )
    if admin1 is not None:
        if country is not None and admin1.country_id != country.pk:
            errors["admin1"] = ApplicationError(
                _("“%(value)s” is not an admin-1 area of %(country)s.")
                % {"value": admin1.iso_code, "country": country.name},
                code=ReferenceCode.UNKNOWN_ADMIN1,
            )
        else:
            country = admin1.country
    sector = read("sector", lookup(Sector, "code", ReferenceCode.UNKNOWN_SECTOR))
    group = read(
        "population_group",
        lookup(PopulationGroup, "code", ReferenceCode.UNKNOWN_POPULATION_GROUP),
    )
    org = None
    if allow_org:
        org = read(
            "org",
            lookup(
                Organisation,
                "acronym",
                PartnersCode.UNKNOWN_ORGANISATION,
                _("“%(value)s” is not the acronym of an organisation of the registry."),
            ),
        )
    if period_required and not _text(params.get("year")):
        errors["year"] = ApplicationError(_("Give the year (YYYY)."), code=CoreCode.INVALID_YEAR)
    if period_required and not errors.keys() & {"month", "through"} and month is None:
        errors["through"] = ApplicationError(
            _("Give the month (YYYY-MM)."), code=CoreCode.INVALID_MONTH
        )
    if errors:
        raise ReachQueryInvalid(errors)
    if month is None or year is None:
        default_year, default_month = _default_period(year, country)
        year = year or default_year
        month = month or default_month
    return DashboardQuery(
        year=year,
        month=month,
        country=country,
        admin1=admin1,
        sector=sector,
        population_group=group,
        org=org,
    )


def grouping_parse(raw: Any) -> list[str]:
    """`by` of the API and CLI: comma-separated names among GROUPINGS."""
    by = [b.strip() for b in _text(raw).split(",") if b.strip()]
    unknown = sorted(set(by) - set(GROUPINGS))
    if unknown:
        raise ReachQueryInvalid(
            {
                "by": CoreCode.INVALID_GROUPING.error(
                    groupings=", ".join(GROUPINGS), unknown=", ".join(unknown)
                )
            }
        )
    return by


def cube_version() -> str:
    """Changes whenever the cube is refreshed (cube_refresh sets it once its transaction
    is committed); read from the cache so that a cached dashboard costs no database query.
    Without it in the cache, the time of the latest refresh, kept a minute: `add`, not
    `set`, so that a version read before a refresh committed never replaces the one the
    refresh set."""
    version = cache.get(CUBE_VERSION_KEY)
    if version is None:
        latest = CubeState.objects.aggregate(latest=Max("refreshed_at"))["latest"]
        version = latest.isoformat() if latest else "empty"
        if not cache.add(CUBE_VERSION_KEY, version, 60):
            version = cache.get(CUBE_VERSION_KEY) or version
    return version


def dashboard_data(query: DashboardQuery, *, base_url: str, explain_url: str | None) -> dict:
    """Cached per query, language and cube version: a refresh of the cube changes the key."""
    version = cube_version()
    raw = json.dumps(
        [query.params(), translation.get_language(), base_url, explain_url, version],
        default=str,
    )
    key = "puente:dashboard:" + hashlib.blake2b(raw.encode(), digest_size=16).hexdigest()
    data = cache.get(key)
    if data is None:
        # Cached under this version for an hour: never computed from a replica that has
        # not yet replayed the refresh that made the version.
        with replica_reads_from(cube_version_position(version)):
            data = _build(query, base_url=base_url, explain_url=explain_url)
        cache.set(key, data, 3600)
    return data


def dashboard_json(query: DashboardQuery, *, base_url: str, explain_url: str | None) -> bytes:
    """The dashboard document already encoded, cached as bytes: under load a request costs
    one cache read."""
    raw = json.dumps(
        [query.params(), translation.get_language(), base_url, explain_url, cube_version(), "json"],
        default=str,
    )
    key = "puente:dashboard-json:" + hashlib.blake2b(raw.encode(), digest_size=16).hexdigest()
    content = cache.get(key)
    if content is None:
        data = dashboard_data(query, base_url=base_url, explain_url=explain_url)
        content = json.dumps(data, cls=DjangoJSONEncoder).encode()
        cache.set(key, content, 3600)
    return content


def month_label(year: int, month: int) -> str:
    """ "September 2026", "septiembre de 2026", "setembro de 2026": the month as a sentence
    of the active language writes it (in Spanish and Portuguese, lowercase)."""
    text = formats.date_format(dt.date(year, month, 1), "YEAR_MONTH_FORMAT")
    return text[:1].lower() + text[1:] if active_language() in ("es", "pt") else text


def month_choices() -> list[tuple[int, str]]:
    """The months of a filter: the number as value, the name in the active language."""
    return [(number, str(name).capitalize()) for number, name in MONTHS.items()]


def _labels(model: Any, ids: set[int]) -> dict[int, Any]:
    return {obj.pk: obj for obj in model.objects.filter(pk__in=ids)}


def dashboard_as_of(query: DashboardQuery) -> FiguresAsOf:
    """When the figures of `query` were made: the cube's refresh of the country shown (the
    newest of all countries for the region), or now for one organisation's own figures,
    which are read from the 5W rows."""
    filters = query.filters()
    return figures_as_of(
        year=query.year, country_ids=filters.country_ids, live=filters.org_id is not None
    )


def drill_dimension(query: DashboardQuery) -> str:
    """What the dashboard's table lists: countries in the region, admin-1 areas in a
    country, and in an admin-1 area its admin-2 areas where it has them (sectors where it
    has none)."""
    level = query.level
    if level == "admin1" and query.admin1 is not None and query.admin1.admin2_areas.exists():
        return "admin2"
    return {"region": "country", "country": "admin1", "admin1": "sector"}[level]


def _build(query: DashboardQuery, *, base_url: str, explain_url: str | None) -> dict:
    filters = query.filters()
    # Read before the figures: a refresh committed meanwhile makes them newer, never older.
    as_of = dashboard_as_of(query)
    headline = people_reached(year=query.year, month=query.month, filters=filters)[0]
    split = split_by_sex_and_age(
        headline["consolidated"],
        Cell(**{b: headline[b] for b in ("girls", "boys", "women", "men", "other")}),
    )
    level = query.level
    drill_by = drill_dimension(query)
    table_rows = people_reached(year=query.year, month=query.month, by=[drill_by], filters=filters)
    sectors = people_reached(year=query.year, month=query.month, by=["sector"], filters=filters)
    groups = people_reached(
        year=query.year, month=query.month, by=["population_group"], filters=filters
    )
    map_filters = ReachFilters(**{**vars(filters), "admin1_id": None})
    areas = people_reached(year=query.year, month=query.month, by=["admin1"], filters=map_filters)
    models = {
        "country": Country,
        "admin1": Admin1,
        "admin2": Admin2,
        "sector": Sector,
        "population_group": PopulationGroup,
    }

    def explain(**changes: Any) -> str | None:
        if explain_url is None:
            return None
        return f"{explain_url}?{urlencode(query.params(**changes))}"

    objects = _labels(models[drill_by], {r["_ids"][drill_by] for r in table_rows})
    table = []
    for row in table_rows:
        obj = objects.get(row["_ids"][drill_by])
        code = row[drill_by]
        drill = None
        if drill_by == "country":
            drill = f"{base_url}?{urlencode(query.params(country=code, admin1=None))}"
        elif drill_by == "admin1":
            drill = f"{base_url}?{urlencode(query.params(admin1=code))}"
        table.append(
            {
                "code": code,
                "label": obj.name if obj else code,
                "monthly": row["monthly"],
                "consolidated": row["consolidated"],
                "drill_url": drill,
                # "Explain this number" reads the cube's cells, which stop at admin-1.
                "explain_url": explain(**{drill_by: code}) if drill_by != "admin2" else None,
            }
        )
    # Countries and areas read by name in the reader's language (Argentina before Aruba).
    if drill_by in ("country", "admin1", "admin2"):
        table.sort(key=lambda r: collation_key(r["label"]))
    planning = planning_by_sector(
        year=query.year,
        country_ids=filters.country_ids,
        population_group_id=filters.population_group_id,
        admin1_id=filters.admin1_id,
    )
    targets, in_need = planning["target"], planning["in-need"]
    # The headline is the chosen sector's figure when a sector is chosen (0: inter-sector).
    headline_key = query.sector.pk if query.sector else 0
    validated = reporting_validated(
        year=query.year,
        month=query.month,
        country_ids=filters.country_ids,
        org_id=filters.org_id,
    )

    def ratio(part: int, whole: int | None) -> float | None:
        return round(part / whole, 4) if whole else None

    sector_objects = _labels(Sector, {r["_ids"]["sector"] for r in sectors})
    group_objects = _labels(PopulationGroup, {r["_ids"]["population_group"] for r in groups})
    area_objects = _labels(Admin1, {r["_ids"]["admin1"] for r in areas})
    return {
        "year": query.year,
        "month": query.month,
        "month_label": month_label(query.year, query.month),
        "level": level,
        "selected_area": query.admin1.iso_code if query.admin1 else None,
        "drill_by": drill_by,
        "filters": query.params(),
        # ISO-8601 UTC; `as_of_live`: read from the 5W rows then, not from the cube.
        "as_of": as_of.iso(),
        "as_of_live": as_of.live,
        "headline": {
            "monthly": headline["monthly"],
            "consolidated": headline["consolidated"],
            "cva_value_usd": float(headline["cva_value_usd"]),
            "targeted": targets.get(headline_key),
            "in_need": in_need.get(headline_key),
            "coverage": ratio(headline["consolidated"], targets.get(headline_key)),
            "reach_of_need": ratio(headline["consolidated"], in_need.get(headline_key)),
            "split": split,
            "explain_url": explain(),
        },
        # Counted beside people reached, never added to it: people trained, outputs per
        # unit, stocks at their latest level (docs/methodology.md, "What is counted").
        "apart": figures_apart(year=query.year, month=query.month, filters=filters),
        # Indicator: target, reached (by its measure), progress.
        "indicators": indicator_progress(year=query.year, month=query.month, filters=filters),
        # An admin-1 area shows its own targets, where any are set for it (None: none).
        "targets_level": targets_level(
            year=query.year, country_ids=filters.country_ids, admin1_id=filters.admin1_id
        ),
        "validated": validated,
        "table": table,
        "by_sector": [
            {
                "code": r["sector"],
                "label": sector_objects[r["_ids"]["sector"]].name,
                "parent": bool(sector_objects[r["_ids"]["sector"]].parent_id),
                "monthly": r["monthly"],
                "consolidated": r["consolidated"],
                "targeted": targets.get(r["_ids"]["sector"]),
                "in_need": in_need.get(r["_ids"]["sector"]),
                "coverage": ratio(r["consolidated"], targets.get(r["_ids"]["sector"])),
                "reach_of_need": ratio(r["consolidated"], in_need.get(r["_ids"]["sector"])),
                "explain_url": explain(sector=r["sector"]),
            }
            for r in sectors
        ],
        "by_population_group": [
            {
                "code": r["population_group"],
                "label": group_objects[r["_ids"]["population_group"]].name,
                "monthly": r["monthly"],
                "consolidated": r["consolidated"],
                "explain_url": explain(population_group=r["population_group"]),
            }
            for r in groups
        ],
        "trend": [
            {**point, "explain_url": explain(month=int(point["month"][5:]))}
            for point in reach_trend(year=query.year, month=query.month, filters=filters)
        ],
        "map": [
            {
                "code": r["admin1"],
                "name": area_objects[r["_ids"]["admin1"]].name,
                "value": r["consolidated"],
                "explain_url": explain(admin1=r["admin1"]),
            }
            for r in areas
        ],
    }
