"""The review of partners' entries: the sector coordinator of the country approves a
submitted entry or returns it with a comment."""

from __future__ import annotations

from django.db import transaction

from puente.accounts.permissions import Action, Actor, Target, check, signed_in
from puente.core.services import audit_record
from puente.plans.codes import PlansCode
from puente.plans.models import PlanEntry


@transaction.atomic
def plan_entry_review(
    *, acting_user: Actor | None, entry: PlanEntry, decision: str, comment: str = ""
) -> PlanEntry:
    """The sector coordinator of the country approves a submitted entry or returns it with
    a comment."""
    check(
        acting_user,
        Action.REVIEW_PLAN,
        Target(country=entry.country, sector=entry.sector, organisation=entry.organisation),
    )
    if decision not in (PlanEntry.Status.APPROVED, PlanEntry.Status.RETURNED):
        raise PlansCode.INVALID_DECISION.error()
    if decision == PlanEntry.Status.RETURNED and not comment.strip():
        raise PlansCode.COMMENT_REQUIRED.error()
    if entry.status != PlanEntry.Status.SUBMITTED:
        raise PlansCode.NOTHING_TO_REVIEW.error()
    entry.status = decision
    entry.review_comment = comment.strip()
    entry.reviewed_by = signed_in(acting_user)
    entry.save(update_fields=["status", "review_comment", "reviewed_by", "updated_at"])
    audit_record(
        acting_user=acting_user,
        action=f"plan_entry_{decision}",
        target=entry,
        data={"comment": comment.strip()},
    )
    return entry
