"""Reads of flow monitoring: the dashboard's figures (flows by point, day, week and
direction; nationalities; and from the surveys intended destinations, needs and
protection incidents), for a user's scope or for the public.

Public figures come from the points marked public only, and every count below
`PUBLIC_MINIMUM` is hidden (None): a handful of people at a small point could be told
apart."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable
from typing import Any

from django.db.models import Max, QuerySet, Sum
from django.utils.translation import gettext as _

from puente.accounts.permissions import Action, Actor, check_somewhere, scope_filter
from puente.core.i18n import collation_key
from puente.flows.access import VIEW_FLOWS
from puente.flows.models import (
    AgeGroup,
    Direction,
    FlowCount,
    FlowPoint,
    Incident,
    Need,
    Sex,
    SurveySummary,
    Transport,
)
from puente.flows.nations import nation_name
from puente.reference.models import Country

PUBLIC_MINIMUM = 5
TOP_NATIONALITIES = 10


def flow_points_visible(*, user: Actor | None = None, public: bool = False) -> QuerySet[FlowPoint]:
    """The points a user's roles reach (or, for the public, the points marked public)."""
    points = FlowPoint.objects.select_related("country", "admin1")
    if public:
        return points.filter(public=True)
    return points.filter(scope_filter(user, VIEW_FLOWS, country="country"))


def flow_latest_date(points: QuerySet[FlowPoint]) -> dt.date | None:
    latest = FlowCount.objects.filter(point__in=points).order_by("-date").first()
    return latest.date if latest else None


def flow_counts_stored_at(points: QuerySet[FlowPoint]) -> dt.datetime | None:
    """When the newest count of these points was stored (imported, or made from a form):
    the dashboard reads counts and surveys live, so its figures hold everything stored
    until the request; this says how recent the newest of it is. Survey summaries keep
    no time of their own."""
    stored: dt.datetime | None = FlowCount.objects.filter(point__in=points).aggregate(
        stored=Max("updated_at")
    )["stored"]
    return stored


def _hide(value: int | None, public: bool) -> int | None:
    if value is None:
        return None
    return None if public and value < PUBLIC_MINIMUM else value


def _week(day: dt.date) -> dt.date:
    """The Monday of the ISO week of `day`."""
    return day - dt.timedelta(days=day.weekday())


def _labels(choices: Any) -> dict[str, str]:
    return {str(value): str(label) for value, label in choices.choices}


def flows_dashboard(
    *,
    points: QuerySet[FlowPoint],
    start: dt.date,
    end: dt.date,
    public: bool = False,
) -> dict[str, Any]:
    """Every figure of the flows dashboard for `points` from `start` to `end` included.
    Counts are people counted (a person counted at two points counts twice); survey
    figures are surveys (respondents) and the people travelling with them."""
    counts = FlowCount.objects.filter(point__in=points, date__gte=start, date__lte=end)
    surveys = SurveySummary.objects.filter(point__in=points, date__gte=start, date__lte=end)

    def hide(value: int | None) -> int | None:
        return _hide(value, public)

    totals = {d: 0 for d in Direction.values}
    by_day: dict[dt.date, dict[str, int]] = defaultdict(lambda: dict.fromkeys(Direction.values, 0))
    for day, direction, people in counts.values_list("date", "direction").annotate(
        people=Sum("people")
    ):
        by_day[day][direction] += people
        totals[direction] += people
    by_week: dict[dt.date, dict[str, int]] = defaultdict(lambda: dict.fromkeys(Direction.values, 0))
    for day, figures in by_day.items():
        for direction, people in figures.items():
            by_week[_week(day)][direction] += people

    per_point: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys(Direction.values, 0))
    for point_id, direction, people in counts.values_list("point_id", "direction").annotate(
        people=Sum("people")
    ):
        per_point[point_id][direction] += people

    def breakdown(field: str) -> dict[str, dict[str, int]]:
        table: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(Direction.values, 0))
        for value, direction, people in counts.values_list(field, "direction").annotate(
            people=Sum("people")
        ):
            table[value][direction] += people
        return table

    def rows(table: dict[str, dict[str, int]], labels: dict[str, str]) -> list[dict[str, Any]]:
        return [
            {
                "code": code,
                "label": labels.get(code, code),
                "entry": hide(figures[Direction.ENTRY]),
                "exit": hide(figures[Direction.EXIT]),
            }
            for code, figures in table.items()
        ]

    nationalities = breakdown("nationality")
    ranked = sorted(nationalities.items(), key=lambda item: -sum(item[1].values()))
    shown = ranked[:TOP_NATIONALITIES]
    if public:
        # A nationality of a handful of people is not named in public: it joins the rest.
        shown = [(code, f) for code, f in shown if sum(f.values()) >= PUBLIC_MINIMUM]
    top = dict(shown)
    rest = dict.fromkeys(Direction.values, 0)
    for code, figures in ranked:
        if code in top:
            continue
        for direction, people in figures.items():
            rest[direction] += people
    nationality_rows = rows(top, {code: nation_name(code) for code in top})
    if len(top) < len(ranked):
        nationality_rows.append(
            {
                "code": "other",
                "label": _("Other nationalities"),
                "entry": hide(rest[Direction.ENTRY]),
                "exit": hide(rest[Direction.EXIT]),
            }
        )

    point_rows: list[dict[str, Any]] = []
    for point in points:
        if point.pk not in per_point:
            continue
        counted = per_point[point.pk]
        point_rows.append(
            {
                "code": point.code,
                "name": point.name,
                "kind": point.get_kind_display(),
                "country": point.country.iso3,
                "country_name": point.country.name,
                "admin1": point.admin1.name if point.admin1 else "",
                "latitude": float(point.latitude) if point.latitude is not None else None,
                "longitude": float(point.longitude) if point.longitude is not None else None,
                "entry": hide(counted[Direction.ENTRY]),
                "exit": hide(counted[Direction.EXIT]),
                "total": hide(sum(counted.values())),
            }
        )
    point_rows.sort(key=lambda r: (r["country"], collation_key(str(r["name"]))))

    return {
        "start": start.isoformat(),
        "end": end.isoformat(),
        "public": public,
        "totals": {
            "entry": hide(totals[Direction.ENTRY]),
            "exit": hide(totals[Direction.EXIT]),
            "net": None if public else totals[Direction.ENTRY] - totals[Direction.EXIT],
        },
        "by_day": [
            {"date": day.isoformat(), "entry": hide(f["entry"]), "exit": hide(f["exit"])}
            for day, f in sorted(by_day.items())
        ],
        "by_week": [
            {"week": week.isoformat(), "entry": hide(f["entry"]), "exit": hide(f["exit"])}
            for week, f in sorted(by_week.items())
        ],
        "by_point": point_rows,
        "nationalities": nationality_rows,
        "by_sex": _ordered(rows(breakdown("sex"), _labels(Sex)), Sex.values),
        "by_age_group": _ordered(rows(breakdown("age_group"), _labels(AgeGroup)), AgeGroup.values),
        "by_transport": _ordered(
            rows(breakdown("transport"), _labels(Transport)), Transport.values
        ),
        **survey_figures(surveys, public=public),
    }


