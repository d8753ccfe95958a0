from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from puente.accounts.permissions import requires_two_factor

# The API answers these users itself, in its error shape (puente.core.api). The OpenRosa
# server (/collect/) reads no session at all: its users authenticate on every request
# with Digest or Basic, and data collectors have no second factor (docs/security.md).
OPEN_PREFIXES = (
    "/static/",
    "/i18n/",
    "/api/",
    "/favicon",
    "/collect/",
    "/healthz",
    "/readyz",
    "/metrics",
)


def _redirect_with_next(request: HttpRequest, url_name: str) -> HttpResponse:
    # The whole deep link, query string included, encoded as one parameter.
    query = urlencode({"next": request.get_full_path()})
    return redirect(f"{reverse(url_name)}?{query}")


class RequireTwoFactorMiddleware:
    """Users whose roles need a second factor reach nothing but the two-factor page, the
    logout and static files until they have entered a valid TOTP code."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            settings.PUENTE_REQUIRE_2FA
            and user.is_authenticated
            and not user.is_verified()  # type: ignore[union-attr,attr-defined]
            and requires_two_factor(user)
        ):
            allowed = (reverse("accounts:two_factor"), reverse("accounts:logout"))
            if not request.path.startswith(allowed + OPEN_PREFIXES):
                return _redirect_with_next(request, "accounts:two_factor")
        return self.get_response(request)


class RequirePasswordChangeMiddleware:
    """A user signed in with a password somebody else generated (create-user, the Users
    and roles page) reaches nothing but the password change form, the two-factor page, the
    logout and static files until they have chosen their own. Placed after
    RequireTwoFactorMiddleware: the second factor comes first."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated and user.must_change_password:  # type: ignore[union-attr]
            allowed = (
                reverse("accounts:password_change"),
                reverse("accounts:two_factor"),
                reverse("accounts:logout"),
            )
            if not request.path.startswith(allowed + OPEN_PREFIXES):
                return _redirect_with_next(request, "accounts:password_change")
        return self.get_response(request)
