import base64
import io
from typing import Any, cast

import qrcode
import qrcode.image.svg
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.cache import add_never_cache_headers
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from puente.accounts.forms import AccountPasswordResetForm, RoleGrantForm, TokenForm
from puente.accounts.models import Role, RoleAssignment
from puente.accounts.selectors import roles_grantable_by, user_list_for_manager
from puente.accounts.services import role_revoke, scope_parse, user_role_grant
from puente.accounts.tokens import (
    api_token_get,
    api_token_issue,
    api_token_revoke,
    second_factor_required,
)
from puente.core.errors import ApplicationError
from puente.core.ratelimit import client_address, over_limit


def safe_next_url(request: HttpRequest, url: str | None, default: str = "/") -> str:
    """`url` when it stays on this site (a path with its query string), else `default`."""
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return default


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


def _label_new_password(form: Any) -> None:
    """The project's own words (its catalogue has Latin American Spanish and Brazilian
    Portuguese; Django's own Portuguese is European)."""
    form.fields["new_password1"].label = _("New password")
    form.fields["new_password2"].label = _("New password again")


class PasswordChangeView(auth_views.PasswordChangeView):
    """The user's own password, checked by AUTH_PASSWORD_VALIDATORS. A user who must
    replace a generated password is sent here by the middleware and then on to `next`."""

    template_name = "accounts/password_change.html"
    form_class = PasswordChangeForm
    success_url = reverse_lazy("accounts:password_change_done")

    def get_form(self, form_class: type[PasswordChangeForm] | None = None) -> PasswordChangeForm:
        form = super().get_form(form_class)
        form.fields["old_password"].label = _("Current password")
        _label_new_password(form)
        return form

    def get_context_data(self, **kwargs: object) -> dict[str, object]:
        context = super().get_context_data(**kwargs)
        context["next"] = self._next_url()
        context["forced"] = self.request.user.must_change_password  # type: ignore[union-attr]
        return context

    def _next_url(self) -> str:
        requested = self.request.POST.get("next") or self.request.GET.get("next")
        return safe_next_url(self.request, requested, default="")

    def form_valid(self, form: PasswordChangeForm) -> HttpResponse:
        super().form_valid(form)
        api_token_revoke(acting_user=self.request.user, user=self.request.user)
        messages.success(self.request, _("Your password was changed."))
        return redirect(self._next_url() or reverse("accounts:password_change_done"))


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = "accounts/password_change_done.html"


class PasswordResetView(auth_views.PasswordResetView):
    """A link by e-mail to choose a new password; the page answers the same whether or not
    the address has an account.

    Limits: a client address may ask PUENTE_PASSWORD_RESET_CLIENT_LIMIT times per window
    (then 429, saying to wait); one e-mail address receives at most
    PUENTE_PASSWORD_RESET_LIMIT links per window, beyond which the page answers as usual
    and sends nothing (so nobody can flood a mailbox, and the answer still tells nothing
    about the account)."""

    template_name = "accounts/password_reset.html"
    email_template_name = "accounts/password_reset_email.txt"
    subject_template_name = "accounts/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")
    form_class = AccountPasswordResetForm

    def form_valid(self, form: Any) -> HttpResponse:
        window = settings.PUENTE_PASSWORD_RESET_WINDOW
        if over_limit(
            "password-reset:client",
            client_address(self.request),
            limit=settings.PUENTE_PASSWORD_RESET_CLIENT_LIMIT,
            window=window,
        ):
            form.add_error(
                None,
                _("Too many requests from this connection. Try again in an hour."),
            )
            return self.render_to_response(self.get_context_data(form=form), status=429)
        if over_limit(
            "password-reset:email",
            form.cleaned_data["email"].strip().lower(),
            limit=settings.PUENTE_PASSWORD_RESET_LIMIT,
            window=window,
        ):
            return redirect(self.get_success_url())
        return super().form_valid(form)

    def get_form(self, form_class: Any = None) -> Any:
        form = super().get_form(form_class)
        form.fields["email"].label = _("Email address")
        return form


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """The new password, checked by AUTH_PASSWORD_VALIDATORS. It does not sign in: the
    second factor is still asked at the next sign-in."""

    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")

    def get_form(self, form_class: Any = None) -> Any:
        form = super().get_form(form_class)
        _label_new_password(form)
        return form

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        api_token_revoke(acting_user=self.user, user=self.user)
        return response


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"


