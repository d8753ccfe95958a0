from __future__ import annotations

from typing import Any, cast

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from puente.core.filters import FilterForm, PlanChoiceField, YearField
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

    plan = PlanChoiceField(label=gettext_lazy("Plan"), queryset=Plan.objects.all())
    by = forms.ChoiceField(label=gettext_lazy("Group by"), choices=BY_CHOICES, required=False)
    year = YearField()

    def __init__(self, *args: Any, plans: QuerySet[Plan], **kwargs: Any) -> None:
        """`plans`: those the reader may open (plans.selectors.plans_visible)."""
        super().__init__(*args, **kwargs)
        cast(PlanChoiceField, self.fields["plan"]).offer(plans)
        self.fields["by"].error_messages["invalid_choice"] = _(
            "“%(value)s” is not one of the groupings offered."
        )

    def groupings(self) -> list[str]:
        return [b for b in (self.cleaned_data.get("by") or "country").split(",") if b]
