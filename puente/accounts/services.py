"""Users and their roles. Every change of a role writes an audit record; every change of
a PSEA role is also e-mailed to the PSEA coordinators of its scope.

Who may grant what (`check_grant`): the granter holds a role that grants the role
(permissions.GRANTABLE_ROLES) over a scope reaching every country the grantee would
reach; nobody grants or removes their own roles; PSEA roles come from PSEA coordinators
only. The command line (acting_user None) is the server's operator and may do anything.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from puente.accounts.codes import AccountsCode
from puente.accounts.models import Role, RoleAssignment, ScopeKind, User
from puente.accounts.permissions import (
    PSEA_ROLES,
    ROLE_SCOPES,
    TWO_FACTOR_ROLES,
    Actor,
    Reach,
    assignment_reach,
    reach_covers,
    reach_overlaps,
    scope_reach,
    user_grant_reach,
)
from puente.core.errors import ApplicationError, PermissionDenied
from puente.core.services import audit_record
from puente.partners.models import Organisation
from puente.reference.models import Country, Platform, Sector

SCOPE_SYNTAX = (
    "region, platform:CODE, country:ISO3, sector:ISO3/SECTOR, sector:SECTOR, organisation:ACRONYM,"
    " project:CODE"
)


@dataclass(frozen=True)
class Scope:
    kind: str
    platform: Platform | None = None
    country: Country | None = None
    sector: Sector | None = None
    organisation: Organisation | None = None
    project: Any = None  # a puente.collect Project

    @property
    def key(self) -> str:
        if self.kind == ScopeKind.REGION:
            return "region"
        if self.kind == ScopeKind.PLATFORM:
            return f"platform:{self.platform.code}"  # type: ignore[union-attr]
        if self.kind == ScopeKind.COUNTRY:
            return f"country:{self.country.iso3}"  # type: ignore[union-attr]
        if self.kind == ScopeKind.SECTOR:
            prefix = f"{self.country.iso3}/" if self.country else ""
            return f"sector:{prefix}{self.sector.code}"  # type: ignore[union-attr]
        if self.kind == ScopeKind.PROJECT:
            return f"project:{self.project.code}"
        return f"organisation:{self.organisation.acronym}"  # type: ignore[union-attr]

    @property
    def reach(self) -> Reach:
        return scope_reach(
            kind=self.kind,
            platform=self.platform,
            country=self.country,
            sector=self.sector,
            organisation=self.organisation,
            project=self.project,
        )

    @classmethod
    def of(cls, assignment: RoleAssignment) -> Scope:
        return cls(
            kind=assignment.scope_kind,
            platform=assignment.platform,
            country=assignment.country,
            sector=assignment.sector,
            organisation=assignment.organisation,
            project=assignment.project,
        )


def check_grant(*, acting_user: Actor | None, grantee_email: str, role: str, scope: Scope) -> None:
    """Raise PermissionDenied unless `acting_user` may grant or remove `role` over `scope`
    for the user with `grantee_email`. The same rule for granting and removing: you may
    only remove what you could have granted. acting_user None: the command line."""
    if acting_user is None:
        return
    if not isinstance(acting_user, User):
        raise PermissionDenied()
    if grantee_email.strip().lower() == acting_user.email.lower():
        raise AccountsCode.OWN_ROLE.error()
    granter_reach = user_grant_reach(acting_user, role)
    if granter_reach == frozenset() and role in PSEA_ROLES:
        raise AccountsCode.PSEA_COORDINATOR_ONLY.error()
    if granter_reach == frozenset():
        raise AccountsCode.ROLE_NOT_GRANTABLE.error(role=role)
    if not reach_covers(granter_reach, scope.reach):
        raise AccountsCode.OUTSIDE_SCOPE.error(role=role, scope=scope.key)


def _scope_error(text: str) -> ApplicationError:
    return AccountsCode.UNKNOWN_SCOPE.error(scope=text, syntax=SCOPE_SYNTAX)  # type: ignore[no-any-return]


def scope_parse(text: str) -> Scope:
    """'country:COL' -> Scope(kind='country', country=Colombia)."""
    kind, _sep, code = text.strip().partition(":")
    kind = {"org": "organisation", "organization": "organisation"}.get(kind.lower(), kind.lower())
    if kind == ScopeKind.REGION:
        return Scope(kind=kind)
    if kind == ScopeKind.PLATFORM:
        platform = Platform.objects.filter(code=code.lower()).first()
        if platform:
            return Scope(kind=kind, platform=platform)
    elif kind == ScopeKind.COUNTRY:
        country = Country.objects.filter(iso3=code.upper()).first()
        if country:
            return Scope(kind=kind, country=country)
    elif kind == ScopeKind.SECTOR:
        country_code, _slash, sector_code = code.rpartition("/")
        sector = Sector.objects.filter(code=sector_code.upper()).first()
        country = (
            Country.objects.filter(iso3=country_code.upper()).first() if country_code else None
        )
        if sector and (country or not country_code):
            return Scope(kind=kind, country=country, sector=sector)
    elif kind == ScopeKind.ORGANISATION:
        organisation = Organisation.objects.filter(acronym__iexact=code).first()
        if organisation:
            return Scope(kind=kind, organisation=organisation)
    elif kind == ScopeKind.PROJECT:
        # Read through the app registry: collect sits above accounts.
        project = apps.get_model("collect", "Project").objects.filter(code=code.lower()).first()
        if project:
            return Scope(kind=kind, project=project)
    raise _scope_error(text)


def _check_role_fits_scope(role: str, scope: Scope) -> None:
    if role not in Role.values:
        raise AccountsCode.UNKNOWN_ROLE.error(role=role, roles=", ".join(Role.values))
    if scope.kind not in ROLE_SCOPES[role]:
        raise AccountsCode.INVALID_SCOPE_FOR_ROLE.error(
            role=role, kind=scope.kind, kinds=", ".join(sorted(ROLE_SCOPES[role]))
        )


@transaction.atomic
def role_assign(
    *, acting_user: Actor | None, user: User, role: str, scope: Scope
) -> RoleAssignment:
    """Give `user` a role over a scope. `acting_user` None means the command line, which the
    server's operator runs; otherwise `check_grant` decides."""
    _check_role_fits_scope(role, scope)
    check_grant(acting_user=acting_user, grantee_email=user.email, role=role, scope=scope)
    assignment, created = RoleAssignment.objects.get_or_create(
        user=user,
        role=role,
        scope_key=scope.key,
        defaults={
            "scope_kind": scope.kind,
            "platform": scope.platform,
            "country": scope.country,
            "sector": scope.sector,
            "organisation": scope.organisation,
            "project": scope.project,
        },
    )
    if created and role in TWO_FACTOR_ROLES and user.digest_ha1:
        # A role with a second factor keeps no Digest hash (docs/security.md).
        user.digest_ha1 = ""
        user.save(update_fields=["digest_ha1"])
    if created:
        audit_record(
            acting_user=acting_user,
            action="role.assign",
            target=user,
            data={"role": role, "scope": scope.key},
        )
        if role in PSEA_ROLES:
            _psea_role_notify(
                acting_user=acting_user, user=user, role=role, scope=scope, granted=True
            )
    return assignment


