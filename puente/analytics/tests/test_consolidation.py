"""The consolidation rule on hand-computed cases, each step on its own, and against a
tiny reference implementation written here."""

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from puente.analytics.selectors import ReachFilters, people_reached
from puente.analytics.services.columnar import partitions_write
from puente.analytics.services.consolidation import (
    CELL_FIELDS,
    Combinators,
    consolidate,
    split_by_sex_and_age,
)
from puente.analytics.services.cube import cube_refresh
from puente.partners.models import Organisation
from puente.reference.models import Admin1, Country, Indicator, PopulationGroup, Sector
from puente.reporting.models import ActivityRow

pytestmark = pytest.mark.django_db
YEAR = 2025


@pytest.fixture
def world():
    orgs = {}
    for acronym in ("A", "B", "C"):
        org = Organisation.objects.create(name=acronym, acronym=acronym, type="ingo")
        org.countries.set(Country.objects.filter(iso3__in=["COL", "PER", "ECU"]))
        orgs[acronym] = org
    return orgs


def add(
    org,
    indicator,
    new,
    *,
    total=None,
    month=1,
    country="COL",
    admin1="CO-ATL",
    group="in-destination",
    status="validated",
    rmrp=True,
    breakdown=None,
    quantity=None,
    cva=None,
    modality="service",
):
    """One 5W row, straight into the table."""
    from puente.reporting.services.columns import row_key

    ind = Indicator.objects.get(code=indicator)
    n = ActivityRow.objects.count()
    return ActivityRow.objects.create(
        row_key=row_key((n, indicator, org.acronym)),
        month=dt.date(YEAR, month, 1),
        country=Country.objects.get(iso3=country),
        admin1=Admin1.objects.get(iso_code=admin1),
        appealing_org=org,
        implementing_org=org,
        indicator=ind,
        sector=ind.reporting_sector,
        activity=f"activity {n}",
        rmrp_activity=rmrp,
        modality=modality,
        population_group=PopulationGroup.objects.get(code=group),
        new_beneficiaries=new if ind.counts_people else None,
        total_monthly=(total if total is not None else new) if ind.counts_people else None,
        quantity=quantity,
        cva_value_usd=cva,
        status=status,
        updated_at=dt.datetime(YEAR, month, 1, tzinfo=dt.UTC),
        **(breakdown or {}),
    )


def region(month=12, by=(), **filters):
    cube_refresh(country_ids=list(Country.objects.values_list("id", flat=True)), year=YEAR)
    return people_reached(year=YEAR, month=month, by=list(by), filters=ReachFilters(**filters))


def only(rows):
    assert len(rows) == 1
    return rows[0]["monthly"], rows[0]["consolidated"]


def test_step_one_sums_the_months_of_an_indicator(world):
    add(world["A"], "HEA-02", 100, month=1)
    add(world["A"], "HEA-02", 30, total=80, month=2)
    add(world["A"], "HEA-02", 50, month=4)
    assert only(region(month=2)) == (80, 130)
    assert only(region(month=4)) == (50, 180)
    assert only(region(month=3)) == (0, 130)


def test_step_two_takes_the_max_across_indicators_of_one_org_and_sector(world):
    add(world["A"], "HEA-02", 100)
    add(world["A"], "HEA-03", 60)
    assert only(region(month=1)) == (100, 100)


def test_step_three_adds_organisations(world):
    add(world["A"], "HEA-02", 100)
    add(world["B"], "HEA-02", 40)
    assert only(region(month=1)) == (140, 140)


def test_step_four_takes_the_max_across_sectors(world):
    add(world["A"], "HEA-02", 100)
    add(world["B"], "FSC-01", 70)
    add(world["C"], "FSC-01", 50)
    assert only(region(month=1)) == (120, 120)
    by_sector = {r["sector"]: r["consolidated"] for r in region(month=1, by=["sector"])}
    assert by_sector == {"HEA": 100, "FSC": 120}


def test_sub_sectors_roll_into_their_parent_by_max(world):
    add(world["A"], "PRO-01", 30)
    add(world["A"], "PRO-CP-01", 50)
    add(world["B"], "PRO-GBV-01", 20)
    by_sector = {r["sector"]: r["consolidated"] for r in region(month=1, by=["sector"])}
    assert by_sector == {"PRO": 50, "PRO-CP": 50, "PRO-GBV": 20}
    assert only(region(month=1)) == (50, 50)


def test_people_in_transit_add_up_across_countries(world):
    add(world["A"], "HTR-01", 100, country="COL", admin1="CO-NSA", group="in-transit")
    add(world["A"], "HTR-01", 80, country="ECU", admin1="EC-C", group="in-transit")
    add(world["A"], "HTR-01", 60, country="PER", admin1="PE-TUM", group="in-transit")
    assert only(region(month=1)) == (240, 240)
    rows = region(month=1, by=["country", "population_group"])
    assert [(r["country"], r["population_group"], r["consolidated"]) for r in rows] == [
        ("COL", "in-transit", 100),
        ("ECU", "in-transit", 80),
        ("PER", "in-transit", 60),
    ]


