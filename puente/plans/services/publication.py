"""Publishing a plan: its public pages show it once published."""

from __future__ import annotations

from django.db import transaction

from puente.accounts.permissions import Action, Actor, check
from puente.core.services import audit_record
from puente.plans.models import Plan


@transaction.atomic
def plan_publish(*, acting_user: Actor | None, plan: Plan, published: bool) -> Plan:
    check(acting_user, Action.MANAGE_PLANS, None)
    plan.status = Plan.Status.PUBLISHED if published else Plan.Status.DRAFT
    plan.save(update_fields=["status", "updated_at"])
    audit_record(
        acting_user=acting_user,
        action="plan_publish" if published else "plan_unpublish",
        target=plan,
    )
    return plan
