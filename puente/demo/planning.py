"""Demo plans, needs and funding: IOM's appeal from its plan file, an inter-agency RMRP
that partners have filled (most entries approved, some waiting, a few drafts), sector
targets (per admin-1 area too for a few areas of Colombia and Peru, with targets of their
own for their most reported indicators), a needs analysis per admin-1 area, exchange rates
and a year of contributions with some money passed on from UN agencies to national
partners.

Population figures start from the regional totals of the seed (6.59 million Venezuelans
in the region at the end of 2024, about 68 % with a regular status); everything else is
invented to look plausible, deterministically."""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import Count, Max, Sum

from puente.funding.models import Contribution, ExchangeRate
from puente.needs.models import NeedFigure, PopulationFigure
from puente.partners.models import Organisation
from puente.plans.models import EntryTarget, Plan, PlanEntry, PlanningFigure
from puente.plans.selectors import requirement_rows
from puente.plans.services.imports import plan_import
from puente.reference.models import Admin1, Country, Indicator, Measure, PopulationGroup, Sector
from puente.reporting.models import ActivityRow, RowStatus

APPEAL_FILE = Path(__file__).resolve().parents[1] / "plans" / "data" / "iom-appeal-2025.csv"
RMRP_CODE = "rmrp-2025-2026"
YEARS = (2025, 2026)
# Venezuelans hosted at the end of 2024, by country (regional total about 6.59 million).
HOSTED = {
    "COL": 2_810_000,
    "PER": 1_540_000,
    "BRA": 620_000,
    "CHL": 720_000,
    "ECU": 440_000,
    "ARG": 160_000,
    "DOM": 110_000,
    "MEX": 100_000,
    "PAN": 60_000,
    "CRI": 30_000,
    "TTO": 30_000,
    "URY": 30_000,
    "GUY": 20_000,
    "ABW": 17_000,
    "BOL": 14_000,
    "CUW": 14_000,
    "PRY": 6_000,
}
GROUP_SHARE = {
    "in-destination": 0.70,
    "in-transit": 0.08,
    "pendular": 0.07,
    "colombian-returnees": 0.05,
    "host-community": 0.10,
}
# Demo exchange rates (US dollars per unit), approximate, from the first of January.
RATES = {
    "EUR": "1.04",
    "GBP": "1.25",
    "CAD": "0.70",
    "CHF": "1.10",
    "SEK": "0.091",
    "NOK": "0.088",
    "JPY": "0.0064",
    "AUD": "0.62",
}
DONORS = [
    ("United States of America", "USD", 30),
    ("European Union (ECHO)", "EUR", 14),
    ("Germany", "EUR", 9),
    ("Canada", "CAD", 6),
    ("United Kingdom", "GBP", 5),
    ("Spain", "EUR", 5),
    ("Sweden", "SEK", 4),
    ("Switzerland", "CHF", 4),
    ("Norway", "NOK", 3),
    ("Japan", "JPY", 3),
    ("Private donors", "USD", 2),
]


# How much larger the RMRP entries of the largest agencies are than another UN agency's or
# international NGO's (the co-lead UNHCR and the food and children's agencies ask most;
# IOM enters its appeal's lines).
AGENCY_SCALE = {"UNHCR": 9.0, "WFP": 14.0, "UNICEF": 4.0, "PAHO": 1.5}


def group_countries_of(group: PopulationGroup) -> set[int]:
    """The ids of the countries where a group applies (prefetched with the group): the
    demo's figures follow the reference data, as a platform's would."""
    return {country.pk for country in group.countries.all()}


def _reached(year: int) -> dict[tuple[int, int, int], int]:
    """Sum of new people in the demo 5W per country, sector and group: targets and needs
    are set around it so coverage looks like a response's."""
    rows = (
        ActivityRow.objects.filter(month__year=year, status=RowStatus.VALIDATED)
        .values("country_id", "sector_id", "population_group_id")
        .annotate(people=Sum("new_beneficiaries"))
    )
    return {
        (r["country_id"], r["sector_id"], r["population_group_id"]): r["people"] or 0 for r in rows
    }


def _split(total: int, weights: list[float]) -> list[int]:
    """`total` in whole parts in proportion to `weights`, adding up to it exactly."""
    parts = [int(total * w / sum(weights)) for w in weights]
    parts[0] += total - sum(parts)
    return parts


