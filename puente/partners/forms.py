from collections.abc import Iterable
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from puente.core.filters import DatalistInput
from puente.core.forms import NameOrderedModelChoiceField
from puente.core.tabular import normalize_value
from puente.partners.models import Organisation
from puente.reference.models import Country, Platform

UNKNOWN_ORGANISATION = _("“%(value)s” is not the acronym of an organisation of the directory.")

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


def organisation_label(organisation: Any) -> str:
    """ "UNHCR — United Nations High Commissioner for Refugees"; the acronym alone when
    the name says nothing more."""
    acronym = organisation.acronym
    name = getattr(organisation, "display_name", None) or organisation.name
    if not name or normalize_value(name) == normalize_value(acronym):
        return str(acronym)
    return f"{acronym} — {name}"


class OrganisationField(forms.Field):
    """An organisation typed or picked from the suggestions ("UNHCR — United Nations High
    Commissioner for Refugees"): read by its acronym, or by its full name."""

    widget = DatalistInput

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)
        self.widget.attrs.setdefault("size", "40")

    def offer(self, organisations: Iterable[Any], *, first_country: Any = None) -> None:
        """Suggest `organisations` by acronym and name, those working in `first_country`
        first."""
        listed = sorted(organisations, key=lambda o: normalize_value(o.acronym))
        if first_country is not None:
            here = {o.pk for o in first_country.organisations.all()}
            listed.sort(key=lambda o: o.pk not in here)
        self.widget.options = [organisation_label(o) for o in listed]  # type: ignore[attr-defined]

    def prepare_value(self, value: Any) -> Any:
        return organisation_label(value) if hasattr(value, "acronym") else value

    def to_python(self, value: Any) -> Any:
        text = str(value or "").strip()
        if not text:
            return None
        acronym = text.split(" — ")[0].strip()
        found = (
            Organisation.objects.filter(acronym__iexact=acronym).first()
            or Organisation.objects.filter(
                Q(name__iexact=text) | Q(name_es__iexact=text) | Q(name_pt__iexact=text)
            ).first()
        )
        if found is None:
            raise ValidationError(
                UNKNOWN_ORGANISATION, code="invalid_choice", params={"value": text}
            )
        return found
