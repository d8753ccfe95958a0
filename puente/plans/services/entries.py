"""Partners' entries in an inter-agency plan: what a partner requires and targets in a
country, sector and year, written as a draft and submitted for review."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext_lazy

from puente.accounts.permissions import Action, Actor, Target, check
from puente.core.codes import CoreCode
from puente.core.services import audit_record
from puente.partners.models import Organisation
from puente.plans.codes import PlansCode
from puente.plans.models import EntryTarget, Plan, PlanEntry
from puente.reference.codes import ReferenceCode
from puente.reference.models import Country, PopulationGroup, Sector


def _applies(group: PopulationGroup, country: Country) -> bool:
    """Whether the population group applies in the country (reference data)."""
    return group.countries.filter(pk=country.pk).exists()


@transaction.atomic
def plan_entry_save(
    *,
    acting_user: Actor | None,
    plan: Plan,
    organisation: Organisation,
    country: Country,
    sector: Sector,
    year: int,
    requirement_usd: Decimal,
    activities: str,
    targets: dict[PopulationGroup, int],
    submit: bool,
) -> PlanEntry:
    """A partner writes (and optionally submits) its entry for a country and sector. An
    approved entry is changed only after a coordinator returns it. The acting user must
    write entries for the organisation, country and sector (None: the command line,
    `puente import plan-entries`)."""
    if acting_user is not None:
        check(
            acting_user,
            Action.SUBMIT_PLAN,
            Target(country=country, sector=sector, organisation=organisation),
        )
    if plan.kind != Plan.Kind.INTER_AGENCY:
        raise PlansCode.NOT_INTER_AGENCY.error()
    if year not in plan.years:
        raise PlansCode.YEAR_OUTSIDE_PLAN.error()
    if not plan.countries.filter(pk=country.pk).exists():
        raise PlansCode.COUNTRY_OUTSIDE_PLAN.error()
    if requirement_usd < 0 or any(p < 0 for p in targets.values()):
        raise CoreCode.NEGATIVE_AMOUNT.error(
            message=gettext_lazy("Amounts and targets cannot be negative.")
        )
    outside = [g for g, people in targets.items() if people and not _applies(g, country)]
    if outside:
        raise ReferenceCode.POPULATION_GROUP_NOT_IN_COUNTRY.error(
            group=outside[0].name, country=country.name
        )
    entry = (
        PlanEntry.objects.select_for_update()
        .filter(plan=plan, organisation=organisation, country=country, sector=sector, year=year)
        .first()
    )
    if entry is not None and entry.status == PlanEntry.Status.APPROVED:
        raise PlansCode.ENTRY_APPROVED.error()
    entry = entry or PlanEntry(
        plan=plan, organisation=organisation, country=country, sector=sector, year=year
    )
    entry.requirement_usd = requirement_usd
    entry.activities = activities.strip()
    entry.status = PlanEntry.Status.SUBMITTED if submit else PlanEntry.Status.DRAFT
    entry.full_clean()
    entry.save()
    entry.targets.all().delete()
    EntryTarget.objects.bulk_create(
        EntryTarget(entry=entry, population_group=group, people=people)
        for group, people in targets.items()
        if people
    )
    audit_record(
        acting_user=acting_user,
        action="plan_entry_submit" if submit else "plan_entry_save",
        target=entry,
        data={"requirement_usd": str(requirement_usd)},
    )
    return entry
