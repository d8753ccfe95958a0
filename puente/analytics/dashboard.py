"""The figures a dashboard shows, as one JSON document, for the internal dashboards and
the public page alike (both read the cube through `people_reached`)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Max
from django.utils import translation
from django.utils.http import urlencode

from puente.analytics.models import CubeState
from puente.analytics.selectors import ReachFilters, people_reached, reach_trend
from puente.analytics.services.consolidation import Cell, split_by_sex_and_age
from puente.analytics.services.cube import CUBE_VERSION_KEY
from puente.analytics.services.planning import planning_by_sector
from puente.partners.models import Organisation
from puente.reference.models import Admin1, Country, PopulationGroup, Sector


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


def cube_version() -> str:
    """Changes whenever the cube is refreshed (set by cube_refresh); read from the cache so
    that a cached dashboard costs no database query."""
    version = cache.get(CUBE_VERSION_KEY)
    if version is None:
        latest = CubeState.objects.aggregate(latest=Max("refreshed_at"))["latest"]
        version = latest.isoformat() if latest else "empty"
        cache.set(CUBE_VERSION_KEY, version, None)
    return version


def dashboard_data(query: DashboardQuery, *, base_url: str, explain_url: str | None) -> dict:
    """Cached per query, language and cube version: a refresh of the cube changes the key."""
    raw = json.dumps(
        [query.params(), translation.get_language(), base_url, explain_url, cube_version()],
        default=str,
    )
    key = "puente:dashboard:" + hashlib.blake2b(raw.encode(), digest_size=16).hexdigest()
    data = cache.get(key)
    if data is None:
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


def _labels(model: Any, ids: set[int]) -> dict[int, Any]:
    return {obj.pk: obj for obj in model.objects.filter(pk__in=ids)}


def _build(query: DashboardQuery, *, base_url: str, explain_url: str | None) -> dict:
    filters = query.filters()
    headline = people_reached(year=query.year, month=query.month, filters=filters)[0]
    split = split_by_sex_and_age(
        headline["consolidated"],
        Cell(**{b: headline[b] for b in ("girls", "boys", "women", "men", "other")}),
    )
    level = query.level
    drill_by = {"region": "country", "country": "admin1", "admin1": "sector"}[level]
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
                "explain_url": explain(**{drill_by: code}),
            }
        )
    planning = planning_by_sector(
        year=query.year,
        country_ids=filters.country_ids,
        population_group_id=filters.population_group_id,
    )
    targets, in_need = planning["target"], planning["in-need"]

    def ratio(part: int, whole: int | None) -> float | None:
        return round(part / whole, 4) if whole else None

    sector_objects = _labels(Sector, {r["_ids"]["sector"] for r in sectors})
    group_objects = _labels(PopulationGroup, {r["_ids"]["population_group"] for r in groups})
    area_objects = _labels(Admin1, {r["_ids"]["admin1"] for r in areas})
    return {
        "year": query.year,
        "month": query.month,
        "level": level,
        "drill_by": drill_by,
        "filters": query.params(),
        "headline": {
            "monthly": headline["monthly"],
            "consolidated": headline["consolidated"],
            "cva_value_usd": float(headline["cva_value_usd"]),
            "outputs": headline["outputs"],
            "targeted": targets.get(0),
            "in_need": in_need.get(0),
            "coverage": ratio(headline["consolidated"], targets.get(0)),
            "reach_of_need": ratio(headline["consolidated"], in_need.get(0)),
            "split": split,
            "explain_url": explain(),
        },
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
