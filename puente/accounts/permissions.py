"""Who may do what, where. The only module that decides access.

A user holds role assignments, each a role over a scope. An action is allowed when one of
the user's roles grants it (ROLE_ACTIONS) and that role's scope covers the target. The
whole matrix is tested as one table in tests/test_permissions.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any, TypeAlias

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, prefetch_related_objects

from puente.accounts.models import Role, RoleAssignment, ScopeKind, User
from puente.core.errors import NotFound, PermissionDenied

# Whoever a permission is asked for or a service acts for: a signed-in user (the
# request's `user`), an anonymous visitor, or None (the command line, the system).
Actor: TypeAlias = User | AnonymousUser


def signed_in(user: Actor | None) -> User | None:
    """The user to record as author of a change (None for the command line)."""
    return user if isinstance(user, User) else None


if TYPE_CHECKING:
    from puente.partners.models import Organisation
    from puente.reference.models import Country, Sector


class Action(StrEnum):
    VIEW_DIRECTORY = "view_directory"
    EDIT_ORGANISATION = "edit_organisation"
    IMPORT_PARTNERS = "import_partners"
    MANAGE_REFERENCE = "manage_reference"
    MANAGE_ROLES = "manage_roles"
    SUBMIT_REPORT = "submit_report"
    VIEW_REPORTS = "view_reports"
    REVIEW_REPORT = "review_report"
    LOCK_PERIOD = "lock_period"
    LOG_FEEDBACK = "log_feedback"
    VIEW_FEEDBACK = "view_feedback"
    VIEW_SENSITIVE_FEEDBACK = "view_sensitive_feedback"
    MANAGE_FEEDBACK = "manage_feedback"
    MANAGE_PLANS = "manage_plans"
    SUBMIT_PLAN = "submit_plan"
    REVIEW_PLAN = "review_plan"
    MANAGE_NEEDS = "manage_needs"
    MANAGE_FUNDING = "manage_funding"
    # Field data collection (puente.collect): fill a project's forms over OpenRosa; see
    # the data sent; publish forms and resolve quarantined submissions.
    COLLECT_DATA = "collect_data"
    VIEW_COLLECTED = "view_collected"
    MANAGE_FORMS = "manage_forms"


A = Action
ROLE_ACTIONS: dict[str, frozenset[Action]] = {
    Role.REGIONAL_ADMIN: frozenset(
        {
            A.VIEW_DIRECTORY,
            A.EDIT_ORGANISATION,
            A.IMPORT_PARTNERS,
            A.MANAGE_REFERENCE,
            A.MANAGE_ROLES,
            A.VIEW_REPORTS,
            A.LOCK_PERIOD,
            A.VIEW_FEEDBACK,
            A.MANAGE_FEEDBACK,
            A.MANAGE_PLANS,
            A.REVIEW_PLAN,
            A.MANAGE_NEEDS,
            A.MANAGE_FUNDING,
            A.VIEW_COLLECTED,
            A.MANAGE_FORMS,
        }
    ),
    Role.PLATFORM_IM_OFFICER: frozenset(
        {
            A.VIEW_DIRECTORY,
            A.EDIT_ORGANISATION,
            A.IMPORT_PARTNERS,
            A.MANAGE_ROLES,
            A.SUBMIT_REPORT,
            A.VIEW_REPORTS,
            A.LOCK_PERIOD,
            A.VIEW_FEEDBACK,
            A.SUBMIT_PLAN,
            A.REVIEW_PLAN,
            A.MANAGE_NEEDS,
            A.MANAGE_FUNDING,
            A.VIEW_COLLECTED,
            A.MANAGE_FORMS,
        }
    ),
    Role.SECTOR_COORDINATOR: frozenset(
        {A.VIEW_DIRECTORY, A.VIEW_REPORTS, A.REVIEW_REPORT, A.REVIEW_PLAN}
    ),
    Role.PARTNER_REPORTER: frozenset(
        {A.VIEW_DIRECTORY, A.SUBMIT_REPORT, A.VIEW_REPORTS, A.SUBMIT_PLAN}
    ),
    Role.PARTNER_VIEWER: frozenset({A.VIEW_DIRECTORY, A.VIEW_REPORTS}),
    Role.CFM_OPERATOR: frozenset({A.VIEW_DIRECTORY, A.LOG_FEEDBACK, A.VIEW_FEEDBACK}),
    # Sensitive complaints are readable by PSEA focal points only: no other role, no admin.
    Role.PSEA_FOCAL_POINT: frozenset(
        {A.VIEW_DIRECTORY, A.VIEW_FEEDBACK, A.VIEW_SENSITIVE_FEEDBACK}
    ),
    # Manages the PSEA roles of the scope (GRANTABLE_ROLES); reads no complaint unless the
    # same person also holds psea-focal-point.
    Role.PSEA_COORDINATOR: frozenset({A.VIEW_DIRECTORY, A.MANAGE_ROLES}),
    # Lists, downloads and fills the project's forms over OpenRosa; nothing else, not even
    # the directory.
    Role.DATA_COLLECTOR: frozenset({A.COLLECT_DATA}),
}

# The scope kinds each role may be bound to.
ROLE_SCOPES: dict[str, frozenset[str]] = {
    Role.REGIONAL_ADMIN: frozenset({ScopeKind.REGION}),
    Role.PLATFORM_IM_OFFICER: frozenset({ScopeKind.PLATFORM, ScopeKind.COUNTRY}),
    Role.SECTOR_COORDINATOR: frozenset({ScopeKind.SECTOR}),
    Role.PARTNER_REPORTER: frozenset({ScopeKind.ORGANISATION}),
    Role.PARTNER_VIEWER: frozenset({ScopeKind.ORGANISATION}),
    Role.CFM_OPERATOR: frozenset({ScopeKind.COUNTRY, ScopeKind.PLATFORM, ScopeKind.ORGANISATION}),
    Role.PSEA_FOCAL_POINT: frozenset(
        {ScopeKind.REGION, ScopeKind.PLATFORM, ScopeKind.COUNTRY, ScopeKind.ORGANISATION}
    ),
    Role.PSEA_COORDINATOR: frozenset({ScopeKind.REGION, ScopeKind.PLATFORM}),
    Role.DATA_COLLECTOR: frozenset({ScopeKind.PROJECT}),
}

# The PSEA network's roles: granted and removed by PSEA coordinators only, never by
# administrators, IM officers or superusers.
PSEA_ROLES = frozenset({Role.PSEA_FOCAL_POINT, Role.PSEA_COORDINATOR})

# The roles a holder of each role may grant and remove, within that role's scope (see
# `user_can_grant`). A role missing here grants nothing.
GRANTABLE_ROLES: dict[str, frozenset[str]] = {
    Role.REGIONAL_ADMIN: frozenset(Role.values) - PSEA_ROLES,
    Role.PLATFORM_IM_OFFICER: frozenset(Role.values) - PSEA_ROLES - {Role.REGIONAL_ADMIN},
    Role.PSEA_COORDINATOR: PSEA_ROLES,
}

# Actions about the response as a whole: any role granting them is enough, wherever.
UNTARGETED_ACTIONS = frozenset({A.VIEW_DIRECTORY})

# Roles that must sign in with a second factor (TOTP).
TWO_FACTOR_ROLES = frozenset(
    {
        Role.REGIONAL_ADMIN,
        Role.PLATFORM_IM_OFFICER,
        Role.PSEA_FOCAL_POINT,
        Role.PSEA_COORDINATOR,
    }
)


@dataclass(frozen=True)
class Target:
    """Where an action applies. Empty fields mean "not about a particular one"."""

    country: Country | None = None
    sector: Sector | None = None
    organisation: Organisation | None = None
    # A data-collection project (puente.collect, a layer above: not imported here); give
    # its `country` too, which country scopes cover.
    project: Any = None


_SCOPE_RELATIONS = ("platform", "country", "sector", "organisation", "project")


def _names(assignment: RoleAssignment, relation: str) -> bool:
    return getattr(assignment, f"{relation}_id") is not None


def user_roles(user: Actor | None) -> list[RoleAssignment]:
    """The user's role assignments, read once per user object."""
    if not isinstance(user, User) or not user.is_authenticated:
        return []
    cached: list[RoleAssignment] | None = getattr(user, "_puente_roles", None)
    if cached is None:
        # The scopes of the users who send the most requests come with the assignments:
        # a partner's organisation (API uploads) and a data collector's project (each
        # OpenRosa submission).
        joined = ("organisation", "project")
        cached = list(RoleAssignment.objects.filter(user=user).select_related(*joined))
        # The other relations only where the user's scopes name them, one short query
        # each: most users hold one kind of scope, and joining all five tables to every
        # assignment cost more than the rest of a submission's permission checks.
        # A platform's or an organisation's countries are read when a check needs them
        # (`_country_ids`): an upload's gate and most checks do not.
        named = [name for name in _SCOPE_RELATIONS if any(_names(a, name) for a in cached)]
        prefetch_related_objects(cached, *[name for name in named if name not in joined])
        # Kept on the user object: one query per request, whatever is asked.
        setattr(user, "_puente_roles", cached)  # noqa: B010
    return cached


