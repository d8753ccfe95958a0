"""Keeping the consolidated cube current, per country and year, from a month onwards."""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import uuid
from collections.abc import Iterable

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from puente.analytics.models import CubeState, ReachCell
from puente.analytics.services.columnar import (
    ColumnarWriteError,
    columnar_enabled,
    partitions_stamp,
    partitions_write,
)
from puente.analytics.services.consolidation import (
    CELL_FIELDS,
    consolidate,
    default_combinators,
)
from puente.core.bulk import rows_insert
from puente.reference.models import Country

logger = logging.getLogger(__name__)

CUBE_VERSION_KEY = "puente:cube-version"
CUBE_COLUMNS = (
    "year",
    "month",
    "country_id",
    "admin1_id",
    "sector_id",
    "population_group_id",
    *CELL_FIELDS,
)


def cube_version_bump() -> None:
    """A new version of the cube: dashboards cache their figures under it, so every page,
    JSON and export reads the new figures from now on. Called once the refresh is
    committed, so that no request caches the old figures under the new version.

    With a replica, the version carries the primary's WAL position after the commit
    (`version@position`): figures cached under it are computed from the replica only once
    it has replayed that far (`cube_version_position`, puente.core.replica), else from the
    primary, so a lagging replica never fills the new version's cache with old figures."""
    from puente.core.replica import primary_position

    position = primary_position()
    version = uuid.uuid4().hex + (f"@{position}" if position else "")
    cache.set(CUBE_VERSION_KEY, version, None)


def cube_version_position(version: str) -> str | None:
    """The primary's WAL position a cube version was made at (None: no replica)."""
    return version.split("@", 1)[1] if "@" in version else None


def last_month_of(year: int, today: dt.date | None = None) -> int:
    today = today or timezone.now().date()
    if year < today.year:
        return 12
    if year > today.year:
        return 0
    return today.month


def _cube_states_lock(countries: list[int], year: int) -> None:
    """Hold these countries' cube of the year until the caller's transaction ends.

    Two refreshes of one country at once (two imports committing together, two workers)
    would each delete the cells the other had not yet committed and insert their own:
    the cube would hold both. Each refresh therefore locks its countries' CubeState rows
    first, in country order (no two refreshes wait on each other in a cycle); the second
    waits for the first to commit, then reads its rows and replaces its cells. On SQLite
    the write transaction (IMMEDIATE) already lets one refresh at a time."""
    if not countries:
        return
    CubeState.objects.bulk_create(
        [CubeState(country_id=c, year=year) for c in countries], ignore_conflicts=True
    )
    locked = CubeState.objects.select_for_update().filter(year=year, country_id__in=countries)
    list(locked.order_by("country_id").values_list("pk", flat=True))


@transaction.atomic
def cube_refresh(*, country_ids: Iterable[int], year: int, from_month: int = 1) -> int:
    """Recompute the cube of these countries for months from_month..last month of the
    year (a month's figures are year to date, so every later month changes too)."""
    countries = sorted(set(country_ids))
    _cube_states_lock(countries, year)
    written = 0
    combinators = default_combinators()
    source = "database"
    if columnar_enabled() and countries:
        # The columnar copy of these countries is rewritten first, so it is as current as
        # the cube; every month is then consolidated from it. When it cannot be written (a
        # full disk), the figures are made from the database instead: slower, the same.
        try:
            partitions_write(year=year, country_ids=countries)
            source = "columnar"
        except ColumnarWriteError as exc:
            logger.error(
                "The columnar copy of countries %s for %s could not be written (%s); "
                "the cube is made from the database instead",
                countries,
                year,
                exc,
            )
    for month in range(max(1, from_month), last_month_of(year) + 1):
        result = consolidate(
            year=year,
            month=month,
            country_ids=countries,
            combinators=combinators,
            source=source,
        )
        ReachCell.objects.filter(year=year, month=month, country_id__in=countries).delete()
        rows = [
            (year, month, c, a, s, g, *(getattr(cell, f) for f in CELL_FIELDS))
            for (c, a, s, g), cell in result.sectors.items()
        ] + [
            (year, month, c, a, None, g, *(getattr(cell, f) for f in CELL_FIELDS))
            for (c, a, g), cell in result.inter_sector.items()
        ]
        written += rows_insert(ReachCell._meta.db_table, CUBE_COLUMNS, rows)
    versions = {}
    for country_id in countries:
        state, _created = CubeState.objects.update_or_create(
            country_id=country_id, year=year, defaults={"rows": written}
        )
        versions[country_id] = state.refreshed_at
    if source == "columnar":
        # The copy now holds this state of the cube: readers elsewhere need not rewrite
        # it. Without its stamp (a full disk), a reader rewrites it first.
        with contextlib.suppress(OSError):
            partitions_stamp(year=year, versions=versions)
    transaction.on_commit(cube_version_bump)
    return written


def cube_ensure(*, year: int, country_ids: Iterable[int] | None = None) -> None:
    """Build the cube of countries that have never been built for this year."""
    wanted = (
        set(country_ids)
        if country_ids is not None
        else set(Country.objects.values_list("id", flat=True))
    )
    built = set(CubeState.objects.filter(year=year).values_list("country_id", flat=True))
    missing = sorted(wanted - built)
    if missing:
        cube_refresh(country_ids=missing, year=year)