def _ordered(rows: list[dict[str, Any]], order: Iterable[str]) -> list[dict[str, Any]]:
    position = {code: i for i, code in enumerate(order)}
    return sorted(rows, key=lambda r: position.get(r["code"], len(position)))


def survey_figures(surveys: QuerySet[SurveySummary], *, public: bool = False) -> dict[str, Any]:
    """Destinations, needs and incidents from the survey summaries: how many surveys
    gave each answer (a survey naming three needs counts once for each), and the share
    of surveys. Surveys, not people: one respondent speaks for a group."""
    total = 0
    people = 0
    destinations: Counter[str] = Counter()
    needs: Counter[str] = Counter()
    incidents: Counter[str] = Counter()
    for destination, group_size, need_codes, incident_codes in surveys.values_list(
        "destination", "group_size", "needs", "incidents"
    ):
        total += 1
        people += group_size
        destinations[destination or ""] += 1
        needs.update(need_codes or [])
        incidents.update(incident_codes or [])

    def hide(value: int) -> int | None:
        return _hide(value, public)

    def rows(counter: Counter[str], labels: dict[str, str]) -> list[dict[str, Any]]:
        return [
            {
                "code": code,
                "label": labels.get(code, code),
                "surveys": hide(n),
                "share": (n / total if total else None) if hide(n) is not None else None,
            }
            for code, n in counter.most_common()
        ]

    if public:
        # A destination few people name is not named in public: it joins the others.
        for code, n in list(destinations.items()):
            if code and n < PUBLIC_MINIMUM:
                destinations["other"] += n
                del destinations[code]
    destination_labels = {code: nation_name(code) for code in destinations if code}
    destination_labels[""] = _("Not decided")
    destination_labels["other"] = _("Other countries")
    return {
        "surveys": hide(total),
        "surveyed_people": hide(people),
        "destinations": rows(destinations, destination_labels),
        "needs": rows(needs, _labels(Need)),
        "incidents": rows(incidents, _labels(Incident)),
    }


def flow_daily_entries(
    *, country: Country, start: dt.date, end: dt.date, kinds: Iterable[str]
) -> dict[str, int]:
    """For the planning figures: the people counted entering `country` at points of
    `kinds` from `start` to `end`, the nationals of the country among them, the days
    with counts and the points that counted."""
    counts = FlowCount.objects.filter(
        point__country=country,
        point__kind__in=list(kinds),
        direction=Direction.ENTRY,
        date__gte=start,
        date__lte=end,
    )
    total = counts.aggregate(people=Sum("people"))["people"] or 0
    nationals = counts.filter(nationality=country.iso3).aggregate(people=Sum("people"))
    return {
        "entries": total,
        "nationals": nationals["people"] or 0,
        "days": counts.values("date").distinct().count(),
        "points": counts.values("point").distinct().count(),
    }


def flows_pages_check(user: Actor, action: Action) -> None:
    """The flow-monitoring pages (dashboard, downloads, imports) open to those whose roles
    give `action` somewhere (flows.access): PermissionDenied (403) for anyone else."""
    check_somewhere(user, action)