def _population(
    rng: random.Random, countries: dict[str, Country], groups: list[PopulationGroup]
) -> int:
    figures: list[tuple[int, Country, PopulationGroup, int, int | None, int | None]] = []
    for year in YEARS:
        growth = 1 + 0.03 * (year - 2025)
        for iso3, hosted in HOSTED.items():
            for group in groups:
                if countries[iso3].pk not in group_countries_of(group):
                    continue
                people = int(hosted * GROUP_SHARE[group.code] * growth * rng.uniform(0.9, 1.1))
                if group.code == "host-community":
                    figures.append((year, countries[iso3], group, people, None, None))
                    continue
                regular = int(people * rng.uniform(0.6, 0.75))
                figures.append((year, countries[iso3], group, people, regular, people - regular))
    PopulationFigure.objects.bulk_create(
        PopulationFigure(
            year=y, country=c, population_group=g, population=p, regular=r, irregular=i
        )
        for y, c, g, p, r, i in figures
    )
    return len(figures)


def _needs_and_targets(
    rng: random.Random, sectors: list[Sector], groups: list[PopulationGroup]
) -> int:
    areas_by_country: dict[int, list[Admin1]] = {}
    reported = ActivityRow.objects.values("admin1_id").annotate(last=Max("month"))
    used = {r["admin1_id"] for r in reported}
    for area in Admin1.objects.filter(pk__in=used):
        areas_by_country.setdefault(area.country_id, []).append(area)
    count = 0
    for year in YEARS:
        reached = _reached(year)
        population = {
            (f.country_id, f.population_group_id): f.population
            for f in PopulationFigure.objects.filter(year=year)
        }
        needs, targets = [], []
        for country_id, areas in areas_by_country.items():
            for sector in sectors:
                for group in groups:
                    if country_id not in group_countries_of(group):
                        continue
                    # People in need are a share of the group's population (never more
                    # than all of it); targets a share of those in need, and at least
                    # what partners already reached.
                    people = population.get((country_id, group.pk), 0)
                    done = reached.get((country_id, sector.pk, group.pk), 0)
                    need = min(people, max(int(people * rng.uniform(0.25, 0.75)), done))
                    target = max(int(need * rng.uniform(0.2, 0.5)), int(done * 1.1))
                    if not sector.in_intersector:
                        # Common Services: a target, no people in need (docs/methodology.md).
                        target = max(int(people * rng.uniform(0.03, 0.1)), done)
                    targets.append(
                        PlanningFigure(
                            kind=PlanningFigure.Kind.TARGET,
                            year=year,
                            country_id=country_id,
                            sector=sector,
                            population_group=group,
                            people=target,
                        )
                    )
                    if not sector.in_intersector or not need:
                        continue
                    weights = [rng.random() + 0.2 for _a in areas]
                    shares = _split(need, weights)
                    for area, share in zip(areas, shares, strict=True):
                        if share:
                            needs.append(
                                NeedFigure(
                                    year=year,
                                    country_id=country_id,
                                    admin1=area,
                                    sector=sector,
                                    population_group=group,
                                    people_in_need=share,
                                    severity=rng.choices([2, 3, 4, 5], weights=[2, 4, 3, 1])[0],
                                )
                            )
        targets += _area_targets(rng, targets, areas_by_country)
        targets += _indicator_targets(rng, year)
        PlanningFigure.objects.bulk_create(targets)
        NeedFigure.objects.bulk_create(needs, batch_size=5000)
        count += len(needs)
    return count


