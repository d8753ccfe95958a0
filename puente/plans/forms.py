from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from puente.partners.models import Organisation
from puente.reference.models import Country, PopulationGroup, Sector


class PlanEntryForm(forms.Form):
    """A partner's entry: requirement, targets per population group and activities."""

    organisation = forms.ModelChoiceField(
        label=_("Organisation"), queryset=Organisation.objects.none(), to_field_name="acronym"
    )
    country = forms.ModelChoiceField(
        label=_("Country"), queryset=Country.objects.none(), to_field_name="iso3"
    )
    sector = forms.ModelChoiceField(
        label=_("Sector"), queryset=Sector.objects.all(), to_field_name="code"
    )
    year = forms.TypedChoiceField(label=_("Year"), coerce=int, choices=())
    requirement_usd = forms.DecimalField(
        label=_("Requirement (USD)"), min_value=0, max_digits=16, decimal_places=2
    )
    activities = forms.CharField(
        label=_("Activities, one per line"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=5000,
    )

    def __init__(self, *args: Any, plan: Any, organisations: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations  # type: ignore[attr-defined]
        self.fields["country"].queryset = plan.countries.all()  # type: ignore[attr-defined]
        self.fields["year"].choices = [(y, y) for y in plan.years]  # type: ignore[attr-defined]
        self.groups = list(PopulationGroup.objects.all())
        for group in self.groups:
            self.fields[f"target_{group.code}"] = forms.IntegerField(
                label=_("People targeted: %(group)s") % {"group": group.name},
                min_value=0,
                required=False,
            )

    def targets(self) -> dict[PopulationGroup, int]:
        return {g: self.cleaned_data.get(f"target_{g.code}") or 0 for g in self.groups}


class EntryReviewForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approved", _("Approve")), ("returned", _("Return"))])
    comment = forms.CharField(required=False, max_length=2000)
