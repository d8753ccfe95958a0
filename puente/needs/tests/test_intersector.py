"""The inter-sector people in need at mixed geographic levels, and Common Services out of
every inter-sector figure, against figures computed by hand (docs/methodology.md)."""

import pytest
from django.urls import reverse

from puente.core.testing import run_import
from puente.needs.models import NeedFigure
from puente.needs.selectors import INTER_SECTOR, people_in_need_by_country_and_sector
from puente.plans.models import PlanningFigure
from puente.plans.targets import planning_by_sector, targets_by_country_and_sector
from puente.reference.models import Admin1, Country, PopulationGroup, Sector
from puente.site.gap import gap_rows, gap_totals

pytestmark = pytest.mark.django_db
YEAR = 2025
HEADER = ["year", "country", "admin1", "sector", "population_group", "people_in_need", "severity"]


def need(sector: str, people: int, admin1: str = "", group: str = "in-destination") -> None:
    NeedFigure.objects.create(
        year=YEAR,
        country=Country.objects.get(iso3="COL"),
        admin1=Admin1.objects.get(iso_code=admin1) if admin1 else None,
        sector=Sector.objects.get(code=sector),
        population_group=PopulationGroup.objects.get(code=group),
        people_in_need=people,
    )


def by_areas() -> None:
    """Health and food per admin-1 area: Atlántico max(300, 200) = 300, Antioquia
    max(100, 400) = 400; the areas sum to 700 (food alone: 200 + 400 = 600)."""
    need("HEA", 300, "CO-ATL")
    need("FSC", 200, "CO-ATL")
    need("HEA", 100, "CO-ANT")
    need("FSC", 400, "CO-ANT")


def inter_sector(**filters) -> int | None:
    colombia = Country.objects.get(iso3="COL")
    cells = people_in_need_by_country_and_sector(year=YEAR, **filters)
    cell = cells.get((colombia.pk, INTER_SECTOR))
    return None if cell is None else cell["people_in_need"]


def test_country_level_only_takes_the_largest_sector_per_group():
    need("HEA", 500)
    need("FSC", 800)
    need("HEA", 100, group="host-community")
    # in destination max(500, 800) = 800; host community 100
    assert inter_sector() == 900


def test_admin1_only_sums_the_largest_sector_of_each_area():
    by_areas()
    assert inter_sector() == 300 + 400
    # an area alone: its own largest sector
    assert inter_sector(admin1_id=Admin1.objects.get(iso_code="CO-ATL").pk) == 300


def test_mixed_levels_a_country_level_sector_above_the_areas_sets_the_figure():
    by_areas()
    need("SHE", 900)  # shelter for the whole country
    # max(areas 700, shelter 900) = 900, never 700 + 900
    assert inter_sector() == 900
    # the areas keep their own figure: a country-level sector is no area's
    assert inter_sector(admin1_id=Admin1.objects.get(iso_code="CO-ANT").pk) == 400


def test_mixed_levels_an_admin1_sector_larger_than_the_country_level_one():
    by_areas()
    need("SHE", 550)  # below food summed over the areas (600) and below the areas (700)
    assert inter_sector() == 700
    # each population group on its own: in transit only at country level adds 50
    need("HEA", 50, group="in-transit")
    assert inter_sector() == 750


def test_sector_figures_still_sum_their_areas_and_levels():
    by_areas()
    need("SHE", 550)
    cells = people_in_need_by_country_and_sector(year=YEAR)
    colombia = Country.objects.get(iso3="COL")
    food, shelter = Sector.objects.get(code="FSC"), Sector.objects.get(code="SHE")
    assert cells[(colombia.pk, food.pk)]["people_in_need"] == 600
    assert cells[(colombia.pk, shelter.pk)]["people_in_need"] == 550


def test_common_services_stay_out_of_inter_sector_people_in_need():
    by_areas()
    need("CSS", 5000)
    need("CSS", 9000, "CO-ATL", group="host-community")
    assert inter_sector() == 700
    # a sector switched off in the admin stays out too
    Sector.objects.filter(code="FSC").update(in_intersector=False)
    assert inter_sector() == 300 + 100


