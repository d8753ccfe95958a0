from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from puente.accounts.permissions import requires_two_factor

OPEN_PREFIXES = ("/static/", "/i18n/", "/api/", "/favicon")


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
                # The whole deep link, query string included, encoded as one parameter.
                query = urlencode({"next": request.get_full_path()})
                return redirect(f"{reverse('accounts:two_factor')}?{query}")
        return self.get_response(request)
