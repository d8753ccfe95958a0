"""What reporting announces to the apps above it. Reporting never imports them: the
consolidated figures (analytics) listen to it instead."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from django.db import transaction
from django.dispatch import Signal

# Sent after a commit that changed validated 5W rows (an import of validated rows, the
# replacement or correction of a validated row, a review that validates), once per year
# and earliest month changed: `country_ids` (sorted), `year`, `from_month` (1-12). A
# month's figures are year to date, so every month of the year from `from_month` on
# changes too. Analytics refreshes the cube on it (AnalyticsConfig.ready).
validated_rows_changed = Signal()


def validated_rows_changes(
    pairs: Iterable[tuple[int, dt.date]],
) -> list[tuple[list[int], int, int]]:
    """(country ids, year, earliest month) of the (country id, month) pairs whose rows
    changed: each country's year from its earliest month, countries of one year and
    earliest month together."""
    earliest: dict[tuple[int, int], int] = defaultdict(lambda: 13)
    for country_id, month in pairs:
        key = (month.year, country_id)
        earliest[key] = min(earliest[key], month.month)
    by_year: dict[tuple[int, int], list[int]] = defaultdict(list)
    for (year, country_id), first in earliest.items():
        by_year[(year, first)].append(country_id)
    return [(sorted(countries), year, first) for (year, first), countries in by_year.items()]


def validated_rows_announce(pairs: Iterable[tuple[int, dt.date]]) -> None:
    """Send validated_rows_changed for these (country id, month) pairs once the current
    transaction commits (at once outside one): listeners read committed rows only."""
    changes = validated_rows_changes(pairs)

    def send() -> None:
        for country_ids, year, from_month in changes:
            validated_rows_changed.send(
                sender=validated_rows_changed,
                country_ids=country_ids,
                year=year,
                from_month=from_month,
            )

    transaction.on_commit(send)
