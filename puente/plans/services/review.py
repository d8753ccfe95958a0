"""The review of partners' entries: the sector coordinator of the country approves a
submitted entry or returns it with a comment."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy

from puente.accounts.permissions import Action, Target, check
from puente.core.errors import ApplicationError
from puente.core.services import audit_record
from puente.plans.models import PlanEntry


@transaction.atomic
def plan_entry_review(
    *, acting_user: Any, entry: PlanEntry, decision: str, comment: str = ""
) -> PlanEntry:
    """The sector coordinator of the country approves a submitted entry or returns it with
    a comment."""
    check(
        acting_user,
        Action.REVIEW_PLAN,
        Target(country=entry.country, sector=entry.sector, organisation=entry.organisation),
    )
    if decision not in (PlanEntry.Status.APPROVED, PlanEntry.Status.RETURNED):
        raise ApplicationError(
            gettext_lazy("A review approves or returns."), code="invalid_decision"
        )
    if decision == PlanEntry.Status.RETURNED and not comment.strip():
        raise ApplicationError(
            gettext_lazy("Say why the entry is returned."), code="comment_required"
        )
    if entry.status != PlanEntry.Status.SUBMITTED:
        raise ApplicationError(
            gettext_lazy("Only a submitted entry can be reviewed."), code="nothing_to_review"
        )
    entry.status = decision
    entry.review_comment = comment.strip()
    entry.reviewed_by = acting_user if getattr(acting_user, "pk", None) else None
    entry.save(update_fields=["status", "review_comment", "reviewed_by", "updated_at"])
    audit_record(
        acting_user=acting_user,
        action=f"plan_entry_{decision}",
        target=entry,
        data={"comment": comment.strip()},
    )
    return entry