@transaction.atomic
def role_revoke(*, acting_user: Actor | None, assignment: RoleAssignment) -> None:
    """Remove a role: the same rule as granting it (`check_grant`), so nobody removes
    their own roles but through the command line."""
    scope = Scope.of(assignment)
    check_grant(
        acting_user=acting_user,
        grantee_email=assignment.user.email,
        role=assignment.role,
        scope=scope,
    )
    audit_record(
        acting_user=acting_user,
        action="role.revoke",
        target=assignment.user,
        data={"role": assignment.role, "scope": assignment.scope_key},
    )
    if assignment.role in PSEA_ROLES:
        _psea_role_notify(
            acting_user=acting_user,
            user=assignment.user,
            role=assignment.role,
            scope=scope,
            granted=False,
        )
    assignment.delete()


@transaction.atomic
def user_role_grant(
    *,
    acting_user: Actor | None,
    email: str,
    role: str,
    scope: Scope,
    password: str | None = None,
    full_name: str = "",
) -> tuple[User, RoleAssignment, str | None]:
    """Give the user with `email` a role over a scope, creating the account when there is
    none. All or nothing: a refused grant leaves no account behind. Returns the user, the
    assignment and the generated password, if any."""
    _check_role_fits_scope(role, scope)
    check_grant(acting_user=acting_user, grantee_email=email, role=role, scope=scope)
    user, generated = user_create(
        acting_user=acting_user, email=email, password=password, full_name=full_name
    )
    assignment = role_assign(acting_user=acting_user, user=user, role=role, scope=scope)
    return user, assignment, generated


