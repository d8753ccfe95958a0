from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from puente.core.filters import FilterForm
from puente.core.imports import ImportPolicy
from puente.core.uploads import UploadForm


class FlowsFilterForm(FilterForm):
    """The dashboard's filters: a country and a point among those the reader sees, and a
    period (by default the 90 days up to the latest count)."""

    country = forms.ChoiceField(label=_("Country"), required=False)
    point = forms.ChoiceField(label=_("Point"), required=False)
    start = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(
        self,
        *args: Any,
        countries: Iterable[tuple[str, str]] = (),
        points: Iterable[tuple[str, str]] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        country, point = self.fields["country"], self.fields["point"]
        assert isinstance(country, forms.ChoiceField) and isinstance(point, forms.ChoiceField)  # noqa: S101
        country.choices = [("", _("All countries")), *countries]
        point.choices = [("", _("All points")), *points]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and end < start:
            self.add_error("end", _("The period ends before it starts."))
        return cleaned


class CountsUploadForm(UploadForm):
    policy = forms.ChoiceField(
        label=_("When a row has an error"),
        choices=[
            (ImportPolicy.REJECT_FILE, _("Write nothing")),
            (ImportPolicy.KEEP_GOOD_ROWS, _("Write the good rows, report the others")),
        ],
        initial=ImportPolicy.REJECT_FILE,
        required=False,
    )