def _country_ids(owner: Any) -> frozenset[int]:
    """The ids of a platform's or an organisation's countries, read once per object: the
    assignments kept on a user (`user_roles`) then answer every later check without a
    query."""
    ids: frozenset[int] | None = getattr(owner, "_puente_country_ids", None)
    if ids is None:
        ids = frozenset(c.pk for c in owner.countries.all())  # prefetched ones, if they were
        setattr(owner, "_puente_country_ids", ids)  # noqa: B010
    return ids


def _scope_countries(assignment: RoleAssignment) -> set[int] | None:
    """Country ids a scope covers; None means every country."""
    if assignment.scope_kind == ScopeKind.REGION:
        return None
    if assignment.scope_kind == ScopeKind.PLATFORM:
        return set(_country_ids(assignment.platform))
    if assignment.scope_kind == ScopeKind.SECTOR and assignment.country_id is None:
        return None
    if assignment.scope_kind == ScopeKind.PROJECT:
        return {assignment.project.country_id}  # type: ignore[union-attr]
    if assignment.country_id is not None:
        return {assignment.country_id}
    return set()


def scope_covers(assignment: RoleAssignment, target: Target | None) -> bool:
    if target is None:
        return assignment.scope_kind == ScopeKind.REGION
    if assignment.scope_kind == ScopeKind.REGION:
        return True
    if assignment.scope_kind == ScopeKind.ORGANISATION:
        return (
            target.organisation is not None and target.organisation.pk == assignment.organisation_id
        )
    if assignment.scope_kind == ScopeKind.PROJECT:
        return target.project is not None and target.project.pk == assignment.project_id
    if assignment.scope_kind == ScopeKind.SECTOR:
        if target.sector is None:
            return False
        if assignment.sector_id not in {target.sector.pk, target.sector.parent_id}:
            return False
    countries = _scope_countries(assignment)
    if countries is None:
        return True
    if target.country is not None:
        return target.country.pk in countries
    if target.organisation is not None:
        return bool(countries & {c.pk for c in target.organisation.countries.all()})
    return False


