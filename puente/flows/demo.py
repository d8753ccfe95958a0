"""Demo flow monitoring: points along the routes through Colombia, Ecuador, Peru, Brazil
and Chile, three months of daily counts and a few thousand survey summaries. Places and
coordinates are real; every figure is made up. Deterministic for a seed; run twice, it
replaces its own figures and adds nothing.

Given a data-collection project with the two shipped forms published (the demo's
`fm-colombia`), the last weeks at the points of the project's country arrive as a field
team would send them: the surveys of the last month and the daily tally sheets of the
last two weeks are submitted through the collection server (`submission_receive`, the
XML an ODK Collect device sends) and become figures as any submission does, once the
demo's transaction commits. They are the figures the demo would have written itself:
the dashboards show the same numbers, and the submission pages show the forms."""

from __future__ import annotations

import calendar
import datetime as dt
import random
import uuid
from typing import Any

from django.db import transaction
from django.utils import timezone

from puente.accounts.permissions import Actor
from puente.collect.selectors import project_by_code
from puente.collect.services.submissions import submission_receive
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
from puente.flows.receivers import figures_inline
from puente.flows.submissions import DAILY_COUNT_FORM, SURVEY_FORM
from puente.flows.survey import DAILY_COUNT_DEFINITION, DEFINITION, survey_definition
from puente.reference.models import Admin1, Country

MONTHS = 3
# The last days of the period whose figures come through the forms (see the docstring).
SURVEY_FORM_DAYS = 31
TALLY_FORM_DAYS = 14
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


def _instance_id(seed: int, *parts: object) -> str:
    """A fixed instanceID for a demo submission: the same seed sends the same instances
    again, which the collection server recognises as already held."""
    name = ":".join(str(p) for p in (seed, *parts))
    return f"uuid:{uuid.uuid5(uuid.NAMESPACE_URL, 'https://demo.puente.org/' + name)}"


def _submission_xml(form_id: str, version: str, instance_id: str, body: str) -> bytes:
    """A submission as ODK Collect writes it: the XForm's root (`data`) with the form's
    id and version, the answers, and `meta/instanceID`."""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<data xmlns:jr="http://openrosa.org/javarosa" xmlns:orx="http://openrosa.org/xforms"'
        f' id="{form_id}" version="{version}">{body}'
        f"<meta><instanceID>{instance_id}</instanceID></meta></data>"
    ).encode()


def _survey_xml(version: str, instance_id: str, survey: SurveySummary) -> bytes:
    """The survey whose answers give `survey` as its summary."""
    point = survey.point
    number = uuid.UUID(instance_id[5:]).int
    age = 18 + number % 42 if survey.age_group == AgeGroup.ADULTS else 60 + number % 20
    travellers = "".join(
        "<travellers><traveller_relation>{}</traveller_relation><traveller_sex>{}"
        "</traveller_sex><traveller_age>{}</traveller_age><traveller_disability>no"
        "</traveller_disability></travellers>".format(
            ("child", "partner", "sibling", "other-family")[(number >> n) % 4],
            ("female", "male")[(number >> (n + 2)) % 2],
            (number >> (n + 4)) % 17 + 1,
        )
        for n in range(survey.group_size - 1)
    )
    body = (
        f"<interview><point>{point.code}</point><survey_date>{survey.date.isoformat()}"
        f"</survey_date><location>{point.latitude} {point.longitude} 0 10</location>"
        "<consent>yes</consent></interview>"
        f"<profile><nationality>{survey.nationality}</nationality><sex>{survey.sex}</sex>"
        f"<age>{age}</age><age_group>{survey.age_group}</age_group><travels_with_others>"
        f"{'yes' if survey.group_size > 1 else 'no'}</travels_with_others></profile>"
        f"{travellers}<group_size>{survey.group_size}</group_size>"
        f"<route><origin_country>VEN</origin_country><transport>{survey.transport}</transport>"
        f"<destination>{survey.destination or 'undecided'}</destination></route>"
        f"<documents><documentation>{survey.documentation}</documentation></documents>"
        f"<needs_group><needs>{' '.join(survey.needs)}</needs></needs_group>"
        f"<protection><incidents>{' '.join(survey.incidents)}</incidents></protection>"
    )
    return _submission_xml(SURVEY_FORM, version, instance_id, body)


