"""Reading plans: what a plan requires, where, for what, and who asks for it.

Every requirement figure comes from `requirement_rows`: an agency appeal's activity-area
requirements, or the approved entries of partners in an inter-agency plan."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet, Sum
from django.utils import timezone

from puente.accounts.permissions import (
    Action,
    Actor,
    Target,
    check,
    check_somewhere,
    scope_filter,
    user_can,
    user_can_somewhere,
)
from puente.core.errors import NotFound, PermissionDenied
from puente.needs.selectors import INTER_SECTOR
from puente.partners.models import Organisation
from puente.partners.selectors import money_localisation
from puente.plans.models import (
    AreaRequirement,
    CountryTarget,
    EntryTarget,
    Plan,
    PlanEntry,
)
from puente.plans.targets import targets_by_country_and_sector


@dataclass(frozen=True)
class RequirementRow:
    organisation_id: int | None
    country_id: int | None
    sector_id: int | None
    activity_area_id: int | None
    year: int
    amount: Decimal


def plan_list(*, published_only: bool) -> QuerySet[Plan]:
    plans = Plan.objects.select_related("organisation").prefetch_related("countries")
    return plans.filter(status=Plan.Status.PUBLISHED) if published_only else plans


def public_plan(code: str) -> Plan:
    """A published plan, for anyone; NotFound otherwise."""
    plan = plan_list(published_only=True).filter(code=code).first()
    if plan is None:
        raise NotFound()
    return plan


def plans_visible(user: Actor) -> QuerySet[Plan]:
    """The plans a signed-in user who works with plans may open: every plan for those who
    manage them; for others the published ones and the inter-agency plans partners enter
    into."""
    if not user_can_somewhere(user, Action.VIEW_REPORTS):
        raise PermissionDenied()
    plans = plan_list(published_only=False)
    if user_can_somewhere(user, Action.MANAGE_PLANS):
        return plans
    return plans.filter(status=Plan.Status.PUBLISHED) | plans.filter(kind=Plan.Kind.INTER_AGENCY)


def access_plan(user: Actor, code: str) -> Plan:
    """One plan of `plans_visible`: PermissionDenied when the user opens no plan at all,
    NotFound for a plan that does not exist or that the user may not open."""
    plan = plans_visible(user).filter(code=code).first()
    if plan is None:
        raise NotFound()
    return plan


def plan_upload_check(user: Actor) -> None:
    """The plan upload page opens to those who manage plans everywhere (regional
    admins): PermissionDenied for anyone else."""
    check(user, Action.MANAGE_PLANS, None)


def plan_entry_organisations(user: Actor, plan: Plan) -> QuerySet[Organisation]:
    """The organisations the user may write an entry of `plan` for (the entry form's
    choices): PermissionDenied when the plan takes no partners' entries (an agency
    appeal) or none of the user's roles writes entries."""
    if plan.kind != Plan.Kind.INTER_AGENCY:
        raise PermissionDenied()
    check_somewhere(user, Action.SUBMIT_PLAN)
    return Organisation.objects.filter(
        scope_filter(user, Action.SUBMIT_PLAN, country="countries", organisations=("pk",))
    ).distinct()


def access_plan_entry(user: Actor, plan: Plan, entry_id: int, action: Action) -> PlanEntry:
    """One entry of `plan` on which the user may `action` (review it, for instance):
    NotFound for an entry that does not exist and for one outside what the user sees;
    PermissionDenied for one the user sees but may not `action`."""
    entry = (
        PlanEntry.objects.select_related("country", "sector", "organisation")
        .filter(pk=entry_id, plan=plan)
        .first()
    )
    if entry is None:
        raise NotFound()
    target = Target(country=entry.country, sector=entry.sector, organisation=entry.organisation)
    if not user_can(user, Action.VIEW_REPORTS, target):
        raise NotFound()
    check(user, action, target)
    return entry


def plan_default_year(plan: Plan, today: dt.date | None = None) -> int:
    """The latest of the plan's years with requirements, not after this year."""
    this_year = (today or timezone.now().date()).year
    years = set(
        AreaRequirement.objects.filter(activity_area__plan=plan).values_list("year", flat=True)
    ) | set(
        PlanEntry.objects.filter(plan=plan, status=PlanEntry.Status.APPROVED).values_list(
            "year", flat=True
        )
    )
    past = [y for y in years if y <= this_year]
    if past:
        return max(past)
    return min(years) if years else plan.start_year