# Country ids; None means every country.
Reach = frozenset[int] | None


def scope_reach(
    *,
    kind: str,
    platform: Any = None,
    country: Any = None,
    sector: Any = None,
    organisation: Any = None,
    project: Any = None,
) -> Reach:
    """The countries whose data a role over this scope can reach; None: every country.
    An organisation scope reaches the organisation's rows and feedback wherever they are,
    so it reaches every country the organisation works in. A platform or organisation
    naming no country is taken to reach every country (the safe side for a grant). A
    project reaches its country."""
    if kind == ScopeKind.REGION:
        return None
    if kind == ScopeKind.PLATFORM:
        return _country_ids(platform) or None
    if kind == ScopeKind.SECTOR and country is None:
        return None
    if kind == ScopeKind.ORGANISATION:
        return _country_ids(organisation) or None
    if kind == ScopeKind.PROJECT:
        return frozenset({project.country_id})
    return frozenset({country.pk})


def assignment_reach(assignment: RoleAssignment) -> Reach:
    return scope_reach(
        kind=assignment.scope_kind,
        platform=assignment.platform,
        country=assignment.country,
        sector=assignment.sector,
        organisation=assignment.organisation,
        project=assignment.project,
    )


def reach_covers(outer: Reach, inner: Reach) -> bool:
    if outer is None:
        return True
    return inner is not None and inner <= outer


def reach_overlaps(one: Reach, other: Reach) -> bool:
    return one is None or other is None or bool(one & other)


def user_grant_reach(user: Actor | None, role: str) -> Reach:
    """Where `user` may grant (and remove) `role`: the union of the scopes of the user's
    roles that grant it (GRANTABLE_ROLES); an empty set when nowhere. Superusers grant
    every role but the PSEA ones, everywhere."""
    if not isinstance(user, User) or not user.is_authenticated or not user.is_active:
        return frozenset()
    if user.is_superuser and role not in PSEA_ROLES:
        return None
    countries: set[int] = set()
    for assignment in user_roles(user):
        if role not in GRANTABLE_ROLES.get(assignment.role, frozenset()):
            continue
        reach = assignment_reach(assignment)
        if reach is None:
            return None
        countries |= reach
    return frozenset(countries)


