from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from puente.core.filters import (
    UNKNOWN_SECTOR,
    CodeChoiceField,
    FilterForm,
    YearField,
    code_choices,
)
from puente.partners.forms import OrganisationField
from puente.partners.models import Organisation
from puente.plans.codes import PlansCode
from puente.plans.models import PlanEntry
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


class PlanYearForm(FilterForm):
    """The year a plan page shows: one of the plan's years."""

    year = YearField()

    def __init__(self, *args: Any, plan: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.plan = plan
        self.fields["year"].widget = forms.HiddenInput()

    def clean_year(self) -> int | None:
        year = self.cleaned_data.get("year")
        if year is not None and year not in self.plan.years:
            raise forms.ValidationError(
                _("%(year)s is not a year of this plan (%(start)s–%(end)s).")
                % {"year": year, "start": self.plan.start_year, "end": self.plan.end_year},
                code=PlansCode.YEAR_OUTSIDE_PLAN,
            )
        return year


class PlanEntryFilterForm(PlanYearForm):
    """The partners' entries of a plan page: a country of the plan, a sector, an
    organisation and a status. A mistyped one is an error on the page."""

    country = CodeChoiceField(
        label=_("Country"),
        queryset=Country.objects.none(),
        to_field_name="iso3",
        unknown=_("“%(value)s” is not a country of this plan."),
    )
    sector = CodeChoiceField(
        label=_("Sector"),
        queryset=Sector.objects.all(),
        to_field_name="code",
        unknown=UNKNOWN_SECTOR,
    )
    org = OrganisationField(label=_("Organisation"))
    status = forms.ChoiceField(label=_("Status"), required=False)

    def __init__(self, *args: Any, plan: Any, **kwargs: Any) -> None:
        super().__init__(*args, plan=plan, **kwargs)
        countries = plan.countries.all()
        self.fields["country"].queryset = countries  # type: ignore[attr-defined]
        self.fields["country"].choices = code_choices(countries, "iso3", empty="–")  # type: ignore[attr-defined]
        self.fields["sector"].choices = [("", "–")] + [  # type: ignore[attr-defined]
            (s.code, s.name) for s in Sector.objects.all()
        ]
        self.fields["org"].offer(Organisation.objects.filter(appealing=True))  # type: ignore[attr-defined]
        self.fields["status"].choices = [("", "–"), *PlanEntry.Status.choices]  # type: ignore[attr-defined]
