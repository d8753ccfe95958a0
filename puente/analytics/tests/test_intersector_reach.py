"""Common Services keep their own people reached but stay out of step 5, the inter-sector
figure X, on both sources and in "explain this number" (figures computed by hand)."""

import pytest
from django.utils import translation

from puente.analytics.services.columnar import partitions_write
from puente.analytics.services.consolidation import Combinators, consolidate
from puente.analytics.services.explain import figure_explain
from puente.analytics.tests.test_consolidation import YEAR, add, world  # noqa: F401
from puente.reference.models import Admin1, Country, PopulationGroup, Sector

pytestmark = pytest.mark.django_db


@pytest.fixture
def reach(world):  # noqa: F811
    # Atlántico, in destination: health 100, Common Services 300 (more than health)
    add(world["A"], "HEA-02", 100)
    add(world["A"], "CSS-01", 300)
    # Antioquia, in destination: food 50, Common Services 40
    add(world["B"], "FSC-01", 50, admin1="CO-ANT")
    add(world["B"], "CSS-01", 40, admin1="CO-ANT")
    # Atlántico, in transit: Common Services alone, 70
    add(world["C"], "CSS-01", 70, group="in-transit")
    colombia = Country.objects.get(iso3="COL")
    partitions_write(year=YEAR, country_ids=[colombia.pk])
    return {
        "col": colombia.pk,
        "atl": Admin1.objects.get(iso_code="CO-ATL").pk,
        "ant": Admin1.objects.get(iso_code="CO-ANT").pk,
        "dest": PopulationGroup.objects.get(code="in-destination").pk,
        "transit": PopulationGroup.objects.get(code="in-transit").pk,
        "css": Sector.objects.get(code="CSS").pk,
    }


@pytest.mark.parametrize("source", ["database", "columnar"])
@pytest.mark.parametrize("sectors", ["max", "sum"])
def test_common_services_stay_out_of_the_inter_sector_figure(reach, source, sectors):
    k = reach
    result = consolidate(
        year=YEAR, month=1, source=source, combinators=Combinators(sectors=sectors)
    )
    x = {key: cell.consolidated for key, cell in result.inter_sector.items()}
    # X: health 100 (not Common Services' 300), food 50, nothing in transit
    assert x[(k["col"], k["atl"], k["dest"])] == 100
    assert x[(k["col"], k["ant"], k["dest"])] == 50
    assert x.get((k["col"], k["atl"], k["transit"]), 0) == 0
    # Common Services keep their own figure S: 300 + 40 + 70
    css = sum(cell.consolidated for key, cell in result.sectors.items() if key[2] == k["css"])
    assert css == 410


def test_explain_drops_common_services_across_sectors_and_keeps_them_as_a_sector(reach):
    k = reach
    # in English, whatever language an earlier test left active
    with translation.override("en"):
        figure, explained = figure_explain(
            year=YEAR, month=1, measure="consolidated", country_id=k["col"]
        )
    assert figure == 100 + 50
    assert sum(item.value for item in explained if item.counted) == figure
    dropped = [item for item in explained if item.row.sector_id == k["css"]]
    assert len(dropped) == 3 and not any(item.counted for item in dropped)
    assert dropped[0].steps[-1] == "Dropped: this sector stays out of inter-sector figures"
    # the sector's own figure: every Common Services row counts
    css = Sector.objects.get(code="CSS")
    figure, explained = figure_explain(
        year=YEAR, month=1, measure="consolidated", country_id=k["col"], sector=css
    )
    assert figure == 410
    assert sum(item.value for item in explained if item.counted) == 410


def test_a_sector_switched_back_in_counts_again(reach):
    k = reach
    Sector.objects.filter(code="CSS").update(in_intersector=True)
    result = consolidate(year=YEAR, month=1)
    assert result.inter_sector[(k["col"], k["atl"], k["dest"])].consolidated == 300
