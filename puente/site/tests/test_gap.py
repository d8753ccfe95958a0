"""The gap view against figures computed by hand."""

import csv
import io
import re
from decimal import Decimal

import hxl
import pytest
from django.urls import reverse

from puente.analytics.services.cube import cube_refresh
from puente.analytics.tests.test_consolidation import YEAR, add, world  # noqa: F401
from puente.funding.models import Contribution
from puente.needs.models import NeedFigure
from puente.plans.models import Plan, PlanEntry, PlanningFigure
from puente.reference.models import Admin1, Country, PopulationGroup, Sector
from puente.site.gap import gap_rows

pytestmark = pytest.mark.django_db


@pytest.fixture
def gap_world(world):  # noqa: F811
    colombia, peru = Country.objects.get(iso3="COL"), Country.objects.get(iso3="PER")
    health, food = Sector.objects.get(code="HEA"), Sector.objects.get(code="FSC")
    destination = PopulationGroup.objects.get(code="in-destination")
    transit = PopulationGroup.objects.get(code="in-transit")
    # reached in Colombia, health: A 100 and 60 (max 100 across its indicators) + B 40
    add(world["A"], "HEA-03", 100)
    add(world["A"], "HEA-02", 60)
    add(world["B"], "HEA-02", 40, month=2)
    add(world["C"], "FSC-01", 30, country="PER", admin1="PE-LIM")
    add(world["C"], "FSC-01", 999, country="PER", admin1="PE-LIM", status="submitted")
    cube_refresh(country_ids=[colombia.pk, peru.pk], year=YEAR)
    # people in need: Colombia health 500 (two areas), food 200; Peru food 90
    for admin1, sector, people in [
        ("CO-ATL", health, 300),
        ("CO-ANT", health, 200),
        ("CO-ATL", food, 200),
    ]:
        NeedFigure.objects.create(
            year=YEAR,
            country=colombia,
            admin1=Admin1.objects.get(iso_code=admin1),
            sector=sector,
            population_group=destination,
            people_in_need=people,
        )
    NeedFigure.objects.create(
        year=YEAR, country=peru, sector=food, population_group=transit, people_in_need=90
    )
    # targets: Colombia health 250 + 50 (two groups); Peru food 60
    for country, sector, group, people in [
        (colombia, health, destination, 250),
        (colombia, health, transit, 50),
        (peru, food, transit, 60),
    ]:
        PlanningFigure.objects.create(
            kind="target",
            year=YEAR,
            country=country,
            sector=sector,
            population_group=group,
            people=people,
        )
    plan = Plan.objects.create(
        code="rmrp", name_en="RMRP", kind="inter-agency", start_year=YEAR, end_year=YEAR + 1
    )
    plan.countries.set([colombia, peru])
    PlanEntry.objects.create(
        plan=plan,
        organisation=world["A"],
        country=colombia,
        sector=health,
        year=YEAR,
        requirement_usd=800,
        status="approved",
    )
    PlanEntry.objects.create(
        plan=plan,
        organisation=world["B"],
        country=colombia,
        sector=health,
        year=YEAR,
        requirement_usd=200,
        status="approved",
    )
    PlanEntry.objects.create(
        plan=plan,
        organisation=world["C"],
        country=peru,
        sector=food,
        year=YEAR,
        requirement_usd=400,
        status="submitted",
    )
    Contribution.objects.create(
        donor="ECHO",
        recipient=world["A"],
        plan=plan,
        country=colombia,
        sector=health,
        amount=250,
        currency="USD",
        exchange_rate=1,
        amount_usd=250,
        date=f"{YEAR}-03-01",
        status="paid",
        source="fts",
        source_id="1",
    )
    return plan