def test_every_door_reads_the_same_inter_sector_figure():
    # given mixed levels: areas 700, shelter for the whole country 900, Common Services
    by_areas()
    need("SHE", 900)
    need("CSS", 5000)
    colombia = Country.objects.get(iso3="COL")
    # the dashboards (and their API and public page)
    assert planning_by_sector(year=YEAR, country_ids=None)["in-need"][INTER_SECTOR] == 900
    # the gap view's country and region totals
    countries, region = gap_totals(gap_rows(year=YEAR), year=YEAR)
    assert countries[colombia.pk]["in_need"] == 900
    assert region["in_need"] == 900
    # the needs page
    from puente.needs.views import needs_table

    table = needs_table(year=YEAR)["table"]
    assert [(row["country"].iso3, row["inter_sector"]) for row in table] == [("COL", 900)]


def test_common_services_stay_out_of_inter_sector_targets():
    colombia = Country.objects.get(iso3="COL")
    destination = PopulationGroup.objects.get(code="in-destination")
    for sector, people in [("HEA", 250), ("FSC", 400), ("CSS", 3000)]:
        PlanningFigure.objects.create(
            kind="target",
            year=YEAR,
            country=colombia,
            sector=Sector.objects.get(code=sector),
            population_group=destination,
            people=people,
        )
    css = Sector.objects.get(code="CSS")
    targets = targets_by_country_and_sector(year=YEAR)
    # the largest of health and food; Common Services keep their own target
    assert targets[(colombia.pk, INTER_SECTOR)] == 400
    assert targets[(colombia.pk, css.pk)] == 3000
    assert planning_by_sector(year=YEAR, country_ids=None)["target"][INTER_SECTOR] == 400
    countries, _region = gap_totals(gap_rows(year=YEAR), year=YEAR)
    assert countries[colombia.pk]["targeted"] == 400
    # an inter-agency plan's people targeted (its page and the public plan page)
    from puente.plans.models import Plan
    from puente.plans.selectors import people_targeted

    plan = Plan.objects.create(
        code="rmrp", name_en="RMRP", kind="inter-agency", start_year=YEAR, end_year=YEAR + 1
    )
    plan.countries.set([colombia])
    assert people_targeted(plan, year=YEAR) == {colombia.pk: 400, None: 400}


def test_the_import_refuses_people_in_need_of_common_services(tmp_path, capsys):
    rows = [
        [YEAR, "COL", "CO-ATL", "HEA", "in-destination", 300, ""],
        [YEAR, "COL", "", "Servicios Comunes", "in-destination", 94526, ""],
    ]
    out = run_import(tmp_path, capsys, "needs", [HEADER, *rows], ok=False)
    assert [(e["row"], e["column"], e["code"], e["value"]) for e in out["errors"]] == [
        (3, "sector", "sector_without_need", "Servicios Comunes")
    ]
    assert "Common Services (CSS)" in out["errors"][0]["message"]
    # nothing is half-written
    assert NeedFigure.objects.count() == 0


def test_computed_figures_refuse_common_services_too():
    from puente.core.errors import ApplicationError
    from puente.needs.services import transit_figures_set

    with pytest.raises(ApplicationError) as raised:
        transit_figures_set(
            year=YEAR,
            country=Country.objects.get(iso3="COL"),
            population_group=PopulationGroup.objects.get(code="in-transit"),
            population=1000,
            people_in_need={Sector.objects.get(code="CSS"): 10},
            acting_user=None,
            source="test",
        )
    assert raised.value.code == "sector_without_need"
    assert NeedFigure.objects.count() == 0


def test_the_needs_page_shows_the_mixed_figure(client, make_user):
    by_areas()
    need("SHE", 900)
    client.force_login(make_user("regional-admin", "region"))
    page = client.get(reverse("needs:needs"), {"year": YEAR}).content.decode()
    assert "900" in page
    assert "1,600" not in page and "1.600" not in page
