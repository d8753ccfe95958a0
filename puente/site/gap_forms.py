"""The gap page's filters, read one way by the page and its downloads: a mistyped one is
an error shown on the page, never a 404 and never the whole region instead."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.db.models import QuerySet
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from puente.accounts.permissions import Actor
from puente.core.filters import (
    UNKNOWN_COUNTRY,
    UNKNOWN_SECTOR,
    CodeChoiceField,
    FilterForm,
    PlanChoiceField,
    YearField,
    code_choices,
)
from puente.core.i18n import collation_key
from puente.plans.models import Plan
from puente.plans.selectors import plans_visible
from puente.reference.models import Country, Sector

GAP_SORTS = {
    "country": "country_name",
    "sector": "sector_position",
    "in_need": "in_need",
    "targeted": "targeted",
    "reached": "reached",
    "requirement_usd": "requirement_usd",
    "funded_usd": "funded_usd",
    "coverage": "coverage",
    "percent_funded": "percent_funded",
}


class GapFilterForm(FilterForm):
    year = YearField()
    country = CodeChoiceField(
        label=gettext_lazy("Country"),
        queryset=Country.objects.all(),
        to_field_name="iso3",
        unknown=UNKNOWN_COUNTRY,
    )
    sector = CodeChoiceField(
        label=gettext_lazy("Sector"),
        queryset=Sector.objects.all(),
        to_field_name="code",
        unknown=UNKNOWN_SECTOR,
    )
    plan = PlanChoiceField(
        label=gettext_lazy("Plan (requirement and funding)"),
        queryset=Plan.objects.all(),
        empty="–",
    )
    sort = forms.ChoiceField(
        choices=[(f"{d}{k}", f"{d}{k}") for k in GAP_SORTS for d in ("", "-")],
        required=False,
        widget=forms.HiddenInput,
    )

    def __init__(self, *args: Any, plans: QuerySet[Plan], **kwargs: Any) -> None:
        """`plans`: those the reader may open (plans.selectors.plans_visible)."""
        super().__init__(*args, **kwargs)
        cast(PlanChoiceField, self.fields["plan"]).offer(plans)
        self.fields["country"].choices = code_choices(  # type: ignore[attr-defined]
            Country.objects.all(), "iso3", empty=_("All countries")
        )
        self.fields["sector"].choices = [("", _("All sectors"))] + [  # type: ignore[attr-defined]
            (s.code, s.name) for s in Sector.objects.all()
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        year, plan = data.get("year"), data.get("plan")
        if year is not None and plan is not None and year not in plan.years:
            self.add_error(
                "plan",
                _("%(plan)s does not cover %(year)s.") % {"plan": plan.name, "year": year},
            )
        return data


def gap_filters(params: QueryDict, user: Actor) -> GapFilterForm:
    """The form bound to what was asked, with the year and plan used written in: this
    year, and the inter-agency plan of the year unless a plan (or none, "plan=") is
    asked. Only plans the user may open are offered (`plans_visible`, which also refuses
    a user who reads no reports): an unpublished agency appeal is an unknown plan to a
    partner."""
    plans = plans_visible(user)
    form = GapFilterForm(params, plans=plans)
    if not form.is_valid():
        return form
    data = {k: v for k, v in params.items() if k in form.fields}
    year = form.cleaned_data["year"] or timezone.now().year
    data["year"] = str(year)
    if "plan" not in params:
        plan = plans.filter(
            start_year__lte=year, end_year__gte=year, kind=Plan.Kind.INTER_AGENCY
        ).first()
        data["plan"] = plan.code if plan else ""
    form = GapFilterForm(data, plans=plans)
    form.is_valid()
    return form


def gap_sorted(rows: list[dict[str, Any]], sort: str) -> list[dict[str, Any]]:
    """Rows by `sort` (a GAP_SORTS key, "-" first for descending); blank figures last
    whichever the direction, countries by their name in the reader's language."""
    field = GAP_SORTS[sort.lstrip("-")]
    descending = sort.startswith("-")
    present = [r for r in rows if r.get(field) is not None]
    blank = [r for r in rows if r.get(field) is None]
    if field == "country_name":
        present.sort(key=lambda r: collation_key(r[field]), reverse=descending)
    else:
        present.sort(key=lambda r: r[field], reverse=descending)
    return present + blank
