import base64
import io

import qrcode
import qrcode.image.svg
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from puente.accounts.forms import RoleGrantForm, TokenForm
from puente.accounts.models import RoleAssignment
from puente.accounts.permissions import Action, user_can_somewhere
from puente.accounts.selectors import roles_grantable_by, user_list_for_manager
from puente.accounts.services import role_revoke, scope_parse, user_role_grant
from puente.core.errors import ApplicationError


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
    if not user_can_somewhere(request.user, Action.MANAGE_ROLES):
        raise DjangoPermissionDenied
    form = RoleGrantForm(request.POST or None)
    grantable = roles_grantable_by(request.user)
    form.fields["role"].choices = [c for c in form.fields["role"].choices if c[0] in grantable]
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
    try:
        role_revoke(acting_user=request.user, assignment=assignment)
    except ApplicationError as exc:
        raise DjangoPermissionDenied from exc
    messages.success(request, _("Role removed."))
    return redirect("accounts:users")