@login_required
def api_token(request: HttpRequest) -> HttpResponse:
    """Issue, replace or revoke the user's API token. The key is shown once, in the answer
    to the request that made it."""
    token = api_token_get(request.user)
    new_key = None
    if request.method == "POST" and request.POST.get("action") == "revoke":
        if api_token_revoke(acting_user=request.user, user=request.user):
            messages.success(request, _("Your API token was revoked."))
        return redirect("accounts:api_token")
    if request.method == "POST":
        is_verified = getattr(request.user, "is_verified", None)
        try:
            token = api_token_issue(
                acting_user=request.user, verified=callable(is_verified) and is_verified()
            )
        except ApplicationError:
            query = urlencode({"next": reverse("accounts:api_token")})
            return redirect(f"{reverse('accounts:two_factor')}?{query}")
        new_key = token.key
    response = render(
        request,
        "accounts/api_token.html",
        {
            "token": token,
            "new_key": new_key,
            "needs_second_factor": second_factor_required(request.user),
        },
    )
    add_never_cache_headers(response)
    return response


def _qr_data_uri(text: str) -> str:
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage)
    buffer = io.BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


@login_required
def two_factor(request: HttpRequest) -> HttpResponse:
    """Enrol a TOTP device (first time) or verify a code (every sign-in)."""
    device = TOTPDevice.objects.filter(user=request.user, confirmed=True).first()
    enrolling = device is None
    if enrolling:
        device, _created = TOTPDevice.objects.get_or_create(
            user=request.user, confirmed=False, defaults={"name": "authenticator"}
        )
    next_url = safe_next_url(request, request.POST.get("next") or request.GET.get("next"))
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"].strip()):
            if enrolling:
                device.confirmed = True
                device.save(update_fields=["confirmed"])
                # A token made before the user had an authenticator was never issued
                # under it.
                api_token_revoke(acting_user=request.user, user=request.user)
            otp_login(request, device)
            return redirect(next_url)
        form.add_error(
            "token", _("This code is not valid. Check the time on your phone and try again.")
        )
    context = {"form": form, "enrolling": enrolling, "next": next_url}
    if enrolling:
        context["secret"] = base64.b32encode(device.bin_key).decode()
        context["qr"] = _qr_data_uri(device.config_url)
    return render(request, "accounts/two_factor.html", context)


@login_required
def users(request: HttpRequest) -> HttpResponse:
    grantable = roles_grantable_by(request.user)
    form = RoleGrantForm(request.POST or None)
    role_field = cast(forms.ChoiceField, form.fields["role"])
    role_field.choices = [(value, label) for value, label in Role.choices if value in grantable]
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user, _assignment, password = user_role_grant(
                acting_user=request.user,
                email=data["email"],
                role=data["role"],
                scope=scope_parse(data["scope"]),
            )
        except ApplicationError as exc:
            form.add_error(None, str(exc.message))
        else:
            if password:
                messages.success(
                    request,
                    _(
                        "User %(email)s created with the password %(password)s. "
                        "Share it safely; they should change it."
                    )
                    % {"email": user.email, "password": password},
                )
            messages.success(request, _("Role granted."))
            return redirect("accounts:users")
    return render(
        request,
        "accounts/users.html",
        {
            "form": form,
            "users": user_list_for_manager(request.user),
        },
    )


@login_required
@require_POST
def role_remove(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = get_object_or_404(RoleAssignment.objects.select_related("user"), pk=pk)
    # Every refusal of role_revoke (check_grant) is a PermissionDenied: 403.
    role_revoke(acting_user=request.user, assignment=assignment)
    messages.success(request, _("Role removed."))
    return redirect("accounts:users")