def _rmrp(
    rng: random.Random, sectors: list[Sector], groups: list[PopulationGroup], appeal: Plan
) -> Plan:
    plan = Plan.objects.create(
        code=RMRP_CODE,
        name_en="Regional Refugee and Migrant Response Plan 2025-2026",
        name_es="Plan Regional de Respuesta para Refugiados y Migrantes 2025-2026",
        name_pt="Plano Regional de Resposta para Refugiados e Migrantes 2025-2026",
        kind=Plan.Kind.INTER_AGENCY,
        start_year=YEARS[0],
        end_year=YEARS[-1],
        status=Plan.Status.PUBLISHED,
        figures_as_of=dt.date(2024, 12, 10),
    )
    plan.countries.set(Country.objects.all())
    entries: list[PlanEntry] = []
    targets: list[tuple[int, PopulationGroup, int]] = []
    # The appealing organisation of the agency appeal enters its appeal's lines (below).
    partners = Organisation.objects.filter(appealing=True).exclude(plans=appeal)
    for org in partners.prefetch_related("countries"):
        big = org.type in ("un-agency", "ingo")
        for country in org.countries.all():
            for sector in rng.sample(sectors, k=rng.randint(2, 4) if big else rng.randint(1, 2)):
                for year in YEARS:
                    status = rng.choices(
                        [
                            PlanEntry.Status.APPROVED,
                            PlanEntry.Status.SUBMITTED,
                            PlanEntry.Status.DRAFT,
                        ],
                        weights=[85, 10, 5] if year == YEARS[0] else [60, 30, 10],
                    )[0]
                    amount = rng.lognormvariate(13.2 if big else 11.3, 0.9) * AGENCY_SCALE.get(
                        org.acronym, 0.8 if big else 1
                    )
                    entries.append(
                        PlanEntry(
                            plan=plan,
                            organisation=org,
                            country=country,
                            sector=sector,
                            year=year,
                            requirement_usd=Decimal(int(amount)),
                            activities="\n".join(rng.sample(ACTIVITIES, k=2)),
                            status=status,
                        )
                    )
                    applying = [g for g in groups if country.pk in group_countries_of(g)]
                    for group in rng.sample(applying, k=min(2, len(applying))):
                        targets.append(
                            (len(entries) - 1, group, int(amount / rng.uniform(80, 400)))
                        )
    entries += _appeal_entries(appeal, plan)
    PlanEntry.objects.bulk_create(entries, batch_size=2000)
    EntryTarget.objects.bulk_create(
        (EntryTarget(entry=entries[i], population_group=g, people=p) for i, g, p in targets),
        batch_size=5000,
    )
    # IOM's appeal is its part of the RMRP: its lines meet its entries, its money counts once.
    appeal.part_of = plan
    appeal.save(update_fields=["part_of"])
    return plan


def _appeal_entries(appeal: Plan, plan: Plan) -> list[PlanEntry]:
    """The appealing organisation's approved entries in the RMRP: its appeal's lines by
    country, sector and year (lines of regional work or without a sector have no entry
    and show as differences on the appeal's page)."""
    totals: dict[tuple[int, int, int], Decimal] = defaultdict(Decimal)
    for row in requirement_rows(appeal):
        if row.country_id is not None and row.sector_id is not None:
            totals[(row.country_id, row.sector_id, row.year)] += row.amount
    return [
        PlanEntry(
            plan=plan,
            organisation_id=appeal.organisation_id,  # type: ignore[misc]
            country_id=country,
            sector_id=sector,
            year=year,
            requirement_usd=amount,
            activities="",
            status=PlanEntry.Status.APPROVED,
        )
        for (country, sector, year), amount in sorted(totals.items())
    ]


ACTIVITIES = [
    "Atención primaria en salud",
    "Kits de higiene",
    "Transferencias monetarias",
    "Orientación legal",
    "Alojamiento temporal",
    "Apoyo psicosocial",
    "Cursos de formación profesional",
    "Alimentación escolar",
    "Espacios amigables para la niñez",
    "Transporte humanitario",
]


