"""Demo flow monitoring: points along the routes through Colombia, Ecuador, Peru, Brazil
and Chile, three months of daily counts and a few thousand survey summaries. Places and
coordinates are real; every figure is made up. Deterministic for a seed; run twice, it
replaces its own figures and adds nothing."""

from __future__ import annotations

import calendar
import datetime as dt
import random
from typing import Any

from django.db import transaction
from django.utils import timezone

from puente.flows.models import (
    AgeGroup,
    Direction,
    FlowCount,
    FlowPoint,
    Incident,
    Need,
    PointKind,
    Sex,
    Source,
    SurveySummary,
    Transport,
)
from puente.reference.models import Admin1, Country

MONTHS = 3
B, T, R = PointKind.BORDER_CROSSING, PointKind.BUS_TERMINAL, PointKind.ROUTE_POINT
# code, name, kind, admin-1, admin-2, latitude, longitude, public,
# daily entries, daily exits, main means of transport
POINTS: list[tuple[str, str, str, str, str, str, str, bool, int, int, str]] = [
    ("col-simon-bolivar", "Puente Internacional Simón Bolívar", B, "CO-NSA",
     "Villa del Rosario", "7.823600", "-72.458900", True, 1800, 1300, Transport.WALKING),
    ("col-rumichaca", "Puente Internacional de Rumichaca (Ipiales)", B, "CO-NAR",
     "Ipiales", "0.816000", "-77.644000", True, 260, 520, Transport.WALKING),
    ("col-terminal-bogota", "Terminal de Transporte Salitre", T, "CO-DC",
     "Bogotá", "4.653300", "-74.115600", False, 420, 380, Transport.BUS),
    ("col-necocli", "Necoclí (muelle)", R, "CO-ANT",
     "Necoclí", "8.426000", "-76.784000", True, 40, 310, Transport.BOAT),
    ("ecu-rumichaca", "Puente de Rumichaca (Tulcán)", B, "EC-C",
     "Tulcán", "0.815000", "-77.662000", True, 500, 240, Transport.BUS),
    ("ecu-huaquillas", "CEBAF Huaquillas", B, "EC-O",
     "Huaquillas", "-3.476000", "-80.230000", True, 190, 430, Transport.BUS),
    ("ecu-terminal-quitumbe", "Terminal Terrestre Quitumbe", T, "EC-P",
     "Quito", "-0.295000", "-78.556000", False, 230, 210, Transport.BUS),
    ("per-cebaf-tumbes", "CEBAF Tumbes", B, "PE-TUM",
     "Aguas Verdes", "-3.482000", "-80.246000", True, 410, 160, Transport.BUS),
    ("per-santa-rosa", "Complejo Fronterizo Santa Rosa", B, "PE-TAC",
     "Tacna", "-18.250000", "-70.330000", False, 70, 140, Transport.CAR),
    ("per-terminal-lima", "Terminal Plaza Norte", T, "PE-LMA",
     "Lima", "-11.998000", "-77.060000", False, 300, 260, Transport.BUS),
    ("bra-pacaraima", "Posto de fronteira de Pacaraima", B, "BR-RR",
     "Pacaraima", "4.480000", "-61.146000", True, 380, 120, Transport.WALKING),
    ("bra-rodoviaria-boa-vista", "Rodoviária Internacional de Boa Vista", T, "BR-RR",
     "Boa Vista", "2.820000", "-60.690000", False, 150, 170, Transport.BUS),
    ("chl-colchane", "Paso Colchane", B, "CL-TA",
     "Colchane", "-19.276000", "-68.639000", True, 55, 15, Transport.WALKING),
    ("chl-chacalluta", "Complejo Fronterizo Chacalluta", B, "CL-AP",
     "Arica", "-18.314000", "-70.314000", False, 120, 60, Transport.CAR),
]  # fmt: skip
# Other nationalities counted beside Venezuelans, and their share of the day's people.
OTHERS = {"COL": 0.06, "ECU": 0.03, "PER": 0.02, "HTI": 0.02, "CUB": 0.01}
NATIONAL = {"COL": "COL", "ECU": "ECU", "PER": "PER", "BRA": "BRA", "CHL": "CHL"}
SEX_AGE = [
    (Sex.FEMALE, AgeGroup.CHILDREN, 0.14),
    (Sex.MALE, AgeGroup.CHILDREN, 0.15),
    (Sex.FEMALE, AgeGroup.ADULTS, 0.30),
    (Sex.MALE, AgeGroup.ADULTS, 0.35),
    (Sex.FEMALE, AgeGroup.OLDER, 0.03),
    (Sex.MALE, AgeGroup.OLDER, 0.03),
]
# Where the people surveyed in each country say they are going (ISO3 -> weight).
DESTINATIONS = {
    "COL": {"COL": 40, "PER": 20, "ECU": 10, "CHL": 10, "USA": 15, "": 5},
    "ECU": {"ECU": 25, "PER": 40, "CHL": 25, "USA": 5, "": 5},
    "PER": {"PER": 60, "CHL": 30, "ARG": 5, "": 5},
    "BRA": {"BRA": 85, "ARG": 5, "": 10},
    "CHL": {"CHL": 90, "": 10},
}
NEED_WEIGHTS = {
    Need.FOOD: 55,
    Need.WATER: 30,
    Need.HYGIENE: 25,
    Need.SHELTER: 40,
    Need.HEALTH: 30,
    Need.TRANSPORT: 35,
    Need.CASH: 45,
    Need.INFORMATION: 25,
    Need.DOCUMENTATION: 30,
    Need.LEGAL: 8,
    Need.EMPLOYMENT: 35,
    Need.COMMUNICATION: 15,
}
INCIDENT_WEIGHTS = {
    Incident.THEFT: 10,
    Incident.FRAUD: 5,
    Incident.EXTORTION: 7,
    Incident.THREATS: 5,
    Incident.PHYSICAL_VIOLENCE: 3,
    Incident.SEXUAL_VIOLENCE: 1,
    Incident.DETENTION: 2,
    Incident.FORCED_RETURN: 2,
    Incident.FORCED_LABOUR: 1,
    Incident.DISCRIMINATION: 6,
}


