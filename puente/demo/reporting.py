"""A year of demo 5W: each partner reports a few indicators in a few places of the
countries it works in, month after month, with seasonality, new people mostly early in
the year, most rows validated, a few returned, the latest month still under review, and
older months locked."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from typing import Any

from django.utils import timezone

from puente.demo.planning import HOSTED
from puente.partners.models import Organisation
from puente.reference.models import Admin1, Indicator, Measure, PopulationGroup
from puente.reporting.models import ActivityRow, PeriodLock, RowChange, RowStatus
from puente.reporting.services.imports import rows_import

GROUP_WEIGHTS = {
    "in-destination": 55,
    "in-transit": 15,
    "pendular": 10,
    "colombian-returnees": 5,
    "host-community": 15,
}
VOUCHERS = ("e-voucher", "paper-voucher")
SECTOR_WEIGHTS = {
    "HEA": 14,
    "FSC": 14,
    "PRO": 12,
    "INT": 10,
    "SHE": 8,
    "WSH": 8,
    "EDU": 8,
    "MPC": 7,
    "NUT": 5,
    "HTR": 4,
    "CSS": 6,
}
# Monthly factor: movements and needs peak around the turn of the year and mid-year.
SEASON = {
    1: 1.15,
    2: 1.05,
    3: 1.0,
    4: 0.95,
    5: 0.95,
    6: 1.05,
    7: 1.1,
    8: 1.0,
    9: 0.95,
    10: 0.95,
    11: 1.0,
    12: 1.2,
}
# What partners write as the activity, in the language of the country they work in.
ACTIVITIES = {
    "es": {
        "EDU": "Apoyo a la matrícula escolar",
        "FSC": "Entrega de canastas alimentarias",
        "HEA": "Atención primaria en salud",
        "HTR": "Transporte humanitario",
        "INT": "Orientación para regularización",
        "NUT": "Tamizaje nutricional",
        "PRO": "Orientación legal",
        "SHE": "Alojamiento temporal",
        "WSH": "Entrega de kits de higiene",
        "MPC": "Transferencia monetaria multipropósito",
        "CSS": "Puntos de información",
    },
    "pt": {
        "EDU": "Apoio à matrícula escolar",
        "FSC": "Entrega de cestas básicas",
        "HEA": "Atenção primária à saúde",
        "HTR": "Transporte humanitário",
        "INT": "Orientação para regularização migratória",
        "NUT": "Triagem nutricional",
        "PRO": "Orientação jurídica",
        "SHE": "Abrigo temporário",
        "WSH": "Entrega de kits de higiene",
        "MPC": "Transferência monetária multipropósito",
        "CSS": "Pontos de informação",
    },
    "en": {
        "EDU": "School enrolment support",
        "FSC": "Food basket distribution",
        "HEA": "Primary health care",
        "HTR": "Humanitarian transport",
        "INT": "Guidance on regularisation",
        "NUT": "Nutrition screening",
        "PRO": "Legal counselling",
        "SHE": "Temporary shelter",
        "WSH": "Hygiene kit distribution",
        "MPC": "Multipurpose cash transfer",
        "CSS": "Information points",
    },
    "nl": {
        "EDU": "Ondersteuning bij schoolinschrijving",
        "FSC": "Uitdeling van voedselpakketten",
        "HEA": "Eerstelijnsgezondheidszorg",
        "HTR": "Humanitair vervoer",
        "INT": "Begeleiding bij regularisatie",
        "NUT": "Voedingsscreening",
        "PRO": "Juridisch advies",
        "SHE": "Tijdelijke huisvesting",
        "WSH": "Uitdeling van hygiënepakketten",
        "MPC": "Multifunctionele geldoverdracht",
        "CSS": "Informatiepunten",
    },
}
# The language activities are written in; Spanish elsewhere.
COUNTRY_LANGUAGE = {"BRA": "pt", "GUY": "en", "TTO": "en", "ABW": "nl", "CUW": "nl"}
# A partner's monthly reach grows with the Venezuelan population of the country, relative
# to a middle-sized one (Ecuador): Paraguay's partners reach far fewer than Colombia's.
REFERENCE_POPULATION = HOSTED["ECU"]


def population_factor(iso3: str) -> float:
    return min(2.5, max(0.12, (HOSTED[iso3] / REFERENCE_POPULATION) ** 0.5))


def demo_months(today: dt.date) -> list[dt.date]:
    """The twelve complete months before `today`."""
    first = today.replace(day=1)
    months = []
    for _step in range(12):
        first = (first - dt.timedelta(days=1)).replace(day=1)
        months.append(first)
    return sorted(months)


def _plans(rng: random.Random) -> list[dict[str, Any]]:
    indicators = list(Indicator.objects.select_related("sector"))
    by_sector: dict[str, list[Indicator]] = {}
    for indicator in indicators:
        by_sector.setdefault(indicator.sector.code, []).append(indicator)
    # Each country reports only the groups that apply in it (reference data).
    groups_in: dict[int, list[PopulationGroup]] = {}
    for group in PopulationGroup.objects.prefetch_related("countries"):
        for group_country in group.countries.all():
            groups_in.setdefault(group_country.pk, []).append(group)
    areas: dict[int, list[Admin1]] = {}
    for area in Admin1.objects.filter(parent__isnull=True).exclude(
        kind="Region", country__iso3="DOM"
    ):
        areas.setdefault(area.country_id, []).append(area)
    for area in Admin1.objects.filter(country__iso3="DOM", parent__isnull=False):
        areas.setdefault(area.country_id, []).append(area)
    plans = []
    seen: set[tuple[int, ...]] = set()
    sectors = list(SECTOR_WEIGHTS)
    for org in Organisation.objects.filter(appealing=True).prefetch_related("countries"):
        big = org.type in ("un-agency", "ingo")
        for country in org.countries.all():
            for _n in range(rng.randint(2, 5) if big else rng.randint(1, 3)):
                sector = rng.choices(sectors, weights=[SECTOR_WEIGHTS[s] for s in sectors])[0]
                indicator = rng.choice(by_sector[sector])
                area = rng.choice(areas[country.pk])
                groups = groups_in[country.pk]
                group = rng.choices(groups, weights=[GROUP_WEIGHTS[g.code] for g in groups])[0]
                scale = rng.lognormvariate(5.5 if big else 4.0, 0.8) * population_factor(
                    country.iso3
                )
                key = (org.pk, country.pk, area.pk, indicator.pk, group.pk)
                if key in seen:
                    continue
                seen.add(key)
                plans.append(
                    {
                        "org": org,
                        "country": country,
                        "area": area,
                        "group": group,
                        "indicator": indicator,
                        "scale": scale,
                        "activity": ACTIVITIES[COUNTRY_LANGUAGE.get(country.iso3, "es")][sector],
                        "sector": sector,
                        "cva": sector == "MPC" or (sector == "FSC" and rng.random() < 0.4),
                    }
                )
    return plans


def _rows(
    rng: random.Random, months: list[dt.date], terms: random.Random
) -> Iterator[tuple[int, dict[str, Any]]]:
    """`terms` draws the conditionality and restriction of cash plans, apart from `rng` so
    that the rest of the demo stays as it was."""
    number = 1
    for plan in _plans(rng):
        seen = 0.0
        # A cash programme keeps its terms all year: multipurpose cash mostly unconditional
        # and unrestricted, food cash often restricted to food; vouchers are restricted.
        conditional = terms.random() < (0.15 if plan["sector"] == "MPC" else 0.3)
        restricted = plan["sector"] != "MPC" and terms.random() < 0.5
        for index, month in enumerate(months):
            if rng.random() < 0.15:
                continue
            total = max(1, int(plan["scale"] * SEASON[month.month] * rng.uniform(0.7, 1.3)))
            # Everyone reached in the first month of a year is new in that year.
            new_share = 1.0 if month.month == 1 or index == 0 else max(0.1, 0.5 - seen / 10)
            new = max(0, min(total, int(total * new_share)))
            seen += 1
            children = int(new * rng.uniform(0.25, 0.45))
            girls = children // 2
            women = int((new - children) * rng.uniform(0.5, 0.65))
            row: dict[str, Any] = {
                "month": month.strftime("%Y-%m"),
                "country": plan["country"].iso3,
                "admin1": plan["area"].iso_code,
                "appealing_org": plan["org"].acronym,
                "indicator": plan["indicator"].code,
                "activity": plan["activity"],
                "rmrp_activity": "yes",
                "population_group": plan["group"].code,
                # teachers and staff trained: capacity building, never people reached
                "modality": "cva"
                if plan["cva"]
                else (
                    "capacity-building"
                    if plan["indicator"].measure == Measure.PEOPLE_TRAINED
                    else "service"
                    if plan["indicator"].sector.code in ("HEA", "PRO", "EDU")
                    else "in-kind"
                ),
            }
            if plan["cva"]:
                row["cva_value_usd"] = round(total * rng.uniform(40, 120), 2)
                mechanisms = ["mobile-money", "prepaid-card", "e-voucher"]
                row["delivery_mechanism"] = mechanism = rng.choice(mechanisms)
                row["conditionality"] = "conditional" if conditional else "unconditional"
                row["restriction"] = (
                    "restricted" if restricted or mechanism in VOUCHERS else "unrestricted"
                )
            if plan["indicator"].counts_people:
                row.update(
                    total_monthly=total,
                    new_beneficiaries=new,
                    girls=girls,
                    boys=children - girls,
                    women=women,
                    men=new - children - women,
                    other=0,
                    disability=int(new * 0.04),
                )
            elif plan["indicator"].measure == Measure.STOCK:
                # a level (support spaces operating), a handful per organisation and place
                row["quantity"] = rng.randint(1, 6)
            else:
                row["quantity"] = total * rng.randint(1, 4)
            number += 1
            yield number, row


def demo_reports_create(*, seed: int, today: dt.date | None = None) -> dict[str, int]:
    """Replace the demo 5W with a fresh, deterministic year."""
    rng = random.Random(seed)
    months = demo_months(today or timezone.now().date())
    PeriodLock.objects.all().delete()
    RowChange.objects.all().delete()
    ActivityRow.objects.all().delete()
    terms = random.Random(f"cva-terms-{seed}")
    report = rows_import(
        rows=_rows(rng, months, terms), acting_user=None, status=RowStatus.VALIDATED
    )
    if report.errors:
        raise RuntimeError(f"demo 5W has errors: {report.errors[:3]}")
    latest = months[-1]
    ActivityRow.objects.filter(month=latest).update(status=RowStatus.SUBMITTED)
    ids = list(ActivityRow.objects.filter(month=months[-2]).values_list("id", flat=True))
    returned = rng.sample(ids, k=max(1, len(ids) // 30))
    ActivityRow.objects.filter(id__in=returned).update(
        status=RowStatus.RETURNED,
        review_comment="Las cifras de nuevos beneficiarios no coinciden con el mes anterior.",
    )
    drafts = list(ActivityRow.objects.filter(month=latest).values_list("id", flat=True))
    ActivityRow.objects.filter(id__in=rng.sample(drafts, k=max(1, len(drafts) // 20))).update(
        status=RowStatus.DRAFT
    )
    from puente.analytics.services.cube import cube_refresh
    from puente.reference.models import Country

    for country in Country.objects.filter(iso3__in=["COL", "PER", "ECU", "BRA", "CHL"]):
        for month in months[:-3]:
            PeriodLock.objects.create(country=country, month=month)
    # The statuses above changed without the services: the cube follows them here.
    for year in sorted({m.year for m in months}):
        cube_refresh(country_ids=Country.objects.values_list("id", flat=True), year=year)
    return {"rows": report.imported, "months": len(months), "returned": len(returned)}
