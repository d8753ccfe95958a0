from typing import Any

from puente.accounts.models import RoleAssignment, User
from puente.accounts.permissions import scope_targets, user_can_manage_scope


def user_list_for_manager(manager: Any) -> list[tuple[User, list[RoleAssignment]]]:
    """Users holding at least one role the manager may manage, with those roles."""
    assignments = (
        RoleAssignment.objects.select_related(
            "user", "platform", "country", "sector", "organisation"
        )
        .prefetch_related("platform__countries", "organisation__countries")
        .order_by("user__email", "role")
    )
    result: dict[int, tuple[User, list[RoleAssignment]]] = {}
    for a in assignments:
        targets = scope_targets(
            kind=a.scope_kind,
            platform=a.platform,
            country=a.country,
            sector=a.sector,
            organisation=a.organisation,
        )
        if user_can_manage_scope(manager, a.role, targets):
            result.setdefault(a.user_id, (a.user, []))[1].append(a)
    return list(result.values())
