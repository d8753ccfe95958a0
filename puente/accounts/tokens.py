"""Users' API tokens (`Authorization: Token <key>`, Django REST framework's token model).

A user whose roles need the second factor gets a token only after entering a valid code,
and a token of theirs opens the API only while the authenticator it was issued under is
still theirs: a token made before their current authenticator was confirmed (before they
had one, before a reset) is refused. One rule for the API token page and the API.
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token

from puente.accounts.codes import AccountsCode
from puente.accounts.models import User
from puente.accounts.permissions import Actor, requires_two_factor
from puente.core.errors import ApplicationError, PermissionDenied
from puente.core.services import audit_record


def second_factor_required(user: Actor) -> bool:
    """True when `user` must pass the second factor before anything but signing in."""
    return bool(settings.PUENTE_REQUIRE_2FA) and requires_two_factor(user)


def two_factor_error() -> ApplicationError:
    # Signing in on the site comes first here: no token is issued yet.
    return AccountsCode.TWO_FACTOR_REQUIRED.error(  # type: ignore[no-any-return]
        message=_(
            "Your role needs two-step verification: sign in with your authenticator code first."
        )
    )


def api_token_get(user: Actor) -> Token | None:
    if not isinstance(user, User):
        return None
    return Token.objects.filter(user=user).first()


@transaction.atomic
def api_token_issue(*, acting_user: Actor, verified: bool) -> Token:
    """A new API token for `acting_user`, replacing the one they had. `verified`: the
    request carries a valid second factor (django-otp's `user.is_verified()`)."""
    if not isinstance(acting_user, User):
        raise PermissionDenied()
    if second_factor_required(acting_user) and not verified:
        raise two_factor_error()
    Token.objects.filter(user=acting_user).delete()
    token = Token.objects.create(user=acting_user)
    audit_record(acting_user=acting_user, action="api_token.issue", target=acting_user, data={})
    return token


@transaction.atomic
def api_token_revoke(*, acting_user: Actor | None, user: Actor | None) -> bool:
    """Delete `user`'s API token. True when there was one."""
    if not isinstance(user, User):
        return False
    deleted, _rows = Token.objects.filter(user=user).delete()
    if deleted:
        audit_record(acting_user=acting_user, action="api_token.revoke", target=user, data={})
    return bool(deleted)


def api_token_usable(token: Token) -> bool:
    """False for a token of a user who needs the second factor when it was not issued
    under their current, confirmed authenticator."""
    user = token.user
    if not second_factor_required(user):
        return True
    enrolled = (
        TOTPDevice.objects.filter(user=user, confirmed=True, created_at__isnull=False)
        .order_by("created_at")
        .values_list("created_at", flat=True)
        .first()
    )
    return enrolled is not None and enrolled <= token.created
