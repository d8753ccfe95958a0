"""“Explain this number” follows the consolidation: for random 5W rows, any combinators
and any figure (place, sector, population group, organisation, month or year to date),
its figure is the engine's for that cell, on the database and on the columnar copy, and
the rows it keeps add up to it."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from puente.analytics.services.columnar import partitions_write
from puente.analytics.services.consolidation import COMBINATORS, Combinators, consolidate
from puente.analytics.services.explain import figure_explain
from puente.analytics.tests.test_consolidation import YEAR, add, row_strategy, world  # noqa: F401
from puente.reference.models import Admin1, Country, Indicator, PopulationGroup, Sector
from puente.reporting.models import ActivityRow

pytestmark = pytest.mark.django_db


# For each indicator the rows draw, another of its sector or sub-sector counting people.
SIBLING = {
    "HEA-02": "HEA-03",
    "HEA-03": "HEA-02",
    "FSC-01": "FSC-02",
    "FSC-03": "FSC-02",
    "PRO-01": "PRO-02",
    "PRO-CP-01": "PRO-CP-02",
    "PRO-GBV-01": "PRO-GBV-02",
}


@st.composite
def rows_strategy(draw):
    """The rows of the consolidation's property test, crowded into a few places and
    population groups, with a second indicator per sector and a third organisation, so
    that indicators, organisations and sectors meet at every step of the rule; and some
    rows the rule leaves out (not validated, not an RMRP activity)."""
    places = [(row[2], row[3]) for row in draw(st.lists(row_strategy, min_size=1, max_size=3))]
    rows = []
    for _org, indicator, _place, _group, month, new, extra in draw(
        st.lists(row_strategy, min_size=4, max_size=16)
    ):
        indicator = draw(st.sampled_from([indicator, SIBLING[indicator]]))
        place, group = draw(st.sampled_from(places))
        org = draw(st.sampled_from(["A", "B", "C"]))
        status, rmrp = draw(
            st.sampled_from([("validated", True)] * 4 + [("submitted", True), ("validated", False)])
        )
        rows.append((org, indicator, place, group, month, new, extra, status, rmrp))
    return rows


combinators_strategy = st.builds(
    Combinators,
    indicators=st.sampled_from(COMBINATORS),
    orgs=st.sampled_from(COMBINATORS),
    sectors=st.sampled_from(COMBINATORS),
)
cell_strategy = st.fixed_dictionaries(
    {
        "measure": st.sampled_from(["consolidated", "monthly"]),
        "month": st.integers(min_value=1, max_value=3),
        "country": st.sampled_from([None, "COL", "PER"]),
        "admin1": st.sampled_from([None, "CO-ATL", "CO-ANT", "PE-LIM"]),
        "sector": st.sampled_from([None, "HEA", "FSC", "PRO", "PRO-CP", "PRO-GBV"]),
        "group": st.sampled_from([None, "in-destination", "in-transit"]),
        "org": st.sampled_from([None, "A", "B"]),
    }
)


def engine_figure(result, measure, *, country, admin1, sector, group):
    """The cell's figure from the engine's result: the sum of the finest figure (S with a
    sector, X without) over the dimensions the cell leaves out."""
    field = "monthly" if measure == "monthly" else "consolidated"
    cells = result.sectors.items() if sector else result.inter_sector.items()
    total = 0
    for key, cell in cells:
        c, a, g = key[0], key[1], key[-1]
        if (
            (country is None or c == country)
            and (admin1 is None or a == admin1)
            and (group is None or g == group)
            and (sector is None or key[2] == sector)
        ):
            total += getattr(cell, field)
    return total


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows_strategy(), combinators_strategy, st.lists(cell_strategy, min_size=1, max_size=4))
def test_explained_figure_is_the_engines_on_both_sources(world, rows, combinators, cells):  # noqa: F811
    # given random 5W rows
    ActivityRow.objects.all().delete()
    for org, indicator, (country, admin1), group, month, new, extra, status, rmrp in rows:
        add(
            world[org],
            indicator,
            new,
            total=new + extra,
            month=month,
            country=country,
            admin1=admin1,
            group=group,
            status=status,
            rmrp=rmrp,
            quantity=None if Indicator.objects.get(code=indicator).counts_people else new,
        )
    partitions_write(year=YEAR, country_ids=Country.objects.values_list("id", flat=True))
    orgs = {code: world[code].pk for code in ("A", "B")}
    # the cells drawn, and the whole region's figure, which every row reaches
    region = dict.fromkeys(("country", "admin1", "sector", "group", "org"))
    for cell in [*cells, {**cells[0], **region}]:
        # when a figure is explained
        admin1 = Admin1.objects.get(iso_code=cell["admin1"]) if cell["admin1"] else None
        country_id = Country.objects.get(iso3=cell["country"]).pk if cell["country"] else None
        if admin1 is not None and country_id is None:
            country_id = admin1.country_id
        sector = Sector.objects.get(code=cell["sector"]) if cell["sector"] else None
        group = PopulationGroup.objects.get(code=cell["group"]).pk if cell["group"] else None
        org_id = orgs[cell["org"]] if cell["org"] else None
        figure, explained = figure_explain(
            year=YEAR,
            month=cell["month"],
            measure=cell["measure"],
            country_id=country_id,
            admin1_id=admin1.pk if admin1 else None,
            sector=sector,
            population_group_id=group,
            org_id=org_id,
            combinators=combinators,
        )
        # then it is the engine's figure of that cell on each source
        where = {
            "country": country_id,
            "admin1": admin1.pk if admin1 else None,
            "sector": sector.pk if sector else None,
            "group": group,
        }
        sources = ["database"] if org_id else ["database", "columnar"]
        for source in sources:
            result = consolidate(
                year=YEAR,
                month=cell["month"],
                combinators=combinators,
                org_ids=[org_id] if org_id else None,
                source=source,
            )
            assert figure == engine_figure(result, cell["measure"], **where), (source, cell)
        # and the rows it keeps add up to it
        assert sum(item.value for item in explained if item.counted) == figure, cell
