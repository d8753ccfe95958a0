from __future__ import annotations

from puente.core.filters import CodeChoiceField, FilterForm, YearField
from puente.reference.codes import ReferenceCode
from puente.reference.models import Country


class NeedsFilterForm(FilterForm):
    """The needs page and its downloads: one year, the latest with figures by default."""

    year = YearField()


class PlanningQueryForm(FilterForm):
    """The tables of planning figures over the API (people in need, population, targets):
    a year (required) and, optionally, one country; a wrong one is a 400 naming it."""

    year = YearField(required=True)
    country = CodeChoiceField(
        queryset=Country.objects.all(),
        to_field_name="iso3",
        unknown=ReferenceCode.UNKNOWN_COUNTRY.message,
    )
