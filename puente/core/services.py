from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Model

from puente.core.actors import Actor
from puente.core.models import AuditRecord


def audit_record(
    *,
    acting_user: Actor | None,
    action: str,
    target: Model,
    data: dict[str, Any] | None = None,
) -> AuditRecord:
    """Record one change. `acting_user` is None for changes made by the CLI without a user."""
    user_model = get_user_model()
    actor = acting_user if isinstance(acting_user, user_model) and acting_user.pk else None
    return AuditRecord.objects.create(
        actor=actor,
        action=action,
        target_type=target._meta.label_lower,
        target_id=str(target.pk),
        data=data or {},
    )