def demo_period(today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """The last MONTHS whole months before the current one."""
    today = today or timezone.localdate()
    end = today.replace(day=1) - dt.timedelta(days=1)
    start = end.replace(day=1)
    for _month in range(MONTHS - 1):
        start = (start - dt.timedelta(days=1)).replace(day=1)
    return start, end.replace(day=calendar.monthrange(end.year, end.month)[1])


def _split(total: int, weights: list[float]) -> list[int]:
    """Whole people per share, adding up to `total`."""
    parts = [int(total * w) for w in weights]
    parts[-1] += total - sum(parts)
    return parts


def _points() -> list[tuple[FlowPoint, tuple[Any, ...]]]:
    countries = {c.iso3: c for c in Country.objects.filter(iso3__in=NATIONAL)}
    areas = Admin1.objects.in_bulk([p[3] for p in POINTS], field_name="iso_code")
    made = []
    for spec in POINTS:
        code, name, kind, admin1, admin2, latitude, longitude, public = spec[:8]
        point, _created = FlowPoint.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "kind": kind,
                "country": countries[code[:3].upper()],
                "admin1": areas.get(admin1),
                "admin2": admin2,
                "latitude": latitude,
                "longitude": longitude,
                "public": public,
            },
        )
        made.append((point, spec))
    return made


def _day_counts(
    rng: random.Random, point: FlowPoint, day: dt.date, spec: tuple[Any, ...]
) -> list[FlowCount]:
    entries, exits, transport = spec[8], spec[9], spec[10]
    # Weekends are quieter at terminals, busier at crossings; a slow rise over the period.
    weekend = day.weekday() >= 5
    counts = []
    for direction, base in ((Direction.ENTRY, entries), (Direction.EXIT, exits)):
        factor = rng.uniform(0.8, 1.2) * (1.1 if weekend and point.kind == B else 1.0)
        total = max(0, round(base * factor))
        others = {n: round(total * share * rng.uniform(0.5, 1.5)) for n, share in OTHERS.items()}
        national = NATIONAL[point.country.iso3]
        others.pop(national, None)
        venezuelans = max(0, total - sum(others.values()))
        shares = [w for _s, _a, w in SEX_AGE]
        for (sex, age, _w), people in zip(SEX_AGE, _split(venezuelans, shares), strict=True):
            if people:
                counts.append(
                    FlowCount(
                        point=point,
                        date=day,
                        direction=direction,
                        nationality="VEN",
                        sex=sex,
                        age_group=age,
                        transport=transport,
                        people=people,
                        source=Source.DEMO,
                    )
                )
        for nationality, people in others.items():
            if people:
                counts.append(
                    FlowCount(
                        point=point,
                        date=day,
                        direction=direction,
                        nationality=nationality,
                        transport=transport,
                        people=people,
                        source=Source.DEMO,
                    )
                )
    return counts


def _pick(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _survey(
    rng: random.Random, point: FlowPoint, day: dt.date, number: int, transport: str
) -> SurveySummary:
    needs = {n for n, w in NEED_WEIGHTS.items() if rng.random() < w / 100}
    incidents = {i for i, w in INCIDENT_WEIGHTS.items() if rng.random() < w / 100}
    sex, age, _w = rng.choices(SEX_AGE[2:], weights=[30, 35, 3, 3])[0]
    return SurveySummary(
        point=point,
        date=day,
        submission_id=f"demo:{point.code}:{day.isoformat()}:{number}",
        source=Source.DEMO,
        nationality="VEN",
        sex=sex,
        age_group=age,
        group_size=rng.choices([1, 2, 3, 4, 5, 6], weights=[35, 20, 18, 14, 8, 5])[0],
        transport=transport,
        destination=_pick(rng, DESTINATIONS[point.country.iso3]),
        documentation=_pick(
            rng,
            {"passport": 25, "national-id": 40, "birth-certificate": 10, "asylum": 5, "none": 20},
        ),
        needs=sorted(needs) or [Need.NONE],
        incidents=sorted(incidents) or [rng.choice([Incident.NONE] * 9 + [Incident.NO_ANSWER])],
    )


@transaction.atomic
def flows_demo_create(*, seed: int, today: dt.date | None = None) -> dict[str, int]:
    """Points, daily counts and survey summaries of the demo (its own figures replaced)."""
    rng = random.Random(seed)  # noqa: S311  (demo figures)
    start, end = demo_period(today)
    points = _points()
    FlowCount.objects.filter(source=Source.DEMO).delete()
    SurveySummary.objects.filter(source=Source.DEMO).delete()
    counts: list[FlowCount] = []
    surveys: list[SurveySummary] = []
    day = start
    while day <= end:
        for point, spec in points:
            counts.extend(_day_counts(rng, point, day, spec))
            for number in range(rng.randint(1, 4) if point.kind != T else rng.randint(0, 2)):
                surveys.append(_survey(rng, point, day, number, spec[10]))
        day += dt.timedelta(days=1)
    FlowCount.objects.bulk_create(counts, batch_size=5000)
    SurveySummary.objects.bulk_create(surveys, batch_size=5000)
    return {"points": len(points), "counts": len(counts), "surveys": len(surveys)}
