"""When the figures a page shows were made: every dashboard says so ("Figures as of …"),
and its JSON gives `as_of`. The cube's figures are as of its refresh
(`puente.analytics.selectors.figures_as_of`); figures read from their records at each
request are as of now, and say so (`live`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import formats, timezone

from puente.core.i18n import active_language


@dataclass(frozen=True)
class FiguresAsOf:
    """`at`: when the figures were made. `live`: read from the records at `at` (the
    request, or the building of a cached answer), not from a consolidated copy."""

    at: dt.datetime
    live: bool = False

    def day(self) -> str:
        """The day in the reader's language, as Spanish and Portuguese write it (the month
        in lowercase: "30 de novembro de 2026")."""
        text = formats.date_format(timezone.localtime(self.at), "DATE_FORMAT")
        return text.lower() if active_language() in ("es", "pt") else text

    def time(self) -> str:
        return formats.date_format(timezone.localtime(self.at), "H:i T")

    def iso(self) -> str:
        """ISO-8601 in UTC, to the second: "2026-11-30T14:05:00Z"."""
        return self.at.astimezone(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def figures_read_now() -> FiguresAsOf:
    """Figures read from their records by this request."""
    return FiguresAsOf(at=timezone.now(), live=True)