def test_only_validated_rmrp_people_rows_of_the_year_count(world):
    add(world["A"], "HEA-02", 100)
    add(world["A"], "HEA-03", 500, status="submitted")
    add(world["B"], "HEA-02", 500, rmrp=False)
    add(world["C"], "HEA-01", 0, quantity=900)  # consultations: outputs, not people
    add(world["C"], "HEA-04", 70, modality="capacity-building")  # staff trained, not reached
    add(world["C"], "EDU-03", 40)  # teachers trained
    row = region(month=1)[0]
    assert (row["monthly"], row["consolidated"]) == (100, 100)


def test_groupings_sum_the_finest_figure(world):
    add(world["A"], "HEA-02", 100, admin1="CO-ATL")
    add(world["A"], "HEA-02", 10, admin1="CO-ANT")
    add(world["A"], "FSC-01", 50, admin1="CO-ANT", group="host-community")
    rows = region(month=1, by=["country", "admin1"])
    assert [(r["admin1"], r["consolidated"]) for r in rows] == [("CO-ANT", 60), ("CO-ATL", 100)]
    rows = region(month=1, by=["population_group"])
    assert {r["population_group"]: r["consolidated"] for r in rows} == {
        "host-community": 50,
        "in-destination": 110,
    }
    assert only(region(month=1, country_ids=(Country.objects.get(iso3="COL").pk,))) == (160, 160)


def test_combinators_are_settings(world):
    add(world["A"], "HEA-02", 100)
    add(world["A"], "HEA-03", 60)
    add(world["B"], "FSC-01", 70)
    summed = Combinators(indicators="sum", orgs="sum", sectors="sum")
    result = consolidate(year=YEAR, month=1, combinators=summed)
    assert sum(c.consolidated for c in result.inter_sector.values()) == 230
    maxed = Combinators(indicators="max", orgs="max", sectors="max")
    result = consolidate(year=YEAR, month=1, combinators=maxed)
    assert sum(c.consolidated for c in result.inter_sector.values()) == 100


def test_sex_and_age_split_is_proportional():
    from puente.analytics.services.consolidation import Cell

    cell = Cell(girls=10, boys=10, women=30, men=50, other=0)
    assert split_by_sex_and_age(50, cell) == {
        "girls": 5,
        "boys": 5,
        "women": 15,
        "men": 25,
        "other": 0,
    }
    assert split_by_sex_and_age(7, Cell()) == dict.fromkeys(
        ["girls", "boys", "women", "men", "other"]
    )
    parts = split_by_sex_and_age(7, Cell(girls=1, boys=1, women=1))
    assert sum(parts.values()) == 7


def reference_rule(rows, month):
    """The rule written out plainly, over (c, a, s, parent, o, i, g, month, new, total)."""

    def step(rows_, measure):
        n = {}
        for c, a, s, parent, o, i, g, m, new, total in rows_:
            value = new if measure == "cons" else total
            if (measure == "cons" and m <= month) or (measure == "month" and m == month):
                n[(c, a, s, parent, o, i, g)] = n.get((c, a, s, parent, o, i, g), 0) + value
        p = {}
        for (c, a, s, parent, o, _i, g), v in n.items():
            p[(c, a, s, parent, o, g)] = max(p.get((c, a, s, parent, o, g), 0), v)
        ss = {}
        for (c, a, s, parent, _o, g), v in p.items():
            ss[(c, a, s, parent, g)] = ss.get((c, a, s, parent, g), 0) + v
        top = {}
        for (c, a, s, parent, g), v in ss.items():
            key = (c, a, parent or s, g)
            top[key] = max(top.get(key, 0), v)
        x = {}
        for (c, a, _s, g), v in top.items():
            x[(c, a, g)] = max(x.get((c, a, g), 0), v)
        return sum(x.values())

    return step(rows, "month"), step(rows, "cons")


