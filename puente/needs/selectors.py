"""People in need, summed as docs/methodology.md says: a sector's figure sums its
admin-1 areas and population groups; the inter-sector figure takes, per admin-1 area and
population group, the largest sector's need, sums the areas, and is never below a sector
given for the whole country; Common Services stay out of it."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db.models import QuerySet

from puente.accounts.permissions import Action, Actor, check_somewhere
from puente.needs.models import NeedFigure, PopulationFigure

INTER_SECTOR = 0  # the key of the inter-sector figure among sector ids


def need_figures(
    *,
    year: int,
    country_ids: tuple[int, ...] | None = None,
    population_group_id: int | None = None,
    admin1_id: int | None = None,
) -> QuerySet[NeedFigure]:
    """`admin1_id`: the figures given for that area alone (a figure given for the whole
    country is not the area's)."""
    figures = NeedFigure.objects.filter(year=year)
    if country_ids is not None:
        figures = figures.filter(country_id__in=country_ids)
    if admin1_id is not None:
        figures = figures.filter(admin1_id=admin1_id)
    if population_group_id is not None:
        figures = figures.filter(population_group_id=population_group_id)
    return figures


def people_in_need_by_country_and_sector(
    *,
    year: int,
    country_ids: tuple[int, ...] | None = None,
    population_group_id: int | None = None,
    admin1_id: int | None = None,
) -> dict[tuple[int, int], dict[str, Any]]:
    """{(country id, sector id or INTER_SECTOR): {"people_in_need", "severity"}}; the
    severity shown is the highest of the areas and groups behind the figure.

    Every door (the needs page and its downloads, the dashboards, their API and public
    page, the gap view) reads people in need here, so the inter-sector rule is this one
    (docs/methodology.md, "People in need"), per country c and population group g:
      X(c,a,g) = max over the sectors given for admin-1 area a of their figure there;
      X(c,g)   = max(sum over a of X(c,a,g), each sector's figure given for the whole
                 country); the country's figure sums X(c,g) over g.
    Sectors out of inter-sector figures (`Sector.in_intersector` off: Common Services)
    keep their own figure and take no part in X."""
    result: dict[tuple[int, int], dict[str, Any]] = defaultdict(
        lambda: {"people_in_need": 0, "severity": None}
    )
    by_area: dict[tuple[int, int, int], int] = {}  # X(c,a,g), keyed (c, g, a)
    whole: dict[tuple[int, int], int] = {}  # the largest country-level sector, keyed (c, g)
    rows = need_figures(
        year=year,
        country_ids=country_ids,
        population_group_id=population_group_id,
        admin1_id=admin1_id,
    ).values_list(
        "country_id",
        "admin1_id",
        "sector_id",
        "population_group_id",
        "people_in_need",
        "severity",
        "sector__in_intersector",
        "sector__parent__in_intersector",
    )
    for country, admin1, sector, group, people, severity, counted, parent_counted in rows:
        cell = result[(country, sector)]
        cell["people_in_need"] += people
        if severity is not None:
            cell["severity"] = max(cell["severity"] or 0, severity)
        if not counted or parent_counted is False:
            continue
        if admin1 is None:
            whole[(country, group)] = max(whole.get((country, group), 0), people)
        else:
            key = (country, group, admin1)
            by_area[key] = max(by_area.get(key, 0), people)
    areas_summed: dict[tuple[int, int], int] = defaultdict(int)
    for (country, group, _area), people in by_area.items():
        areas_summed[(country, group)] += people
    for country, group in areas_summed.keys() | whole.keys():
        people = max(areas_summed.get((country, group), 0), whole.get((country, group), 0))
        result[(country, INTER_SECTOR)]["people_in_need"] += people
    return dict(result)


def people_in_need_by_sector(
    *,
    year: int,
    country_ids: tuple[int, ...] | None = None,
    population_group_id: int | None = None,
    admin1_id: int | None = None,
) -> dict[int, int]:
    """{sector id: people in need} over the countries (or the admin-1 area) asked, with
    INTER_SECTOR."""
    totals: dict[int, int] = defaultdict(int)
    for (_country, sector), cell in people_in_need_by_country_and_sector(
        year=year,
        country_ids=country_ids,
        population_group_id=population_group_id,
        admin1_id=admin1_id,
    ).items():
        totals[sector] += cell["people_in_need"]
    return dict(totals)


def need_rows(*, year: int, country_ids: tuple[int, ...] | None = None) -> list[dict[str, Any]]:
    """The needs of a year as a table, in the columns the import reads (an export of it
    imports again unchanged)."""
    figures = need_figures(year=year, country_ids=country_ids).select_related(
        "country", "admin1", "sector", "population_group"
    )
    return [
        {
            "year": f.year,
            "country": f.country.iso3,
            "admin1": f.admin1.iso_code if f.admin1 else "",
            "sector": f.sector.code,
            "population_group": f.population_group.code,
            "people_in_need": f.people_in_need,
            "severity": f.severity or "",
        }
        for f in figures
    ]


def population_rows(
    *, year: int, country_ids: tuple[int, ...] | None = None
) -> list[dict[str, Any]]:
    figures = PopulationFigure.objects.filter(year=year).select_related(
        "country", "population_group"
    )
    if country_ids is not None:
        figures = figures.filter(country_id__in=country_ids)
    return [
        {
            "year": f.year,
            "country": f.country.iso3,
            "population_group": f.population_group.code,
            "population": f.population,
            "regular": "" if f.regular is None else f.regular,
            "irregular": "" if f.irregular is None else f.irregular,
        }
        for f in figures
    ]


def need_years() -> list[int]:
    return sorted(set(NeedFigure.objects.values_list("year", flat=True).distinct()), reverse=True)


def needs_page_check(user: Actor) -> None:
    """The needs analysis pages (the tables and their downloads) open to those who read
    reports somewhere: PermissionDenied for anyone else."""
    check_somewhere(user, Action.VIEW_REPORTS)
