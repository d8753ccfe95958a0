"""Funding against requirement, each dollar counted once.

A contribution counts for its recipient. When the donor is itself an appealing
organisation (pass-through), the same amount is taken off the donor in the same country
and sector: the money is counted where it ends up, and a total over organisations
counts it once (docs/methodology.md, "Funding")."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet

from puente.funding.models import Contribution
from puente.partners.models import Organisation
from puente.partners.selectors import money_localisation
from puente.plans.models import Plan
from puente.plans.selectors import requirement_rows
from puente.reference.models import Country, Sector

GROUPINGS = ("country", "sector", "org")
ZERO = Decimal(0)


def plan_contributions(plan: Plan, *, year: int | None = None) -> QuerySet[Contribution]:
    """The contributions that fund `plan`, each once, wherever it was recorded: an
    inter-agency plan's own and those recorded against the agency appeals that are part
    of it (an agency appeal is its organisation's part of the plan); an agency appeal's own
    and those recorded against its inter-agency plan for its organisation. Every funding
    figure of a plan reads this set (docs/methodology.md, "Funding")."""
    if plan.kind == Plan.Kind.INTER_AGENCY:
        where = Q(plan=plan) | Q(plan__part_of=plan)
    elif plan.part_of_id is not None:
        where = Q(plan=plan) | Q(plan_id=plan.part_of_id, recipient_id=plan.organisation_id)
    else:
        where = Q(plan=plan)
    contributions = Contribution.objects.filter(where)
    if year is not None:
        contributions = contributions.filter(date__year=year)
    return contributions


def attributed_flows(
    plan: Plan, *, year: int | None = None
) -> Iterator[tuple[int, int | None, int | None, str, Decimal]]:
    """(organisation, country, sector, status, USD) of the plan's contributions, with
    pass-through flows as a credit to the recipient and a debit to the donor."""
    contributions = plan_contributions(plan, year=year)
    for recipient, donor_org, country, sector, status, amount, passed in contributions.values_list(
        "recipient_id",
        "donor_organisation_id",
        "country_id",
        "sector_id",
        "status",
        "amount_usd",
        "pass_through",
    ):
        yield recipient, country, sector, status, amount
        if passed:
            yield donor_org, country, sector, status, -amount


def funding_sources(plan: Plan, *, year: int | None = None) -> list[str]:
    """The sources the plan's contributions were recorded from (`fts`, `demo`, a
    platform's own register), in alphabetical order."""
    contributions = plan_contributions(plan, year=year)
    return sorted(set(contributions.values_list("source", flat=True)))


def funding_by(
    plan: Plan, *, by: tuple[str, ...] | list[str], year: int | None = None
) -> dict[tuple[Any, ...], dict[str, Decimal]]:
    """{group key (ids): {"requirement_usd", "funded_usd", "pledged_usd"}}."""
    unknown = set(by) - set(GROUPINGS)
    if unknown:
        raise ValueError(f"unknown grouping: {', '.join(sorted(unknown))}")
    groups: dict[tuple[Any, ...], dict[str, Decimal]] = defaultdict(
        lambda: {"requirement_usd": ZERO, "funded_usd": ZERO, "pledged_usd": ZERO}
    )

    def key(organisation: Any, country: Any, sector: Any) -> tuple[Any, ...]:
        values = {"country": country, "sector": sector, "org": organisation}
        return tuple(values[b] for b in by)

    for row in requirement_rows(plan, year=year):
        groups[key(row.organisation_id, row.country_id, row.sector_id)]["requirement_usd"] += (
            row.amount
        )
    for organisation, country, sector, status, amount in attributed_flows(plan, year=year):
        measure = "funded_usd" if status in Contribution.FUNDED_STATUSES else "pledged_usd"
        groups[key(organisation, country, sector)][measure] += amount
    return dict(groups)


def funding_summary(
    plan: Plan, *, by: tuple[str, ...] | list[str] = (), year: int | None = None
) -> list[dict[str, Any]]:
    """One row per group, keys as codes (country ISO3, sector code, org acronym; empty
    when a requirement or flow names none), then requirement, funded, pledged and the
    share funded."""
    groups = funding_by(plan, by=by, year=year)
    if not by and not groups:
        groups[()] = {"requirement_usd": ZERO, "funded_usd": ZERO, "pledged_usd": ZERO}
    names: dict[str, dict[Any, str]] = {
        "country": dict(Country.objects.values_list("id", "iso3")),
        "sector": dict(Sector.objects.values_list("id", "code")),
        "org": dict(Organisation.objects.values_list("id", "acronym")),
    }
    rows = []
    for group, measures in groups.items():
        row: dict[str, Any] = {b: names[b].get(v, "") for b, v in zip(by, group, strict=True)}
        row.update(measures)
        requirement = measures["requirement_usd"]
        row["percent_funded"] = (
            round(float(measures["funded_usd"] / requirement) * 100, 1) if requirement else None
        )
        rows.append(row)
    rows.sort(key=lambda r: tuple(str(r[b]) for b in by))
    return rows


def funding_localisation(plan: Plan, *, year: int | None = None) -> dict[str, Any]:
    """The share of the plan's funding reaching national/local and refugee/migrant-led
    organisations (after pass-through)."""
    funded: dict[int, Decimal] = defaultdict(Decimal)
    for organisation, _c, _s, status, amount in attributed_flows(plan, year=year):
        if status in Contribution.FUNDED_STATUSES:
            funded[organisation] += amount
    return money_localisation(dict(funded)).as_dict()
