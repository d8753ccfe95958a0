"""How API callers sign in: a user's token or the browser session, both refused to a user
who needs the second factor and has not passed it, or who must first replace a generated
password (the two steps the pages send such a user to). Kept apart from puente.core.api:
REST framework imports authentication classes while its own views module loads."""

from typing import Any

from django.conf import settings
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions
from rest_framework.authtoken.models import Token
from rest_framework.request import Request

from puente.accounts.codes import AccountsCode
from puente.accounts.tokens import api_token_usable, second_factor_required


class TwoFactorRequired(exceptions.PermissionDenied):
    default_code = AccountsCode.TWO_FACTOR_REQUIRED
    default_detail = AccountsCode.TWO_FACTOR_REQUIRED.message


class PasswordChangeRequired(exceptions.PermissionDenied):
    default_code = AccountsCode.PASSWORD_CHANGE_REQUIRED
    default_detail = AccountsCode.PASSWORD_CHANGE_REQUIRED.message


class SessionAuthentication(authentication.SessionAuthentication):
    """The browser session, only once the sign-in steps are complete."""

    def authenticate(self, request: Request) -> tuple[Any, None] | None:
        result = super().authenticate(request)
        if result is None:
            return None
        user = result[0]
        is_verified = getattr(user, "is_verified", None)
        if second_factor_required(user) and not (callable(is_verified) and is_verified()):
            raise TwoFactorRequired()
        if user.must_change_password:
            raise PasswordChangeRequired()
        return result


class TokenAuthentication(authentication.TokenAuthentication):
    """A user's API token, refused when it was not issued under the second factor their
    roles need (puente.accounts.tokens.api_token_usable)."""

    def authenticate_credentials(self, key: str) -> tuple[Any, Token]:
        user, token = super().authenticate_credentials(key)
        if not api_token_usable(token):
            raise TwoFactorRequired()
        if user.must_change_password:
            raise PasswordChangeRequired()
        return user, token


class SessionScheme(OpenApiAuthenticationExtension):  # type: ignore[no-untyped-call]
    """The session cookie in the OpenAPI schema, as for REST framework's own class."""

    target_class = "puente.accounts.authentication.SessionAuthentication"
    name = "cookieAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {"type": "apiKey", "in": "cookie", "name": settings.SESSION_COOKIE_NAME}
