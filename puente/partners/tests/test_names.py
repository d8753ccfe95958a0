"""Organisations are named in the reader's language where they have such a name."""

import pytest
from django.urls import reverse

from puente.core.testing import csv_bytes
from puente.partners.models import Organisation
from puente.partners.services import organisation_upsert, organisations_import
from puente.plans.models import Plan
from puente.reference.models import Country

pytestmark = pytest.mark.django_db

IOM_ES = "Organización Internacional para las Migraciones"
IOM_PT = "Organização Internacional para as Migrações"


def _iom():
    organisation_upsert(
        acting_user=None,
        acronym="IOM",
        name="International Organization for Migration",
        type="un-agency",
        countries=list(Country.objects.filter(iso3__in=["COL", "PER"])),
        appealing=True,
    )
    return Organisation.objects.get(acronym="IOM")


@pytest.mark.parametrize(
    ("language", "expected"),
    [("en", "International Organization for Migration"), ("es", IOM_ES), ("pt", IOM_PT)],
)
def test_un_agencies_are_named_in_the_readers_language(client, make_user, language, expected):
    _iom()
    client.force_login(make_user("cfm-operator", "country:COL"))
    client.cookies["django_language"] = language
    detail = client.get(reverse("organisation", args=["IOM"])).content.decode()
    directory = client.get(reverse("partners:directory"), {"q": "IOM"}).content.decode()
    assert f"<h1>{expected} <small>" in detail
    assert f"<td>{expected}</td>" in directory


def test_an_agency_appeal_is_introduced_with_the_agency_name_in_spanish(client):
    plan = Plan.objects.create(
        code="iom-appeal",
        name_en="IOM appeal",
        kind=Plan.Kind.AGENCY,
        organisation=_iom(),
        start_year=2025,
        end_year=2026,
        status=Plan.Status.PUBLISHED,
    )
    client.cookies["django_language"] = "es"
    page = client.get(reverse("public-plan", args=[plan.code])).content.decode()
    assert IOM_ES in page
    assert "International Organization for Migration" not in page


def test_partner_import_takes_spanish_and_portuguese_names():
    header = ["name", "acronym", "type", "countries", "nombre_es", "nome_pt"]
    rows = [
        header,
        ["Migrant Aid Network", "MAN", "ingo", "COL", "Red de Ayuda al Migrante", ""],
    ]
    report = organisations_import(source=csv_bytes(rows), filename="partners.csv")
    assert report.ok, report.errors
    org = Organisation.objects.get(acronym="MAN")
    assert (org.name_es, org.name_pt) == ("Red de Ayuda al Migrante", "")
    # a second file without the Spanish name keeps it
    rows = [header[:4], ["Migrant Aid Network", "MAN", "ingo", "COL"]]
    assert organisations_import(source=csv_bytes(rows), filename="partners.csv").ok
    org.refresh_from_db()
    assert org.name_es == "Red de Ayuda al Migrante"


def test_directory_search_finds_a_spanish_name(client, make_user):
    _iom()
    client.force_login(make_user("cfm-operator", "country:COL"))
    page = client.get(reverse("partners:directory"), {"q": "Migraciones"}).content.decode()
    assert 'href="/partners/IOM/"' in page