def _tally_xml(
    version: str, instance_id: str, point: FlowPoint, day: dt.date, counts: list[FlowCount]
) -> bytes:
    """The daily tally sheet whose lines are `counts`."""
    lines = "".join(
        f"<lines><direction>{c.direction}</direction><nationality>{c.nationality}"
        f"</nationality><sex>{c.sex}</sex><age_group>{c.age_group}</age_group>"
        f"<transport>{c.transport}</transport><people>{c.people}</people></lines>"
        for c in counts
    )
    body = (
        f"<point>{point.code}</point><count_date>{day.isoformat()}</count_date>{lines}"
        f"<total_people>{sum(c.people for c in counts)}</total_people>"
    )
    return _submission_xml(DAILY_COUNT_FORM, version, instance_id, body)


def _send_forms(
    *,
    seed: int,
    project_code: str,
    acting_user: Actor | None,
    surveys: list[SurveySummary],
    sheets: dict[tuple[int, dt.date], list[FlowCount]],
) -> None:
    """Submit the surveys and tally sheets through the collection server."""
    project = project_by_code(project_code)
    assert project is not None  # noqa: S101  (the demo publishes its forms first)
    survey_version = survey_definition(DEFINITION)["settings"]["version"]
    tally_version = survey_definition(DAILY_COUNT_DEFINITION)["settings"]["version"]
    sent = []
    for survey in surveys:
        instance_id = _instance_id(seed, "survey", survey.submission_id)
        sent.append(_survey_xml(survey_version, instance_id, survey))
    for (_point_id, day), counts in sheets.items():
        point = counts[0].point
        instance_id = _instance_id(seed, "tally", point.code, day.isoformat())
        sent.append(_tally_xml(tally_version, instance_id, point, day, counts))
    for xml in sent:
        submission_receive(
            acting_user=acting_user, project=project, xml=xml, files=[], device_id="demo"
        )


def flows_demo_create(
    *,
    seed: int,
    today: dt.date | None = None,
    collect_project: str = "",
    collector: Actor | None = None,
) -> dict[str, int]:
    """Points, daily counts and survey summaries of the demo (its own figures replaced).
    With `collect_project` (a project holding the shipped forms), the figures of the last
    weeks at the points of the project's country are submitted as forms by `collector`
    instead of written: `survey_submissions` and `tally_sheets` count them. Their
    figures are made as the demo's transaction commits, without a worker."""
    with figures_inline():
        return _flows_demo_write(
            seed=seed, today=today, collect_project=collect_project, collector=collector
        )


@transaction.atomic
def _flows_demo_write(
    *,
    seed: int,
    today: dt.date | None = None,
    collect_project: str = "",
    collector: Actor | None = None,
) -> dict[str, int]:
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
    # Point-days forms counted or surveyed already (an earlier run's submissions) keep
    # the forms' figures.
    by_form = set(
        FlowCount.objects.filter(source=Source.FORM).values_list("point_id", "date").distinct()
    )
    surveyed = set(
        SurveySummary.objects.filter(source=Source.FORM).values_list("point_id", "date").distinct()
    )
    sheets: dict[tuple[int, dt.date], list[FlowCount]] = {}
    submitted: list[SurveySummary] = []
    project = project_by_code(collect_project) if collect_project else None
    if project is not None:
        in_country = {p.pk for p, _spec in points if p.country_id == project.country_id}
        tally_from = end - dt.timedelta(days=TALLY_FORM_DAYS - 1)
        survey_from = end - dt.timedelta(days=SURVEY_FORM_DAYS - 1)
        for count in counts:
            if count.point_id in in_country and count.date >= tally_from:
                sheets.setdefault((count.point_id, count.date), []).append(count)
        submitted = [s for s in surveys if s.point_id in in_country and s.date >= survey_from]
        by_form |= set(sheets)
        sent_ids = {s.submission_id for s in submitted}
        surveys = [s for s in surveys if s.submission_id not in sent_ids]
    counts = [c for c in counts if (c.point_id, c.date) not in by_form]
    surveys = [s for s in surveys if (s.point_id, s.date) not in surveyed]
    FlowCount.objects.bulk_create(counts, batch_size=5000)
    SurveySummary.objects.bulk_create(surveys, batch_size=5000)
    if project is not None:
        _send_forms(
            seed=seed,
            project_code=project.code,
            acting_user=collector,
            surveys=submitted,
            sheets=sheets,
        )
    return {
        "points": len(points),
        "counts": len(counts),
        "surveys": len(surveys),
        "survey_submissions": len(submitted),
        "tally_sheets": len(sheets),
    }