def test_gap_rows_match_the_hand_computed_figures(gap_world):
    rows = {(r["country"], r["sector"]): r for r in gap_rows(year=YEAR, plan=gap_world)}
    health = rows[("COL", "HEA")]
    assert (health["in_need"], health["targeted"], health["reached"]) == (500, 300, 140)
    assert (health["requirement_usd"], health["funded_usd"]) == (Decimal("1000"), Decimal("250"))
    assert (health["coverage"], health["percent_funded"]) == (46.7, 25.0)
    food_col = rows[("COL", "FSC")]
    assert (food_col["in_need"], food_col["targeted"], food_col["reached"]) == (200, None, None)
    assert food_col["coverage"] is None
    food_per = rows[("PER", "FSC")]
    # only validated rows count; the submitted entry is not a requirement yet
    assert (food_per["in_need"], food_per["targeted"], food_per["reached"]) == (90, 60, 30)
    assert (food_per["coverage"], food_per["requirement_usd"]) == (50.0, None)


def test_gap_page_sorts_filters_and_exports(gap_world, client, make_user):
    client.force_login(make_user("partner-viewer", "organisation:A"))
    page = client.get(reverse("gap"), {"year": YEAR, "sort": "-in_need"}).content.decode()
    order = [
        page.index('data-country="COL" data-sector="HEA"'),
        page.index('data-country="COL" data-sector="FSC"'),
        page.index('data-country="PER" data-sector="FSC"'),
    ]
    assert order == sorted(order)
    only_peru = client.get(reverse("gap"), {"year": YEAR, "country": "PER"}).content.decode()
    assert 'data-country="COL"' not in only_peru
    content = client.get(
        reverse("gap-export", args=["hxl"]), {"year": YEAR, "plan": "rmrp"}
    ).content
    dataset = hxl.data(io.BytesIO(content), hxl.input.InputOptions(allow_local=True))
    by_key = {(r.get("#country+code"), r.get("#sector+code")): r for r in dataset}
    assert by_key[("COL", "HEA")].get("#reached") == "140"
    assert by_key[("COL", "HEA")].get("#indicator+funded+pct") == "25.0"
    table = client.get(reverse("gap-export", args=["csv"]), {"year": YEAR, "sector": "HEA"}).content
    records = list(csv.DictReader(io.StringIO(table.decode("utf-8-sig"))))
    assert [(r["country"], r["in_need"]) for r in records] == [("COL", "500")]
    assert client.get(reverse("gap"), {"sort": "bogus"}).status_code == 400


def _fields(page):
    """{name: value} of the inputs and selected options of the page's filter form."""
    start = page.index('id="gap-filters"')
    form = page[start : page.index("</form>", start)]
    values = dict(re.findall(r'<input[^>]*name="(\w+)"[^>]*value="([^"]*)"', form))
    for name, select in re.findall(r'<select name="(\w+)"[^>]*>(.*?)</select>', form, re.S):
        chosen = re.search(r'<option value="([^"]*)"[^>]*selected', select)
        values[name] = chosen.group(1) if chosen else ""
    return values


def test_gap_page_in_spanish_works_with_the_year_it_shows(gap_world, client, make_user, settings):
    # given grouping of numbers on, the worst case for a year, and a reader in Spanish
    settings.USE_THOUSAND_SEPARATOR = True
    client.force_login(make_user("partner-viewer", "organisation:A"))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"
    # when the page opens on its year
    response = client.get(reverse("gap"), {"year": "2025"})
    # then it shows the year as it is written
    assert response.status_code == 200
    page = response.content.decode()
    assert re.search(r"<h1>[^<]*2025</h1>", page)
    fields = _fields(page)
    assert fields["year"] == "2025"
    assert fields["plan"] == "rmrp"
    # and Show with the values shown, and every download link, answer 200
    assert client.get(reverse("gap"), fields).status_code == 200
    links = re.findall(r'href="(/dashboard/gap/export\.\w+\?[^"]*)"', page)
    assert len(links) == 3
    for link in links:
        download = client.get(link.replace("&amp;", "&"))
        assert download.status_code == 200, link
        assert "gap-2025." in download["Content-Disposition"]


