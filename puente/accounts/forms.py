from django import forms
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
