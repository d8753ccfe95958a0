import pytest
from django.core.management import call_command

from puente.reference.models import Admin1, Country, Indicator, Platform, PopulationGroup, Sector
from puente.reference.services import reference_load

pytestmark = pytest.mark.django_db

RMRP_COUNTRIES = {
    "ARG",
    "ABW",
    "BOL",
    "BRA",
    "CHL",
    "COL",
    "CRI",
    "CUW",
    "DOM",
    "ECU",
    "GUY",
    "MEX",
    "PAN",
    "PRY",
    "PER",
    "TTO",
    "URY",
}

# DOMAIN.md, "Geography", written out by hand.
PLATFORMS = {
    "regional": RMRP_COUNTRIES,
    "brazil": {"BRA"},
    "chile": {"CHL"},
    "colombia": {"COL"},
    "ecuador": {"ECU"},
    "peru": {"PER"},
    "central-america-mexico": {"CRI", "MEX", "PAN"},
    "caribbean": {"ABW", "CUW", "DOM", "GUY", "TTO"},
    "southern-cone": {"ARG", "BOL", "PRY", "URY"},
}


def test_loads_the_seventeen_countries_with_names_in_three_languages():
    countries = {c.iso3: c for c in Country.objects.all()}
    assert set(countries) == RMRP_COUNTRIES
    assert countries["BRA"].iso2 == "BR"
    assert (countries["BRA"].name_en, countries["BRA"].name_es, countries["BRA"].name_pt) == (
        "Brazil",
        "Brasil",
        "Brasil",
    )
    assert countries["COL"].name_pt == "Colômbia"
    assert countries["BOL"].name_en == "Bolivia"
    assert all(c.name_es and c.name_pt for c in countries.values())


def test_platform_membership_is_exactly_as_the_domain_describes():
    loaded = {p.code: {c.iso3 for c in p.countries.all()} for p in Platform.objects.all()}
    assert loaded == PLATFORMS
    kinds = {p.code: p.kind for p in Platform.objects.all()}
    assert sorted(k for k, v in kinds.items() if v == "national") == [
        "brazil",
        "chile",
        "colombia",
        "ecuador",
        "peru",
    ]
    assert sorted(k for k, v in kinds.items() if v == "subregional") == [
        "caribbean",
        "central-america-mexico",
        "southern-cone",
    ]


def test_admin1_areas_come_from_iso_3166_2_with_parents():
    assert Admin1.objects.filter(country__iso3="COL").count() == 33
    atlantico = Admin1.objects.get(iso_code="CO-ATL")
    assert atlantico.name == "Atlántico"
    assert atlantico.pcode == ""
    province = Admin1.objects.get(iso_code="DO-01")
    assert province.parent is not None and province.parent.iso_code.startswith("DO-")


@pytest.mark.parametrize("iso3,code", [("ABW", "AW"), ("CUW", "CW")])
def test_islands_without_subdivisions_are_their_own_admin1_area(iso3, code):
    areas = list(Admin1.objects.filter(country__iso3=iso3))
    assert [a.iso_code for a in areas] == [code]


def test_population_groups_sectors_and_indicators():
    assert list(PopulationGroup.objects.values_list("code", flat=True)) == [
        "in-destination",
        "in-transit",
        "pendular",
        "colombian-returnees",
        "host-community",
    ]
    assert PopulationGroup.objects.get(code="host-community").name_es == "Comunidad de acogida"
    top = set(Sector.objects.filter(parent__isnull=True).values_list("code", flat=True))
    assert top == {"EDU", "FSC", "HEA", "HTR", "INT", "NUT", "PRO", "SHE", "WSH", "MPC", "CSS"}
    subs = set(Sector.objects.get(code="PRO").subsectors.values_list("code", flat=True))
    assert subs == {"PRO-CP", "PRO-GBV", "PRO-HTS"}
    assert Sector.objects.get(code="HEA").name_pt == "Saúde"
    for sector in Sector.objects.filter(parent__isnull=True):
        assert Indicator.objects.filter(sector=sector).count() >= 2, sector.code
    gbv = Indicator.objects.get(code="PRO-GBV-01")
    assert gbv.sector.code == "PRO" and gbv.reporting_sector.code == "PRO-GBV"


def test_common_services_are_shipped_out_of_inter_sector_figures():
    outside = set(Sector.objects.filter(in_intersector=False).values_list("code", flat=True))
    assert outside == {"CSS"}
    # a regional admin's choice in the admin outlives a later load
    Sector.objects.filter(code="CSS").update(in_intersector=True)
    reference_load()
    assert Sector.objects.get(code="CSS").in_intersector is True


def test_second_load_creates_nothing_and_restores_changed_names():
    before = {m: m.objects.count() for m in (Country, Admin1, Platform, Sector, Indicator)}
    Country.objects.filter(iso3="PER").update(name_es="Peru (typo)")
    Admin1.objects.filter(iso_code="CO-ATL").update(name="Atlantico")

    summary = reference_load()

    assert sum(summary.created.values()) == 0
    assert summary.updated["country"] == 1
    assert summary.updated["admin1"] == 1
    assert {m: m.objects.count() for m in before} == before
    assert Country.objects.get(iso3="PER").name_es == "Perú"
    assert Admin1.objects.get(iso_code="CO-ATL").name == "Atlántico"


def test_load_reference_command_reports_up_to_date(capsys):
    call_command("load_reference")
    assert "Reference data is up to date." in capsys.readouterr().out


def test_names_follow_the_active_language():
    from django.utils import translation

    sector = Sector.objects.get(code="FSC")
    with translation.override("es"):
        assert sector.name == "Seguridad Alimentaria"
    with translation.override("pt"):
        assert sector.name == "Segurança Alimentar"
    with translation.override("en"):
        assert str(sector) == "Food Security"