@pytest.mark.parametrize(
    "params,message",
    [
        ({"year": "20x5"}, "is not a year"),
        ({"year": "99999"}, "is not a year"),
        ({"year": "2.025"}, "is not a year"),
        ({"country": "XXX"}, "is not a country of the response"),
        ({"sector": "NOPE"}, "is not a sector code"),
        ({"plan": "nope"}, "There is no plan"),
        ({"plan": "rmrp", "year": "2030"}, "does not cover 2030"),
    ],
)
def test_a_mistyped_filter_is_an_error_on_the_page(gap_world, client, make_user, params, message):
    client.force_login(make_user("partner-viewer", "organisation:A"))
    response = client.get(reverse("gap"), params)
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page.replace("&quot;", '"')
    # never the whole region instead
    assert "data-country=" not in page
    download = client.get(reverse("gap-export", args=["csv"]), params)
    assert download.status_code == 400
    assert message in download.content.decode()


def test_country_codes_are_read_whatever_their_case(gap_world, client, make_user):
    client.force_login(make_user("partner-viewer", "organisation:A"))
    page = client.get(reverse("gap"), {"year": YEAR, "country": "per"})
    assert page.status_code == 200
    assert 'data-country="PER"' in page.content.decode()


def test_gap_page_folds_sectors_under_country_totals(gap_world, client, make_user):
    client.force_login(make_user("partner-viewer", "organisation:A"))
    page = client.get(reverse("gap"), {"year": YEAR, "plan": "rmrp"}).content.decode()

    def row(marker):
        start = page.index(marker)
        return re.findall(r'<td class="num">([^<]*)</td>', page[start : page.index("</tr>", start)])

    # a country's people are counted across sectors: Colombia's need is the largest
    # sector's per area (300 in Atlántico, 200 in Antioquia), not 500 + 200
    assert row('class="country-total" data-country="COL"')[:5] == [
        "500",
        "300",
        "140",
        "1,000",
        "250",
    ]
    # the region adds up its countries: need 500 + 90, targeted 300 + 60, reached 140 + 30
    assert row('id="gap-region"') == ["590", "360", "170", "1,000", "250", "47.2%", "25.0%"]
    # the sectors are folded under their country until one country is asked
    assert 'class="gap-sectors" id="gap-sectors-COL" hidden' in page
    # in a frame of its own, whose header row stays in view (planning.css)
    assert '<div class="table-frame"><table id="gap-table"' in page
    one = client.get(reverse("gap"), {"year": YEAR, "country": "COL"}).content.decode()
    assert 'id="gap-sectors-COL">' in one
    assert 'data-country="COL" data-sector="FSC"' in one


def test_an_unpublished_agency_appeal_is_no_plan_to_a_partner(gap_world, client, make_user):
    # given an agency appeal in draft for Colombia
    draft = Plan.objects.create(
        code="draft-appeal",
        name_en="Draft appeal",
        kind="agency",
        organisation=PlanEntry.objects.filter(plan=gap_world).first().organisation,
        start_year=YEAR,
        end_year=YEAR + 1,
    )
    draft.countries.set(Country.objects.filter(iso3="COL"))
    asked = {"year": YEAR, "plan": "draft-appeal"}
    # when a partner asks the gap page and its download for it
    client.force_login(make_user("partner-viewer", "organisation:A"))
    page = client.get(reverse("gap"), asked)
    download = client.get(reverse("gap-export", args=["csv"]), asked)
    # then it is an unknown plan, not offered in the list either
    assert page.status_code == 400
    assert "draft-appeal" not in [c for c, _n in page.context["filters"].fields["plan"].choices]
    assert download.status_code == 400
    # and those who manage plans read it
    client.force_login(make_user("regional-admin", "region"))
    assert client.get(reverse("gap"), asked).status_code == 200
