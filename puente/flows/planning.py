"""The planning figures for people in transit, computed from a period of flow
monitoring (docs/methodology.md, "People in transit from flow monitoring").

1. Entries counted at the country's border crossings over the period, nationals of the
   country left out (they are not refugees and migrants), divided by the days on which
   the border crossings counted: the average daily entries.
2. The transit share: of the people the surveys at the country's points speak for (each
   respondent with the group travelling with them), the share whose intended destination
   is another country.
3. People in transit in the plan year = average daily entries x transit share x days of
   the year.
4. People in need per sector = people in transit x the share of surveyed people naming a
   need that sector answers (`NEED_SECTORS`).
5. Targets per sector, when a target share is given = people in need x that share."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import transaction

from puente.accounts.permissions import Actor
from puente.core.codes import CoreCode
from puente.flows.codes import FlowsCode
from puente.flows.models import NEED_SECTORS, PointKind, SurveySummary
from puente.flows.selectors import flow_daily_entries
from puente.reference.models import Country, PopulationGroup, Sector

IN_TRANSIT = "in-transit"
SOURCE = "flows-planning"


@dataclass
class TransitPlanning:
    country: Country
    year: int
    start: dt.date
    end: dt.date
    entries: int = 0
    nationals: int = 0
    count_days: int = 0
    points: int = 0
    surveys: int = 0
    surveyed_people: int = 0
    transit_people: int = 0
    average_daily: Decimal = Decimal(0)
    transit_share: Decimal = Decimal(1)
    population: int = 0
    need_shares: dict[str, Decimal] = field(default_factory=dict)
    people_in_need: dict[str, int] = field(default_factory=dict)
    target_share: Decimal | None = None
    targets: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "country": self.country.iso3,
            "year": self.year,
            "from": self.start.isoformat(),
            "to": self.end.isoformat(),
            "entries": self.entries,
            "nationals_left_out": self.nationals,
            "days_counted": self.count_days,
            "border_points": self.points,
            "surveys": self.surveys,
            "surveyed_people": self.surveyed_people,
            "average_daily_entries": str(self.average_daily),
            "transit_share": str(self.transit_share),
            "people_in_transit": self.population,
            "need_shares": {k: str(v) for k, v in self.need_shares.items()},
            "people_in_need": self.people_in_need,
            "target_share": str(self.target_share) if self.target_share is not None else None,
            "targets": self.targets,
        }


def month_parse(text: str, *, last_day: bool = False) -> dt.date:
    """'2026-01' -> 2026-01-01 (or 2026-01-31 with `last_day`)."""
    try:
        year, month = (int(part) for part in str(text).strip().split("-"))
        first = dt.date(year, month, 1)
    except (ValueError, TypeError) as exc:
        raise CoreCode.INVALID_MONTH.error(value=text) from exc
    if last_day:
        return first.replace(day=calendar.monthrange(year, month)[1])
    return first


def _share(part: int, whole: int) -> Decimal:
    return (Decimal(part) / Decimal(whole)).quantize(Decimal("0.0001"), ROUND_HALF_UP)


def _whole(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), ROUND_HALF_UP))


def flows_planning_compute(
    *,
    country: Country,
    start: dt.date,
    end: dt.date,
    year: int,
    target_share: Decimal | None = None,
) -> TransitPlanning:
    """The planning figures of people in transit in `country` for `year`, from the flow
    monitoring of `start` to `end` (both included)."""
    if end < start:
        raise FlowsCode.INVALID_PERIOD.error(start=start.isoformat(), end=end.isoformat())
    result = TransitPlanning(country=country, year=year, start=start, end=end)
    counted = flow_daily_entries(
        country=country, start=start, end=end, kinds=[PointKind.BORDER_CROSSING]
    )
    result.entries = counted["entries"] - counted["nationals"]
    result.nationals = counted["nationals"]
    result.count_days = counted["days"]
    result.points = counted["points"]
    if not result.count_days or result.entries <= 0:
        raise FlowsCode.NO_FLOW_COUNTS.error(
            country=country.name, start=start.isoformat(), end=end.isoformat()
        )
    result.average_daily = (Decimal(result.entries) / result.count_days).quantize(
        Decimal("0.01"), ROUND_HALF_UP
    )

    surveys = SurveySummary.objects.filter(
        point__country=country, date__gte=start, date__lte=end
    ).exclude(nationality=country.iso3)
    need_people: dict[str, int] = {}
    for destination, size, needs in surveys.values_list("destination", "group_size", "needs"):
        result.surveys += 1
        result.surveyed_people += size
        if destination and destination != country.iso3:
            result.transit_people += size
        for sector in {NEED_SECTORS[n] for n in needs or [] if n in NEED_SECTORS}:
            need_people[sector] = need_people.get(sector, 0) + size
    if result.surveyed_people:
        result.transit_share = _share(result.transit_people, result.surveyed_people)
    days_in_year = 366 if calendar.isleap(year) else 365
    result.population = _whole(result.average_daily * result.transit_share * days_in_year)

    sector_order = {s.code: s.position for s in Sector.objects.all()}
    for sector in sorted(need_people, key=lambda code: sector_order.get(code, 99)):
        share = _share(need_people[sector], result.surveyed_people)
        result.need_shares[sector] = share
        result.people_in_need[sector] = _whole(result.population * share)
    if target_share is not None:
        result.target_share = target_share
        result.targets = {
            sector: _whole(people * target_share)
            for sector, people in result.people_in_need.items()
        }
    return result


@transaction.atomic
def flows_planning_write(*, planning: TransitPlanning, acting_user: Actor | None) -> None:
    """Write the figures through the needs analysis and the targets services: the
    population in transit and its people in need per sector for the whole country, and
    the targets when a target share was given. Other figures are left as they are."""
    from puente.needs.services import transit_figures_set
    from puente.plans.targets import targets_set

    group = PopulationGroup.objects.get(code=IN_TRANSIT)
    sectors = Sector.objects.in_bulk(list(planning.people_in_need), field_name="code")
    transit_figures_set(
        year=planning.year,
        country=planning.country,
        population_group=group,
        population=planning.population,
        people_in_need={sectors[code]: n for code, n in planning.people_in_need.items()},
        acting_user=acting_user,
        source=SOURCE,
    )
    if planning.targets:
        targets_set(
            year=planning.year,
            country=planning.country,
            population_group=group,
            people={sectors[code]: n for code, n in planning.targets.items()},
            acting_user=acting_user,
            source=SOURCE,
        )
