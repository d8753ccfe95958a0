from typing import Any

from django import forms
from django.contrib.auth.forms import PasswordResetForm
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from puente.accounts.models import Role


class TokenForm(forms.Form):
    token = forms.CharField(
        label=_("Six-digit code from your authenticator app"),
        max_length=8,
        min_length=6,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )


class RoleGrantForm(forms.Form):
    email = forms.EmailField(label=_("Email address"))
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    scope = forms.CharField(
        label=_("Scope"),
        max_length=96,
        help_text=_(
            "For example region, platform:colombia, country:PER, sector:COL/HEA, organisation:IOM"
        ),
    )


class AccountPasswordResetForm(PasswordResetForm):
    """The reset link is written in the language of the account it is sent to (the
    language chosen in the account), not in the language of whoever asked for it: the
    request may come from anyone who knows the address."""

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        language = getattr(context.get("user"), "language", "") or translation.get_language()
        with translation.override(language):
            super().send_mail(
                subject_template_name,
                email_template_name,
                context,
                from_email,
                to_email,
                html_email_template_name,
            )
