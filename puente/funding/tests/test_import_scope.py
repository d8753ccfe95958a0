"""Contributions are loaded through the web only within the uploader's funding scope: a
contribution's country, or without one every country its recipient works in. One out of
scope and the whole file is refused, naming it; a written file is audited."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from puente.core.models import AuditRecord
from puente.core.testing import csv_bytes
from puente.funding.models import Contribution
from puente.partners.models import Organisation
from puente.reference.models import Country

pytestmark = pytest.mark.django_db

HEADER = ["source_id", "donor", "recipient", "country", "amount", "currency", "date", "status"]


@pytest.fixture
def recipients(db):
    for acronym, countries in [("COLONLY", ["COL"]), ("TWOCOUNTRY", ["COL", "PER"])]:
        org = Organisation.objects.create(
            name=acronym, acronym=acronym, type="national-ngo", appealing=True
        )
        org.countries.set(Country.objects.filter(iso3__in=countries))


def _upload(client, *rows):
    data = csv_bytes([HEADER, *rows])
    upload = SimpleUploadedFile("flows.csv", data, content_type="text/csv")
    return client.post(reverse("funding:funding"), {"import_kind": "funding", "file": upload})


def _row(source_id, recipient, country):
    return [source_id, "EU", recipient, country, "5", "USD", "2025-03-01", "paid"]


def test_an_officer_loads_contributions_of_the_country_and_it_is_audited(
    recipients, client, make_user
):
    officer = make_user("platform-im-officer", "country:COL")
    client.force_login(officer)
    _upload(client, _row("F1", "TWOCOUNTRY", "COL"), _row("F2", "COLONLY", ""))
    assert Contribution.objects.count() == 2
    record = AuditRecord.objects.get(action="import.funding")
    assert record.actor == officer
    assert (record.data["file"], record.data["rows"], record.data["imported"]) == (
        "flows.csv",
        2,
        2,
    )


def test_a_contribution_of_another_country_refuses_the_file(recipients, client, make_user):
    client.force_login(make_user("platform-im-officer", "country:COL"))
    page = _upload(client, _row("F1", "COLONLY", "COL"), _row("F2", "TWOCOUNTRY", "PER"))
    assert "import_not_allowed" in page.content.decode()
    assert "Peru" in page.content.decode()
    assert not Contribution.objects.exists()
    assert not AuditRecord.objects.filter(action="import.funding").exists()


def test_a_contribution_without_country_needs_every_country_of_its_recipient(
    recipients, client, make_user
):
    client.force_login(make_user("platform-im-officer", "country:COL"))
    page = _upload(client, _row("F1", "TWOCOUNTRY", ""))
    assert "import_not_allowed" in page.content.decode()
    assert "TWOCOUNTRY" in page.content.decode()
    assert not Contribution.objects.exists()


def test_a_regional_admin_loads_a_contribution_without_country(recipients, client, make_user):
    admin = make_user("regional-admin", "region")
    client.force_login(admin)
    _upload(client, _row("F1", "TWOCOUNTRY", ""))
    assert Contribution.objects.get().country is None
    assert AuditRecord.objects.get(action="import.funding").actor == admin
