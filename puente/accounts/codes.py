"""Error codes of accounts: signing in, API tokens and role management (docs/api.md and
docs/roles.md list them with their status)."""

from django.utils.translation import gettext_lazy as _

from puente.core.codes import ErrorCode


class AccountsCode(ErrorCode):
    # Signing in and API tokens
    TWO_FACTOR_REQUIRED = (
        "two_factor_required",
        _(
            "Your role needs two-step verification: sign in with your authenticator code "
            "first, and use an API token issued after it."
        ),
        403,
    )
    PASSWORD_CHANGE_REQUIRED = (
        "password_change_required",
        _("Your password was generated for you: choose your own on the site first."),
        403,
    )
    # Granting and removing roles
    UNKNOWN_SCOPE = "unknown_scope", _("Unknown scope “%(scope)s”. Use one of: %(syntax)s."), 400
    UNKNOWN_ROLE = "unknown_role", _("Unknown role “%(role)s”. Roles: %(roles)s."), 400
    INVALID_SCOPE_FOR_ROLE = (
        "invalid_scope_for_role",
        _("The role %(role)s cannot be bound to a %(kind)s scope; it takes: %(kinds)s."),
        400,
    )
    OWN_ROLE = "own_role", _("Nobody grants or removes their own roles."), 403
    PSEA_COORDINATOR_ONLY = (
        "psea_coordinator_only",
        _("PSEA roles are granted and removed by PSEA coordinators only."),
        403,
    )
    ROLE_NOT_GRANTABLE = (
        "role_not_grantable",
        _("You cannot grant or remove the role %(role)s."),
        403,
    )
    OUTSIDE_SCOPE = (
        "outside_scope",
        _(
            "You cannot grant or remove the role %(role)s over %(scope)s: what it reaches "
            "must lie wholly inside your own scope."
        ),
        403,
    )