row_strategy = st.tuples(
    st.sampled_from(["A", "B"]),
    st.sampled_from(["HEA-02", "HEA-03", "FSC-01", "FSC-03", "PRO-01", "PRO-CP-01", "PRO-GBV-01"]),
    st.sampled_from([("COL", "CO-ATL"), ("COL", "CO-ANT"), ("PER", "PE-LIM")]),
    st.sampled_from(["in-destination", "in-transit"]),
    st.integers(min_value=1, max_value=3),
    st.integers(min_value=0, max_value=50),
    st.integers(min_value=0, max_value=50),
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(row_strategy, max_size=12), st.integers(min_value=1, max_value=3))
def test_engine_matches_a_reference_implementation(world, rows, month):
    ActivityRow.objects.all().delete()
    plain = []
    for org, indicator, (country, admin1), group, m, new, extra in rows:
        ind = Indicator.objects.select_related("sector", "subsector").get(code=indicator)
        add(
            world[org],
            indicator,
            new,
            total=new + extra,
            month=m,
            country=country,
            admin1=admin1,
            group=group,
            # breakdown, CVA and outputs ride along: the two sources must agree on them too
            breakdown={"girls": new // 2, "women": new - new // 2} if extra % 2 else None,
            cva=extra * 3 if extra % 3 == 0 else None,
            quantity=None if ind.counts_people else new + extra,
        )
        if not ind.counts_people:
            continue
        plain.append(
            (
                country,
                admin1,
                ind.reporting_sector.code,
                ind.sector.code if ind.subsector else None,
                org,
                indicator,
                group,
                m,
                new,
                new + extra,
            )
        )
    result = consolidate(year=YEAR, month=month)
    engine = (
        sum(c.monthly for c in result.inter_sector.values()),
        sum(c.consolidated for c in result.inter_sector.values()),
    )
    assert engine == reference_rule(plain, month)
    # the columnar copy gives every cell the database gives
    countries = list(Country.objects.values_list("id", flat=True))
    partitions_write(year=YEAR, country_ids=countries)
    columnar = consolidate(year=YEAR, month=month, source="columnar")
    assert columnar.sectors == result.sectors
    assert columnar.inter_sector == result.inter_sector
    # and of the same types (a float would not go into the cube's integer columns)
    for cell in [
        *columnar.sectors.values(),
        *columnar.inter_sector.values(),
        *result.sectors.values(),
        *result.inter_sector.values(),
    ]:
        assert {type(getattr(cell, f)) for f in CELL_FIELDS} <= {int, Decimal}
        assert type(cell.cva_value_usd) is Decimal


def test_columnar_queries_from_several_threads_see_their_own_countries(world):
    """Threads share one DuckDB instance per process; each query binds its own views."""
    from concurrent.futures import ThreadPoolExecutor

    from puente.analytics.services.columnar import columnar_query

    countries = {iso3: Country.objects.get(iso3=iso3).id for iso3 in ("COL", "PER", "ECU")}
    admin1 = {"COL": "CO-ATL", "PER": "PE-LIM", "ECU": "EC-P"}
    for iso3, new in (("COL", 10), ("PER", 20), ("ECU", 30)):
        add(world["A"], "HEA-02", new, country=iso3, admin1=admin1[iso3])
    partitions_write(year=YEAR, country_ids=countries.values())

    def people(iso3):
        (rows,) = columnar_query(
            ["SELECT c, SUM(new) FROM src GROUP BY c"],
            year=YEAR,
            country_ids=[countries[iso3]],
            params=[],
        )
        return rows

    jobs = ["COL", "PER", "ECU"] * 20
    with ThreadPoolExecutor(max_workers=6) as pool:
        answers = list(pool.map(people, jobs))
    expected = {"COL": 10, "PER": 20, "ECU": 30}
    assert answers == [[(countries[iso3], expected[iso3])] for iso3 in jobs]


def test_cube_follows_imports_and_reviews(world, make_user, django_capture_on_commit_callbacks):
    from puente.reporting.services.imports import rows_import
    from puente.reporting.tests.conftest import good_row

    org = Organisation.objects.create(name="ORGA", acronym="ORGA", type="ingo")
    org.countries.set(Country.objects.filter(iso3="COL"))
    month = dt.date.today().replace(day=1) - dt.timedelta(days=1)
    year, m = month.year, month.month
    assert people_reached(year=year, month=m)[0]["consolidated"] == 0
    with django_capture_on_commit_callbacks(execute=True):
        rows_import(
            rows=[(2, good_row(month=month.strftime("%Y-%m")))],
            acting_user=None,
            status="validated",
        )
    assert people_reached(year=year, month=m)[0]["consolidated"] == 40
    with django_capture_on_commit_callbacks(execute=True):
        rows_import(
            rows=[
                (
                    2,
                    good_row(
                        month=month.strftime("%Y-%m"),
                        total_monthly="100",
                        new_beneficiaries="0",
                        girls="",
                        boys="",
                        women="",
                        men="",
                        other="",
                        disability="",
                    ),
                )
            ],
            acting_user=None,
            status="submitted",
        )
    assert people_reached(year=year, month=m)[0]["consolidated"] == 0


def test_sectors_by_code(world):
    # every sector in the cube has a code the CLI prints
    add(world["A"], "WSH-01", 5)
    codes = {r["sector"] for r in region(month=1, by=["sector"])}
    assert codes == {"WSH"}
    assert set(Sector.objects.values_list("code", flat=True)) >= codes