def requirement_rows(plan: Plan, *, year: int | None = None) -> Iterator[RequirementRow]:
    if plan.kind == Plan.Kind.AGENCY:
        requirements = AreaRequirement.objects.filter(activity_area__plan=plan)
        if year is not None:
            requirements = requirements.filter(year=year)
        for country, sector, area, row_year, amount in requirements.values_list(
            "country_id", "activity_area__sector_id", "activity_area_id", "year", "requirement_usd"
        ):
            yield RequirementRow(plan.organisation_id, country, sector, area, row_year, amount)
        return
    entries = PlanEntry.objects.filter(plan=plan, status=PlanEntry.Status.APPROVED)
    if year is not None:
        entries = entries.filter(year=year)
    for organisation, country, sector, row_year, amount in entries.values_list(
        "organisation_id", "country_id", "sector_id", "year", "requirement_usd"
    ):
        yield RequirementRow(organisation, country, sector, None, row_year, amount)


def people_targeted(plan: Plan, *, year: int) -> dict[int | None, int]:
    """{country id: people targeted} and {None: the plan's total}. An appeal states them
    per country (or only as a total); an inter-agency plan takes the inter-sector target
    of `targets_by_country_and_sector` (as people reached are counted)."""
    result: dict[int | None, int] = {}
    if plan.kind == Plan.Kind.AGENCY:
        for country, people in CountryTarget.objects.filter(plan=plan, year=year).values_list(
            "country_id", "people_targeted"
        ):
            result[country] = result.get(country, 0) + people
        if None not in result:
            result[None] = sum(result.values())
        return result
    for (country, sector), people in targets_by_country_and_sector(
        year=year, country_ids=tuple(plan.countries.values_list("pk", flat=True))
    ).items():
        if sector == INTER_SECTOR:
            result[country] = people
    result[None] = sum(v for k, v in result.items() if k is not None)
    return result


@dataclass
class PlanFunding:
    """A plan's funding in a year as plan_summary shows it beside the requirement:
    `by_country` {(country id,): {"funded_usd": ...}, (None,): ...}, and the sources its
    contributions were recorded from (e.g. `fts`), named beside the figure."""

    by_country: dict[tuple[Any, ...], dict[str, Any]]
    sources: list[str]


# Funding sits above plans (its contributions count against plans' requirements), so the
# funding app hands its reader in when it loads (FundingConfig.ready); plans never import it.
PlanFundingReader = Callable[[Plan, int], PlanFunding]
_plan_funding_readers: list[PlanFundingReader] = []


def plan_funding_reader_set(reader: PlanFundingReader) -> None:
    _plan_funding_readers[:] = [reader]


def plan_summary(plan: Plan, *, year: int) -> dict[str, Any]:
    """Everything a plan's page shows for one year."""
    rows = list(requirement_rows(plan, year=year))
    total = sum((r.amount for r in rows), Decimal(0))
    by_area: dict[int | None, Decimal] = defaultdict(Decimal)
    by_country: dict[int | None, Decimal] = defaultdict(Decimal)
    by_sector: dict[int | None, Decimal] = defaultdict(Decimal)
    by_organisation: dict[int, Decimal] = defaultdict(Decimal)
    for row in rows:
        by_area[row.activity_area_id] += row.amount
        by_country[row.country_id] += row.amount
        by_sector[row.sector_id] += row.amount
        if row.organisation_id is not None:
            by_organisation[row.organisation_id] += row.amount
    targeted = people_targeted(plan, year=year)
    funding = (
        _plan_funding_readers[0](plan, year)
        if _plan_funding_readers
        else PlanFunding(by_country={}, sources=[])
    )
    funded = funding.by_country
    countries = sorted(plan.countries.all(), key=lambda c: c.name)
    objectives = []
    areas = list(plan.activity_areas.select_related("objective", "sector"))
    for objective in [*plan.objectives.all(), None]:
        its_areas = [a for a in areas if a.objective_id == (objective.pk if objective else None)]
        if not its_areas:
            continue
        objectives.append(
            {
                "objective": objective,
                "areas": [
                    {"area": a, "requirement_usd": by_area.get(a.pk, Decimal(0))} for a in its_areas
                ],
                "requirement_usd": sum(
                    (by_area.get(a.pk, Decimal(0)) for a in its_areas), Decimal(0)
                ),
            }
        )
    country_rows = [
        {
            "country": c,
            "requirement_usd": by_country.get(c.pk, Decimal(0)),
            "people_targeted": targeted.get(c.pk),
            "funded_usd": funded.get((c.pk,), {}).get("funded_usd", Decimal(0)),
        }
        for c in countries
    ]
    if None in by_country:
        country_rows.append(
            {
                "country": None,
                "requirement_usd": by_country.get(None, Decimal(0)),
                "people_targeted": None,
                "funded_usd": funded.get((None,), {}).get("funded_usd", Decimal(0)),
            }
        )
    funded_total = sum((v["funded_usd"] for v in funded.values()), Decimal(0))
    from puente.reference.models import Sector

    sectors = Sector.objects.in_bulk([s for s in by_sector if s is not None])
    return {
        "plan": plan,
        "year": year,
        "requirement_usd": total,
        "people_targeted": targeted.get(None),
        "funded_usd": funded_total,
        "funding_sources": funding.sources,
        "percent_funded": round(float(funded_total / total) * 100, 1) if total else None,
        "objectives": objectives,
        "countries": country_rows,
        "sectors": sorted(
            (
                {"sector": sectors[s], "requirement_usd": amount}
                for s, amount in by_sector.items()
                if s is not None
            ),
            key=lambda r: r["sector"].position,
        ),
        "organisations": len(by_organisation),
        "localisation": money_localisation(dict(by_organisation)).as_dict(),
        "priority_requirement_usd": sum(
            (by_area.get(a.pk, Decimal(0)) for a in areas if a.priority), Decimal(0)
        ),
    }


