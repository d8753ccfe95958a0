from django import forms
from django.utils.translation import gettext_lazy as _

from puente.core.forms import NameOrderedModelChoiceField
from puente.partners.models import Organisation
from puente.reference.models import Country, Platform

YES_NO_ANY = [("", _("Any")), ("yes", _("Yes")), ("no", _("No"))]


class DirectoryFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    country = NameOrderedModelChoiceField(
        label=_("Country"),
        queryset=Country.objects.all(),
        required=False,
        to_field_name="iso3",
        empty_label=_("All countries"),
    )
    platform = forms.ModelChoiceField(
        label=_("Platform"),
        queryset=Platform.objects.all(),
        required=False,
        to_field_name="code",
        empty_label=_("All platforms"),
    )
    type = forms.ChoiceField(
        label=_("Type"), required=False, choices=[("", _("All types")), *Organisation.Type.choices]
    )
    migrant_led = forms.ChoiceField(
        label=_("Refugee/migrant-led"), required=False, choices=YES_NO_ANY
    )
    women_led = forms.ChoiceField(label=_("Women-led"), required=False, choices=YES_NO_ANY)
    appealing = forms.ChoiceField(label=_("Appealing"), required=False, choices=YES_NO_ANY)

    @staticmethod
    def flag(value: str) -> bool | None:
        return {"yes": True, "no": False}.get(value)
