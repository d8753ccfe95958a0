from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from puente.core.filters import UNKNOWN_PLAN, CodeChoiceField, FilterForm, YearField
from puente.plans.models import Plan

# The groupings the page offers; the API and the CLI take any combination of
# funding.selectors.GROUPINGS.
BY_CHOICES = [
    ("country", gettext_lazy("Country")),
    ("sector", gettext_lazy("Sector")),
    ("org", gettext_lazy("Organisation")),
    ("country,sector", gettext_lazy("Country and sector")),
    ("country,org", gettext_lazy("Country and organisation")),
]


class FundingFilterForm(FilterForm):
    """The funding page and its downloads: a plan, a grouping and a year."""

    plan = CodeChoiceField(
        label=gettext_lazy("Plan"),
        queryset=Plan.objects.all(),
        to_field_name="code",
        unknown=UNKNOWN_PLAN,
    )
    by = forms.ChoiceField(label=gettext_lazy("Group by"), choices=BY_CHOICES, required=False)
    year = YearField()

    def __init__(self, *args: Any, plans: QuerySet[Plan], **kwargs: Any) -> None:
        """`plans`: those the reader may open (plans.selectors.plans_visible)."""
        super().__init__(*args, **kwargs)
        self.fields["plan"].queryset = plans  # type: ignore[attr-defined]
        self.fields["plan"].choices = [  # type: ignore[attr-defined]
            (p.code, p.name) for p in plans
        ]
        self.fields["by"].error_messages["invalid_choice"] = _(
            "“%(value)s” is not one of the groupings offered."
        )

    def groupings(self) -> list[str]:
        return [b for b in (self.cleaned_data.get("by") or "country").split(",") if b]
