import re

import pytest
from django.urls import reverse

from puente.core.i18n import collation_key
from puente.partners.models import Organisation
from puente.partners.selectors import OrganisationFilters, localisation_shares, organisation_list
from puente.reference.models import Country, Platform

pytestmark = pytest.mark.django_db


@pytest.fixture
def registry():
    def org(acronym, org_type, countries, migrant_led=False, women_led=False, appealing=True):
        o = Organisation.objects.create(
            name=f"Org {acronym}",
            acronym=acronym,
            type=org_type,
            migrant_led=migrant_led,
            women_led=women_led,
            appealing=appealing,
        )
        o.countries.set(Country.objects.filter(iso3__in=countries))
        return o

    org("NAT1", "national-ngo", ["COL"], women_led=True)
    org("RLO1", "refugee-migrant-led", ["COL"], migrant_led=True, women_led=True)
    org("RLO2", "refugee-migrant-led", ["PER"], migrant_led=True)
    org("UN1", "un-agency", ["COL", "PER", "ARG"])
    org("INGO1", "ingo", ["ARG", "URY"], appealing=False)


def test_localisation_shares_over_the_whole_registry(registry):
    shares = localisation_shares(organisation_list())
    assert (shares.total, shares.national, shares.migrant_led, shares.women_led) == (5, 3, 2, 2)
    assert shares.national_share == pytest.approx(0.6)


def test_filters_by_country_platform_type_and_flags(registry):
    def acronyms(**kwargs):
        return sorted(
            organisation_list(filters=OrganisationFilters(**kwargs)).values_list(
                "acronym", flat=True
            )
        )

    assert acronyms(country=Country.objects.get(iso3="COL")) == ["NAT1", "RLO1", "UN1"]
    assert acronyms(platform=Platform.objects.get(code="southern-cone")) == ["INGO1", "UN1"]
    assert acronyms(platform=Platform.objects.get(code="regional")) == [
        "INGO1",
        "NAT1",
        "RLO1",
        "RLO2",
        "UN1",
    ]
    assert acronyms(type="refugee-migrant-led") == ["RLO1", "RLO2"]
    assert acronyms(women_led=True, migrant_led=True) == ["RLO1"]
    assert acronyms(appealing=False) == ["INGO1"]
    assert acronyms(search="rlo") == ["RLO1", "RLO2"]


def test_directory_page_shows_filtered_organisations_and_shares(client, make_user, registry):
    client.force_login(make_user("cfm-operator", "country:COL"))
    response = client.get(reverse("partners:directory"), {"country": "COL", "women_led": "yes"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "NAT1" in page and "RLO1" in page and "UN1" not in page
    assert 'data-share="migrant-led">1 · 50%' in page
    assert 'data-share="national">2 · 100%' in page


def test_directory_needs_sign_in(client):
    response = client.get(reverse("partners:directory"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_directory_lists_without_one_query_per_row(
    client, make_user, registry, django_assert_max_num_queries
):
    client.force_login(make_user("cfm-operator", "country:COL"))
    with django_assert_max_num_queries(14):
        client.get(reverse("partners:directory"))
    for i in range(30):
        Organisation.objects.create(name=f"Extra {i}", acronym=f"EX{i}", type="ingo")
    with django_assert_max_num_queries(14):
        client.get(reverse("partners:directory"))


def test_directory_country_filter_and_column_read_names_in_order(client, make_user, registry):
    # given a Spanish reader
    client.force_login(make_user("cfm-operator", "country:COL"))
    client.cookies["django_language"] = "es"
    # when the directory opens
    page = client.get(reverse("partners:directory")).content.decode()
    # then the country filter lists names in Spanish reading order
    select = page.split('name="country"', 1)[1].split("</select>", 1)[0]
    options = re.findall(r'<option value="([A-Z]{3})"[^>]*>([^<]+)</option>', select)
    names = [name for _code, name in options]
    assert len(names) == 17
    assert names.index("Perú") < names.index("República Dominicana") < names.index("Uruguay")
    assert names == sorted(names, key=collation_key)
    # and the countries column names them, not their codes
    row = page.split(">UN1</a>", 1)[1].split("</tr>", 1)[0]
    assert "Argentina, Colombia, Perú" in row
    assert "ARG" not in row