def plan_entries(
    user: Actor, plan: Plan, *, action: Action = Action.VIEW_REPORTS
) -> QuerySet[PlanEntry]:
    """The entries of a plan the user may see (or review, with REVIEW_PLAN)."""
    entries = (
        PlanEntry.objects.filter(plan=plan)
        .select_related("organisation", "country", "sector")
        .prefetch_related("targets__population_group")
    )
    return entries.filter(
        scope_filter(
            user, action, country="country", sector="sector", organisations=("organisation",)
        )
    )


def plan_entries_matching(user: Actor, plan: Plan, filters: dict[str, Any]) -> QuerySet[PlanEntry]:
    """The entries of `plan_entries` that match the plan page's filters, as
    `PlanEntryFilterForm` reads them (`year`, `country`, `sector`, `org`, `status`; each
    None or empty for any): one reading for the page and the API."""
    entries = plan_entries(user, plan)
    if filters.get("year"):
        entries = entries.filter(year=filters["year"])
    for name, field in (
        ("country", "country"),
        ("sector", "sector"),
        ("org", "organisation"),
        ("status", "status"),
    ):
        if filters.get(name):
            entries = entries.filter(**{field: filters[name]})
    return entries


def entry_targets_total(entries: QuerySet[PlanEntry]) -> int:
    return (
        EntryTarget.objects.filter(entry__in=entries).aggregate(total=Sum("people"))["total"] or 0
    )


def appeal_against_plan(appeal: Plan, *, year: int) -> list[dict[str, Any]]:
    """An agency appeal's lines beside its organisation's entries in the inter-agency plan
    it is part of, by country and sector for one year: the appeal's requirement, the
    approved entries (what the plan counts) and those awaiting review, and whether the
    appeal and the approved entries differ. Empty for an appeal part of no plan. A line of
    the appeal without a sector or a country meets no entry and is shown as such."""
    if appeal.part_of_id is None or appeal.organisation_id is None:
        return []
    cells: dict[tuple[Any, Any], dict[str, Decimal]] = defaultdict(
        lambda: {"appeal_usd": Decimal(0), "approved_usd": Decimal(0), "pending_usd": Decimal(0)}
    )
    for row in requirement_rows(appeal, year=year):
        cells[(row.country_id, row.sector_id)]["appeal_usd"] += row.amount
    entries = PlanEntry.objects.filter(
        plan_id=appeal.part_of_id, organisation_id=appeal.organisation_id, year=year
    ).exclude(status=PlanEntry.Status.DRAFT)
    for country, sector, status, amount in entries.values_list(
        "country_id", "sector_id", "status", "requirement_usd"
    ):
        measure = "approved_usd" if status == PlanEntry.Status.APPROVED else "pending_usd"
        cells[(country, sector)][measure] += amount
    from puente.reference.models import Country, Sector

    countries = Country.objects.in_bulk([c for c, _s in cells if c is not None])
    sectors = Sector.objects.in_bulk([s for _c, s in cells if s is not None])
    rows = [
        {
            "country": countries.get(country) if country is not None else None,
            "sector": sectors.get(sector) if sector is not None else None,
            **amounts,
            "difference_usd": amounts["appeal_usd"] - amounts["approved_usd"],
            "differs": amounts["appeal_usd"] != amounts["approved_usd"],
        }
        for (country, sector), amounts in cells.items()
    ]
    return sorted(
        rows,
        key=lambda r: (
            r["country"].name if r["country"] else "~",
            r["sector"].position if r["sector"] else 999,
        ),
    )
