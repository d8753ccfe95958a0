"""Users and their roles. Every change of a role writes an audit record."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from puente.accounts.models import Role, RoleAssignment, ScopeKind, User
from puente.accounts.permissions import ROLE_SCOPES, scope_targets, user_can_manage_scope
from puente.core.errors import ApplicationError, PermissionDenied
from puente.core.services import audit_record
from puente.partners.models import Organisation
from puente.reference.models import Country, Platform, Sector

SCOPE_SYNTAX = (
    "region, platform:CODE, country:ISO3, sector:ISO3/SECTOR, sector:SECTOR, organisation:ACRONYM"
)


@dataclass(frozen=True)
class Scope:
    kind: str
    platform: Platform | None = None
    country: Country | None = None
    sector: Sector | None = None
    organisation: Organisation | None = None

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
        return f"organisation:{self.organisation.acronym}"  # type: ignore[union-attr]

    def check_manageable_by(self, acting_user: Any, role: str) -> None:
        targets = scope_targets(
            kind=self.kind,
            platform=self.platform,
            country=self.country,
            sector=self.sector,
            organisation=self.organisation,
        )
        if not user_can_manage_scope(acting_user, role, targets):
            raise PermissionDenied()


def _scope_error(text: str) -> ApplicationError:
    return ApplicationError(
        _("Unknown scope “%(scope)s”. Use one of: %(syntax)s.")
        % {"scope": text, "syntax": SCOPE_SYNTAX},
        code="unknown_scope",
    )


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
    raise _scope_error(text)


@transaction.atomic
def role_assign(*, acting_user: Any, user: User, role: str, scope: Scope) -> RoleAssignment:
    """Give `user` a role over a scope. `acting_user` None means the command line, which the
    server's operator runs; otherwise the acting user must manage roles over that scope."""
    if role not in Role.values:
        raise ApplicationError(
            _("Unknown role “%(role)s”. Roles: %(roles)s.")
            % {"role": role, "roles": ", ".join(Role.values)},
            code="unknown_role",
        )
    if scope.kind not in ROLE_SCOPES[role]:
        raise ApplicationError(
            _("The role %(role)s cannot be bound to a %(kind)s scope; it takes: %(kinds)s.")
            % {"role": role, "kind": scope.kind, "kinds": ", ".join(sorted(ROLE_SCOPES[role]))},
            code="invalid_scope_for_role",
        )
    if acting_user is not None:
        scope.check_manageable_by(acting_user, role)
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
        },
    )
    if created:
        audit_record(
            acting_user=acting_user,
            action="role.assign",
            target=user,
            data={"role": role, "scope": scope.key},
        )
    return assignment


@transaction.atomic
def role_revoke(*, acting_user: Any, assignment: RoleAssignment) -> None:
    if acting_user is not None:
        scope = Scope(
            kind=assignment.scope_kind,
            platform=assignment.platform,
            country=assignment.country,
            sector=assignment.sector,
            organisation=assignment.organisation,
        )
        scope.check_manageable_by(acting_user, assignment.role)
    audit_record(
        acting_user=acting_user,
        action="role.revoke",
        target=assignment.user,
        data={"role": assignment.role, "scope": assignment.scope_key},
    )
    assignment.delete()


@transaction.atomic
def user_create(
    *,
    acting_user: Any,
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
    user.full_clean()
    user.save()
    audit_record(
        acting_user=acting_user, action="user.create", target=user, data={"email": user.email}
    )
    return user, generated
