from puente.accounts.models import Role, RoleAssignment, User
from puente.accounts.permissions import (
    Action,
    Actor,
    assignment_reach,
    check_somewhere,
    reach_covers,
    user_grant_reach,
)


def roles_grantable_by(manager: Actor) -> list[str]:
    """The roles `manager` may grant somewhere, in the order of Role (the choices of the
    Users and roles page): PermissionDenied for a user none of whose roles manages roles,
    to whom the page does not open."""
    check_somewhere(manager, Action.MANAGE_ROLES)
    return [role for role in Role.values if user_grant_reach(manager, role) != frozenset()]


def user_list_for_manager(manager: Actor) -> list[tuple[User, list[RoleAssignment]]]:
    """Users holding at least one role the manager may manage (grant, so also remove),
    with those roles. The manager's own roles are listed but are not theirs to remove."""
    reaches = {role: user_grant_reach(manager, role) for role in Role.values}
    assignments = (
        RoleAssignment.objects.filter(
            role__in=[r for r, reach in reaches.items() if reach != frozenset()]
        )
        .select_related("user", "platform", "country", "sector", "organisation")
        .prefetch_related("platform__countries", "organisation__countries")
        .order_by("user__email", "role")
    )
    result: dict[int, tuple[User, list[RoleAssignment]]] = {}
    for a in assignments:
        if reach_covers(reaches[a.role], assignment_reach(a)):
            result.setdefault(a.user_id, (a.user, []))[1].append(a)
    return list(result.values())
