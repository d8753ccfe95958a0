"""People in need, summed as docs/methodology.md says: a sector's figure sums its
admin-1 areas and population groups; the inter-sector figure takes, per admin-1 area and
population group, the largest sector's need, sums the areas, and is never below a sector
given for the whole country; Common Services stay out of it."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
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
    keep their own figure and take no part in X. The counting is
    `figures_at_mixed_levels`, which targets share."""
    result: dict[tuple[int, int], dict[str, Any]] = defaultdict(
        lambda: {"people_in_need": 0, "severity": None}
    )
    rows = list(
        need_figures(
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
            "sector__in_intersector",
            "sector__parent__in_intersector",
            "severity",
        )
    )
    for key, people in figures_at_mixed_levels(row[:7] for row in rows).items():
        result[key]["people_in_need"] = people
    for country, _admin1, sector, _group, _people, *_counted, severity in rows:
        if severity is not None:
            cell = result[(country, sector)]
            cell["severity"] = max(cell["severity"] or 0, severity)
    return dict(result)


def figures_at_mixed_levels(
    rows: Iterable[tuple[int, int | None, int, int, int, bool, bool | None]],
) -> dict[tuple[int, int], int]:
    """{(country id, key or INTER_SECTOR): people} from figures (country, admin-1 area or
    None for the whole country, key, population group, people, sector in inter-sector
    figures, its parent's setting or None) given per admin-1 area or for the whole
    country: the rule of people in need at mixed levels (docs/methodology.md), which
    targets follow too. Per country c and population group g:
      F(c,k,g) = the figures of key k summed over its areas, or its figure for the whole
                 country, the larger where both are given (never the two added);
      X(c,a,g) = max over the keys given for area a of their figure there;
      X(c,g)   = max(sum over a of X(c,a,g), each key's figure given for the whole
                 country); the country's figures sum F and X over g.
    The key is a sector (or an indicator, whose figures have no inter-sector one); rows
    whose sector is out of inter-sector figures (Common Services) keep their own figure
    and take no part in X."""
    areas: dict[tuple[int, int, int], int] = defaultdict(int)  # sum over a, keyed (c, k, g)
    wholes: dict[tuple[int, int, int], int] = defaultdict(int)  # country-wide, keyed (c, k, g)
    by_area: dict[tuple[int, int, int], int] = {}  # X(c,a,g), keyed (c, g, a)
    whole: dict[tuple[int, int], int] = {}  # the largest country-wide key, keyed (c, g)
    for country, admin1, key, group, people, counted, parent_counted in rows:
        if admin1 is None:
            wholes[(country, key, group)] += people
        else:
            areas[(country, key, group)] += people
        if not counted or parent_counted is False:
            continue
        if admin1 is None:
            whole[(country, group)] = max(whole.get((country, group), 0), people)
        else:
            slot = (country, group, admin1)
            by_area[slot] = max(by_area.get(slot, 0), people)
    result: dict[tuple[int, int], int] = defaultdict(int)
    for country, key, group in areas.keys() | wholes.keys():
        result[(country, key)] += max(
            areas.get((country, key, group), 0), wholes.get((country, key, group), 0)
        )
    areas_summed: dict[tuple[int, int], int] = defaultdict(int)
    for (country, group, _area), people in by_area.items():
        areas_summed[(country, group)] += people
    for country, group in areas_summed.keys() | whole.keys():
        people = max(areas_summed.get((country, group), 0), whole.get((country, group), 0))
        result[(country, INTER_SECTOR)] += people
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