def _contributions(rng: random.Random, plans: list[Plan]) -> int:
    for currency, rate in RATES.items():
        ExchangeRate.objects.create(
            currency=currency, valid_from=dt.date(2025, 1, 1), usd_per_unit=Decimal(rate)
        )
    rates = {c: Decimal(r) for c, r in RATES.items()} | {"USD": Decimal(1)}
    local = list(
        Organisation.objects.filter(
            appealing=True, type__in=Organisation.NATIONAL_TYPES
        ).prefetch_related("countries")
    )
    contributions = []
    number = 0
    for plan in plans:
        entries = (
            PlanEntry.objects.filter(plan=plan, status=PlanEntry.Status.APPROVED).select_related(
                "organisation"
            )
            if plan.kind == Plan.Kind.INTER_AGENCY
            else None
        )
        lines: list[tuple[Organisation, Any, Any, int, Decimal]] = []
        if entries is not None:
            # Money for an organisation with its own appeal in the plan is recorded once,
            # against the appeal (the plan counts it from there).
            appealing = set(plan.agency_appeals.values_list("organisation_id", flat=True))
            lines = [
                (e.organisation, e.country, e.sector, e.year, e.requirement_usd)
                for e in entries
                if e.organisation_id not in appealing
            ]
        else:
            for area in plan.activity_areas.prefetch_related("requirements"):
                for requirement in area.requirements.all():
                    lines.append(
                        (
                            plan.organisation,
                            requirement.country,
                            area.sector,
                            requirement.year,
                            requirement.requirement_usd,
                        )  # type: ignore[arg-type]
                    )
        for org, country, sector, year, required in lines:
            if rng.random() < 0.3:
                continue
            funded_share = rng.uniform(0.1, 0.9) * (0.6 if year == YEARS[-1] else 1)
            donor, currency, _weight = rng.choices(DONORS, weights=[d[2] for d in DONORS])[0]
            usd = (required * Decimal(str(round(funded_share, 3)))).quantize(Decimal("1"))
            amount = (usd / rates[currency]).quantize(Decimal("1"))
            status = rng.choices(["paid", "committed", "pledged"], weights=[60, 30, 10])[0]
            date = dt.date(
                year, rng.randint(1, 10 if year == YEARS[-1] else 12), rng.randint(1, 28)
            )
            number += 1
            contributions.append(
                Contribution(
                    donor=donor,
                    recipient=org,
                    plan=plan,
                    country=country,
                    sector=sector,
                    amount=amount,
                    currency=currency,
                    exchange_rate=rates[currency],
                    amount_usd=(amount * rates[currency]).quantize(Decimal("0.01")),
                    date=date,
                    status=status,
                    source="demo",
                    source_id=f"D{number:06d}",
                )
            )
            # a UN agency passes part of its money on to a national partner
            partners = [o for o in local if country is not None and country in o.countries.all()]
            if org.type == "un-agency" and partners and rng.random() < 0.35:
                partner = rng.choice(partners)
                passed = (usd * Decimal(str(round(rng.uniform(0.1, 0.4), 3)))).quantize(
                    Decimal("1")
                )
                number += 1
                contributions.append(
                    Contribution(
                        donor=org.acronym,
                        donor_organisation=org,
                        recipient=partner,
                        plan=plan,
                        country=country,
                        sector=sector,
                        amount=passed,
                        currency="USD",
                        exchange_rate=Decimal(1),
                        amount_usd=passed,
                        date=date + dt.timedelta(days=20),
                        status="paid",
                        pass_through=True,
                        source="demo",
                        source_id=f"D{number:06d}",
                    )
                )
    Contribution.objects.bulk_create(contributions, batch_size=2000)
    return len(contributions)


# Countries whose sector targets are also planned per admin-1 area, for a few areas.
AREA_TARGET_COUNTRIES = ("COL", "PER")
AREA_TARGET_AREAS = 3
# Indicators given a target of their own, per country: the most reported ones.
INDICATOR_TARGETS = 5