def user_can_grant(user: Actor | None, role: str, reach: Reach) -> bool:
    """True when `user` may grant or remove `role` over a scope reaching `reach`: what the
    grantee would reach must lie wholly inside what the granter's granting roles reach.
    (Nobody's own roles: the services check that, as it needs the grantee.)"""
    return reach_covers(user_grant_reach(user, role), reach)


def requires_two_factor(user: Actor | None) -> bool:
    if not isinstance(user, User) or not user.is_authenticated:
        return False
    return bool(user.is_superuser) or any(a.role in TWO_FACTOR_ROLES for a in user_roles(user))


def user_can(user: Actor | None, action: Action, target: Target | None = None) -> bool:
    """True when one of the user's roles grants `action` over `target`."""
    if not isinstance(user, User) or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser and action != Action.VIEW_SENSITIVE_FEEDBACK:
        return True
    for assignment in user_roles(user):
        if action not in ROLE_ACTIONS[assignment.role]:
            continue
        if action in UNTARGETED_ACTIONS:
            return True
        if scope_covers(assignment, target):
            return True
    return False


def user_can_somewhere(user: Actor | None, action: Action) -> bool:
    """True when some scope of the user's grants `action` (to show a menu entry)."""
    if not isinstance(user, User) or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser and action != Action.VIEW_SENSITIVE_FEEDBACK:
        return True
    return any(action in ROLE_ACTIONS[a.role] for a in user_roles(user))


def check(user: Actor | None, action: Action, target: Target | None = None) -> None:
    if not user_can(user, action, target):
        raise PermissionDenied()


def check_somewhere(user: Actor | None, action: Action) -> None:
    """The gate of a page that lists what the user's scopes cover: PermissionDenied (403)
    when none of the user's roles gives `action` anywhere."""
    if not user_can_somewhere(user, action):
        raise PermissionDenied()


def access_organisation(
    user: Actor | None, acronym: str, action: Action = Action.VIEW_DIRECTORY
) -> Organisation:
    """Load an organisation the user may act on: NotFound for an acronym that names none;
    PermissionDenied for one the user may not `action` (organisations are listed to
    everyone signed in, so their existence is no secret)."""
    from puente.partners.models import Organisation

    organisation = (
        Organisation.objects.prefetch_related("countries").filter(acronym__iexact=acronym).first()
    )
    if organisation is None:
        raise NotFound()
    target = None if action in UNTARGETED_ACTIONS else Target(organisation=organisation)
    check(user, action, target)
    return organisation


def scope_filter(
    user: Actor | None,
    action: Action,
    *,
    country: str = "country",
    sector: str | None = None,
    organisations: tuple[str, ...] = (),
    project: str | None = None,
) -> Q:
    """A queryset filter for the objects `user` may `action`: the union of the scopes of
    the roles granting it. `country`, `sector` and `organisations` name the lookups of the
    filtered model; `project` the lookup of a data-collection project, when it has one.
    Mirrors `scope_covers`, tested against it."""
    nothing = Q(pk__in=[])
    if not isinstance(user, User) or not user.is_authenticated or not user.is_active:
        return nothing
    if user.is_superuser and action != Action.VIEW_SENSITIVE_FEEDBACK:
        return Q()
    combined = nothing
    for a in user_roles(user):
        if action not in ROLE_ACTIONS[a.role]:
            continue
        if a.scope_kind == ScopeKind.REGION:
            return Q()
        if a.scope_kind == ScopeKind.ORGANISATION:
            part = nothing
            for lookup in organisations:
                part |= Q(**{lookup: a.organisation_id})
        elif a.scope_kind == ScopeKind.PROJECT:
            if project is None:
                continue
            part = Q(**{project: a.project_id})
        elif a.scope_kind == ScopeKind.SECTOR:
            if sector is None:
                continue
            part = Q(**{sector: a.sector_id}) | Q(**{f"{sector}__parent": a.sector_id})
            if a.country_id is not None:
                part &= Q(**{country: a.country_id})
        else:
            part = Q(**{f"{country}__in": sorted(_scope_countries(a) or [])})
        combined |= part
    return combined