def psea_coordinators_of(reach: Reach) -> list[User]:
    """Active PSEA coordinators whose scope reaches some country of `reach`."""
    users: dict[int, User] = {}
    assignments = (
        RoleAssignment.objects.filter(role=Role.PSEA_COORDINATOR, user__is_active=True)
        .select_related("user", "platform")
        .prefetch_related("platform__countries")
    )
    for assignment in assignments:
        if reach_overlaps(assignment_reach(assignment), reach):
            users[assignment.user.pk] = assignment.user
    return sorted(users.values(), key=lambda u: u.email)


def _psea_role_notify(
    *, acting_user: Actor | None, user: User, role: str, scope: Scope, granted: bool
) -> None:
    """E-mail the PSEA coordinators of the scope, once the change is committed. The mail
    names who changed what; it carries nothing of any complaint."""
    recipients = psea_coordinators_of(scope.reach)
    actor = acting_user.email if isinstance(acting_user, User) else None
    values = {"actor": actor, "email": user.email, "role": role, "scope": scope.key}

    def send() -> None:
        for recipient in recipients:
            language = recipient.language or settings.LANGUAGE_CODE
            with translation.override(language):
                subject = (
                    _("Puente: PSEA role granted") if granted else _("Puente: PSEA role removed")
                )
                if granted and actor:
                    body = _("%(actor)s gave %(email)s the role %(role)s over %(scope)s.")
                elif granted:
                    body = _(
                        "The server's command line gave %(email)s the role %(role)s over %(scope)s."
                    )
                elif actor:
                    body = _("%(actor)s removed the role %(role)s over %(scope)s from %(email)s.")
                else:
                    body = _(
                        "The server's command line removed the role %(role)s over %(scope)s "
                        "from %(email)s."
                    )
                body = body % values
                note = _(
                    "You receive this as a PSEA coordinator of this scope. If you did not "
                    "expect this change, check the users and roles page."
                )
            send_mail(
                subject,
                f"{body}\n\n{note}",
                settings.DEFAULT_FROM_EMAIL,
                [recipient.email],
                fail_silently=False,
            )

    transaction.on_commit(send)


@transaction.atomic
def user_create(
    *,
    acting_user: Actor | None,
    email: str,
    password: str | None = None,
    full_name: str = "",
    language: str = "",
) -> tuple[User, str | None]:
    """Create a user, or return the existing one. Returns the generated password, if any."""
    existing = User.objects.filter(email__iexact=email.strip()).first()
    if existing is not None:
        return existing, None
    generated = None
    if not password:
        password = generated = secrets.token_urlsafe(12)
    user = User(email=email.strip().lower(), full_name=full_name, language=language)
    user.set_password(password)
    user.must_change_password = generated is not None
    user.full_clean()
    user.save()
    audit_record(
        acting_user=acting_user, action="user.create", target=user, data={"email": user.email}
    )
    return user, generated
