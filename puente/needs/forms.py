from __future__ import annotations

from puente.core.filters import FilterForm, YearField


class NeedsFilterForm(FilterForm):
    """The needs page and its downloads: one year, the latest with figures by default."""

    year = YearField()
