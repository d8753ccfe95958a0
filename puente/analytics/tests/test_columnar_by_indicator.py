"""The rule keyed by indicator (the indicator progress table) read from the columnar copy:
the same figures as from the 5W table, on generated rows; a copy written by another
process (another machine's folder) is brought to the cube's state before it is read; a
copy that cannot be written leaves the figures to the database."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from puente.analytics.selectors import ReachFilters, indicator_progress
from puente.analytics.services import columnar
from puente.analytics.services.consolidation import consolidate
from puente.analytics.services.cube import cube_refresh
from puente.analytics.tests.test_consolidation import YEAR, add, row_strategy, world  # noqa: F401
from puente.reference.models import Country, Indicator
from puente.reporting.models import ActivityRow

pytestmark = pytest.mark.django_db


def _by_indicator(**options) -> dict[tuple[int, int, int, int], tuple[int, int]]:
    """The cells that count someone. (The 5W table also gives an empty cell for the rows
    that count nobody, such as an output's; the copy holds only rows that count.)"""
    cells = consolidate(year=YEAR, key="indicator", **options).sectors
    return {
        key: (cell.consolidated, cell.monthly)
        for key, cell in cells.items()
        if cell.consolidated or cell.monthly
    }


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(row_strategy, max_size=14),
    st.integers(min_value=1, max_value=3),
    st.sampled_from([None, "A", "B"]),
    st.sampled_from([None, ["HEA-02"], ["HEA-02", "FSC-01", "PRO-CP-01"]]),
)
def test_the_columnar_copy_gives_the_database_s_cells(world, rows, month, org, codes):  # noqa: F811
    ActivityRow.objects.all().delete()
    for number, (acronym, indicator, (country, admin1), group, m, new, extra) in enumerate(rows):
        add(
            world[acronym],
            indicator,
            new,
            total=new + extra,
            month=m,
            country=country,
            admin1=admin1,
            group=group,
            rmrp=number % 5 != 4,  # some rows out of the plan: counted by neither
        )
    countries = list(Country.objects.values_list("id", flat=True))
    cube_refresh(country_ids=countries, year=YEAR)  # writes and stamps the copy
    options = {
        "month": month,
        "org_ids": [world[org].pk] if org else None,
        "indicator_ids": (
            list(Indicator.objects.filter(code__in=codes).values_list("pk", flat=True))
            if codes
            else None
        ),
    }
    database = _by_indicator(source="database", **options)
    assert _by_indicator(source="columnar", **options) == database


def _progress(country: str = "COL") -> dict[str, int]:
    filters = ReachFilters(country_ids=frozenset({Country.objects.get(iso3=country).pk}))
    return {
        row["code"]: row["reached"]
        for row in indicator_progress(year=YEAR, month=2, filters=filters)
        if row["measure"] == "people-reached"
    }


def test_a_copy_another_process_did_not_write_is_brought_to_the_cube_s_state(
    world,  # noqa: F811
    settings,
    tmp_path,
):
    colombia = Country.objects.get(iso3="COL").pk
    web, worker = tmp_path / "web", tmp_path / "worker"
    # given a web process that read the figures once, with its own folder
    add(world["A"], "HEA-02", 100)
    settings.PUENTE_COLUMNAR_DIR = worker
    cube_refresh(country_ids=[colombia], year=YEAR)
    settings.PUENTE_COLUMNAR_DIR = web
    assert _progress() == {"HEA-02": 100}
    assert columnar.version_path(YEAR, colombia).exists()
    # when a worker on another machine refreshes the cube after new rows
    settings.PUENTE_COLUMNAR_DIR = worker
    add(world["B"], "HEA-02", 30, month=2)
    cube_refresh(country_ids=[colombia], year=YEAR)
    # then the web process rewrites its copy before reading it, and reads the new figure
    settings.PUENTE_COLUMNAR_DIR = web
    assert _progress() == {"HEA-02": 130}
    # and, its copy now at the cube's state, does not rewrite it again
    written = columnar.partition_path(YEAR, colombia).stat().st_mtime_ns
    assert _progress() == {"HEA-02": 130}
    assert columnar.partition_path(YEAR, colombia).stat().st_mtime_ns == written


def test_rows_changed_without_a_refresh_are_read_as_the_cube_holds_them(world):  # noqa: F811
    colombia = Country.objects.get(iso3="COL").pk
    add(world["A"], "HEA-02", 100)
    cube_refresh(country_ids=[colombia], year=YEAR)
    assert _progress() == {"HEA-02": 100}
    # a row validated whose refresh has not run yet: the cube's state is still the old one
    add(world["B"], "HEA-02", 30, month=2)
    assert _progress() == {"HEA-02": 100}
    cube_refresh(country_ids=[colombia], year=YEAR, from_month=2)
    assert _progress() == {"HEA-02": 130}


def test_a_copy_that_cannot_be_written_leaves_the_figures_to_the_database(
    world,  # noqa: F811
    monkeypatch,
):
    colombia = Country.objects.get(iso3="COL").pk
    add(world["A"], "HEA-02", 100)
    add(world["B"], "HEA-02", 30, month=2)

    def full_disk(**_kwargs):
        raise columnar.ColumnarWriteError("No space left on device")

    monkeypatch.setattr(columnar, "partitions_write", full_disk)
    monkeypatch.setattr("puente.analytics.services.cube.partitions_write", full_disk)
    cube_refresh(country_ids=[colombia], year=YEAR)  # made from the database
    assert not columnar.version_path(YEAR, colombia).exists()
    assert _progress() == {"HEA-02": 130}
