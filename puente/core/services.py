from typing import Any

from puente.core.models import AuditRecord


def audit_record(
    *, acting_user: Any, action: str, target: Any, data: dict[str, Any] | None = None
) -> AuditRecord:
    """Record one change. `acting_user` is None for changes made by the CLI without a user."""
    actor = acting_user if getattr(acting_user, "pk", None) else None
    return AuditRecord.objects.create(
        actor=actor,
        action=action,
        target_type=target._meta.label_lower,
        target_id=str(target.pk),
        data=data or {},
    )