def _area_targets(
    rng: random.Random, targets: list[PlanningFigure], areas_by_country: dict[int, list[Admin1]]
) -> list[PlanningFigure]:
    """The targets of a few admin-1 areas of Colombia and Peru, for the sectors counted
    in inter-sector figures: the areas where the 5W reaches most people, each a share
    of the country's target near its share of the people the country reaches, the
    shares of the areas adding up to at most 60 %. A sector's areas then sum to less
    than its country target, and, per population group, the areas' largest sectors to
    less than the largest country target: the country's figures stay those of the
    country."""
    chosen = Country.objects.filter(iso3__in=AREA_TARGET_COUNTRIES).values_list("pk", flat=True)
    result = []
    for country_id in chosen:
        known = {a.pk: a for a in areas_by_country.get(country_id, [])}
        reached = dict(
            ActivityRow.objects.filter(country_id=country_id, status=RowStatus.VALIDATED)
            .values("admin1_id")
            .annotate(people=Sum("new_beneficiaries"))
            .values_list("admin1_id", "people")
        )
        total = sum(p or 0 for p in reached.values())
        ranked = sorted(
            (pk for pk in reached if pk in known), key=lambda pk: (-(reached[pk] or 0), pk)
        )
        areas = [known[pk] for pk in ranked[:AREA_TARGET_AREAS]]
        if not areas or not total:
            continue
        shares = [(reached[a.pk] or 0) / total * rng.uniform(0.9, 1.1) for a in areas]
        if sum(shares) > 0.6:
            shares = [share * 0.6 / sum(shares) for share in shares]
        for figure in targets:
            if figure.country_id != country_id or not figure.sector.in_intersector:
                continue
            for area, share in zip(areas, shares, strict=True):
                people = int(figure.people * share)
                if people:
                    result.append(
                        PlanningFigure(
                            kind=PlanningFigure.Kind.TARGET,
                            year=figure.year,
                            country_id=country_id,
                            admin1=area,
                            sector=figure.sector,
                            population_group=figure.population_group,
                            people=people,
                        )
                    )
    return result


def _indicator_targets(rng: random.Random, year: int) -> list[PlanningFigure]:
    """Targets of their own for the most reported indicators of Colombia and Peru, per
    population group: above what the 5W gives (people reached or trained, a quantity; a
    stock's level of its latest month), as a plan aims above what is done."""
    rows = ActivityRow.objects.filter(
        month__year=year, status=RowStatus.VALIDATED, country__iso3__in=AREA_TARGET_COUNTRIES
    )
    result = []
    for country_id in rows.values_list("country_id", flat=True).distinct().order_by("country_id"):
        mine = rows.filter(country_id=country_id)
        top = (
            mine.values("indicator_id")
            .annotate(n=Count("id"))
            .order_by("-n", "indicator_id")
            .values_list("indicator_id", flat=True)[:INDICATOR_TARGETS]
        )
        for indicator in Indicator.objects.filter(pk__in=list(top)).select_related("sector"):
            own = mine.filter(indicator=indicator)
            if indicator.measure == Measure.STOCK:
                own = own.filter(month=own.aggregate(last=Max("month"))["last"])
            field = "new_beneficiaries" if indicator.counts_people else "quantity"
            for group_id, done in (
                own.values_list("population_group_id")
                .annotate(done=Sum(field))
                .values_list("population_group_id", "done")
                .order_by("population_group_id")
            ):
                if done:
                    result.append(
                        PlanningFigure(
                            kind=PlanningFigure.Kind.TARGET,
                            year=year,
                            country_id=country_id,
                            sector_id=indicator.sector_id,
                            indicator=indicator,
                            population_group_id=group_id,
                            people=int(done * rng.uniform(1.1, 1.6)),
                        )
                    )
    return result


@transaction.atomic
def demo_planning_create(*, seed: int) -> dict[str, int]:
    """Replace the demo plans, needs and funding (run after the demo partners and 5W)."""
    rng = random.Random(seed + 5)
    Contribution.objects.all().delete()
    ExchangeRate.objects.all().delete()
    EntryTarget.objects.all().delete()
    PlanEntry.objects.all().delete()
    Plan.objects.update(part_of=None)  # an appeal's link keeps its plan from deletion
    Plan.objects.all().delete()
    NeedFigure.objects.all().delete()
    PopulationFigure.objects.all().delete()
    PlanningFigure.objects.all().delete()
    countries = {c.iso3: c for c in Country.objects.all()}
    groups = list(PopulationGroup.objects.prefetch_related("countries"))
    sectors = list(Sector.objects.filter(parent__isnull=True))
    report = plan_import(source=APPEAL_FILE, filename=APPEAL_FILE.name)
    if report.errors:
        raise RuntimeError(f"the appeal file has errors: {report.errors[:3]}")
    appeal = Plan.objects.get(code="iom-rmrp-2025-2026")
    rmrp = _rmrp(rng, sectors, groups, appeal)
    return {
        "plans": Plan.objects.count(),
        "entries": PlanEntry.objects.filter(plan=rmrp).count(),
        "population": _population(rng, countries, groups),
        "needs": _needs_and_targets(rng, sectors, groups),
        "contributions": _contributions(rng, [rmrp, appeal]),
    }
