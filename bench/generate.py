"""Deterministic, realistic 5W files for benchmarks.

The rows follow the demo response's shape: partners report in the countries they work
in, on indicators of every sector, across a year, with unique keys (the admin-2 column
varies) so that every row is a new row."""

from __future__ import annotations

import csv
import random
from pathlib import Path

import xlsxwriter

from puente.reporting.services.columns import COLUMN_NAMES  # Django is set up first

HEADER = COLUMN_NAMES  # the 5W import columns, in their canonical order
# The columns `rows()` gives, in order: every import column but the CVA terms
# (conditionality, restriction), which the import reads as empty when absent.
GENERATED_HEADER = [c for c in HEADER if c not in ("conditionality", "restriction")]
GROUPS = ["in-destination", "in-transit", "pendular", "colombian-returnees", "host-community"]


def reference_pools() -> dict:
    """Organisations with their countries, admin-1 codes and indicators, from the database."""
    from puente.partners.models import Organisation
    from puente.reference.models import Admin1, Indicator

    areas: dict[str, list[str]] = {}
    for code, iso3 in Admin1.objects.values_list("iso_code", "country__iso3"):
        areas.setdefault(iso3, []).append(code)
    orgs = [
        (o.acronym, [c.iso3 for c in o.countries.all()])
        for o in Organisation.objects.filter(appealing=True).prefetch_related("countries")
    ]
    from puente.reference.models import PopulationGroup

    indicators = [(i.code, i.counts_people) for i in Indicator.objects.order_by("code")]
    # Where each population group applies (a group of no country applies everywhere).
    group_countries = {
        g.code: {c.iso3 for c in g.countries.all()} or None
        for g in PopulationGroup.objects.prefetch_related("countries")
    }
    return {
        "areas": areas,
        "orgs": orgs,
        "indicators": indicators,
        "group_countries": group_countries,
    }


def backdate_indicators(year: int) -> None:
    """Put every indicator in force from `year` in this (benchmark) database: the shipped
    indicators start in 2025, and benchmarks fill earlier years too."""
    from puente.reference.models import Indicator

    Indicator.objects.filter(first_year__gt=year).update(first_year=year)


def rows(pools: dict, count: int, *, seed: int = 1, year: int = 2024, start: int = 0):
    rng = random.Random(seed)
    orgs, areas, indicators = pools["orgs"], pools["areas"], pools["indicators"]
    where = pools.get("group_countries") or {}
    for n in range(count):
        acronym, countries = orgs[rng.randrange(len(orgs))]
        iso3 = countries[rng.randrange(len(countries))]
        admin1 = areas[iso3][rng.randrange(len(areas[iso3]))]
        code, counts_people = indicators[rng.randrange(len(indicators))]
        month = f"{year}-{rng.randint(1, 12):02d}"
        total = rng.randint(5, 2000)
        new = rng.randint(0, total)
        girls = new // 5
        boys = new // 5
        women = new // 4
        men = new - girls - boys - women
        cva = rng.random() < 0.1
        groups = [g for g in GROUPS if not where.get(g) or iso3 in where[g]]
        yield [
            month,
            iso3,
            admin1,
            f"Municipio {start + n}",
            acronym,
            "",
            code,
            "Actividad del plan",
            "yes",
            "cva" if cva else "service",
            f"{total * 50}.00" if cva else "",
            "mobile money" if cva else "",
            groups[rng.randrange(len(groups))],
            "" if counts_people else rng.randint(1, 500),
            total if counts_people else "",
            new if counts_people else "",
            girls if counts_people else "",
            boys if counts_people else "",
            women if counts_people else "",
            men if counts_people else "",
            0 if counts_people else "",
            new // 20 if counts_people else "",
        ]


def write_csv(
    path: Path, pools: dict, count: int, *, seed: int = 1, start: int = 0, year: int = 2024
) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(GENERATED_HEADER)
        writer.writerows(rows(pools, count, seed=seed, start=start, year=year))
    return path


def write_xlsx(path: Path, pools: dict, count: int, *, seed: int = 2, year: int = 2023) -> Path:
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = book.add_worksheet("5W")
    sheet.write_row(0, 0, GENERATED_HEADER)
    for index, row in enumerate(rows(pools, count, seed=seed, year=year), start=1):
        sheet.write_row(index, 0, row)
    book.close()
    return path
