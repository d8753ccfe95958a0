"""Exchange rates apply to the whole region: only a regional role imports them, and every
written import is audited (who, what, file name, counts)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from puente.core.models import AuditRecord
from puente.core.testing import csv_bytes
from puente.funding.models import ExchangeRate

pytestmark = pytest.mark.django_db

RATES = csv_bytes([["currency", "valid_from", "usd_per_unit"], ["COP", "2025-01-01", "0.00025"]])


def _upload(client):
    upload = SimpleUploadedFile("tasas.csv", RATES, content_type="text/csv")
    return client.post(reverse("funding:funding"), {"import_kind": "rates", "file": upload})


def test_a_country_im_officer_cannot_import_region_wide_rates(client, make_user):
    client.force_login(make_user("platform-im-officer", "platform:colombia"))
    page = _upload(client).content.decode()
    assert "import_not_allowed" in page
    assert not ExchangeRate.objects.exists()
    assert not AuditRecord.objects.filter(action="import.rates").exists()


def test_a_regional_admin_imports_rates_and_it_is_audited(client, make_user):
    admin = make_user("regional-admin", "region")
    client.force_login(admin)
    _upload(client)
    assert ExchangeRate.objects.get().currency == "COP"
    record = AuditRecord.objects.get(action="import.rates")
    assert record.actor == admin
    assert record.data == {
        "via": "web",
        "file": "tasas.csv",
        "rows": 1,
        "imported": 1,
        "updated": 0,
        "unchanged": 0,
    }


def test_the_command_line_imports_rates_as_the_operator(tmp_path, capsys):
    path = tmp_path / "rates.csv"
    path.write_bytes(RATES)
    call_command("import_data", "rates", str(path))
    record = AuditRecord.objects.get(action="import.rates")
    assert record.actor is None
    assert (record.data["via"], record.data["file"], record.data["imported"]) == (
        "command line",
        "rates.csv",
        1,
    )
