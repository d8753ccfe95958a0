import re

import pytest
from django.urls import reverse

from puente.core.i18n import sorted_by_name
from puente.reference.models import Country

pytestmark = pytest.mark.django_db


def _country_names(page: str) -> list[str]:
    table = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return re.findall(r'<a href="/reference/countries/[A-Z]{3}/">([^<]+)</a>', table)


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", ["Argentina", "Aruba", "Bolivia", "Brazil", "Chile"]),
        ("es", ["Paraguay", "Perú", "República Dominicana", "Trinidad y Tobago", "Uruguay"]),
        ("pt", ["Costa Rica", "Curaçao", "Equador", "Guiana", "México"]),
    ],
)
def test_countries_are_listed_by_name_in_the_readers_language(
    client, make_user, language, expected
):
    client.force_login(make_user("cfm-operator", "country:COL"))
    client.cookies["django_language"] = language
    names = _country_names(client.get(reverse("reference:countries")).content.decode())
    assert len(names) == Country.objects.count() == 17
    start = names.index(expected[0])
    assert names[start : start + len(expected)] == expected


def test_names_sort_ignoring_accents_and_case():
    class Named:
        def __init__(self, name):
            self.name = name

    names = ["Uruguay", "Ébano", "perú", "Peru", "Panamá", "Paraguay", "Ecuador", "ángel"]
    ordered = [n.name for n in sorted_by_name(Named(n) for n in names)]
    assert ordered == ["ángel", "Ébano", "Ecuador", "Panamá", "Paraguay", "Peru", "perú", "Uruguay"]


def test_every_unit_and_admin1_kind_of_the_reference_data_is_translatable():
    from puente.reference.models import ADMIN1_KINDS, INDICATOR_UNITS, Admin1, Indicator

    kinds = set(Admin1.objects.values_list("kind", flat=True)) - {""}
    units = set(Indicator.objects.values_list("unit", flat=True))
    assert kinds and units
    assert kinds <= set(ADMIN1_KINDS)
    assert units <= set(INDICATOR_UNITS)


def test_units_kinds_and_sector_names_are_read_in_the_readers_language(client, make_user):
    client.force_login(make_user("cfm-operator", "country:COL"))
    client.cookies["django_language"] = "es"
    sectors = client.get(reverse("reference:sectors")).content.decode()
    assert "<td>personas</td>" in sectors and "<td>people</td>" not in sectors
    assert "<td>Salud</td>" in sectors
    aruba = client.get(reverse("reference:country", args=["ABW"])).content.decode()
    assert "<td>País</td>" in aruba and "<td>Country</td>" not in aruba
