"""Who may read an import: its creator, those who may view reports across the region,
and those who may view every row it wrote."""

import csv
import io

import pytest
from django.urls import reverse

from puente.reporting.models import ImportBatch
from puente.reporting.tests.conftest import HEADER, good_row

pytestmark = pytest.mark.django_db


def upload(client, *rows):
    content = io.StringIO()
    writer = csv.writer(content)
    writer.writerow(HEADER)
    for row in rows:
        writer.writerow([row[h] for h in HEADER])
    file = io.BytesIO(content.getvalue().encode())
    file.name = "mayo.csv"
    client.post(
        reverse("reporting:upload"), {"file": file, "policy": "reject-file", "status": "draft"}
    )
    return ImportBatch.objects.latest("pk")


@pytest.fixture
def colombian_import(client, orgs, make_user):
    client.force_login(make_user("partner-reporter", "organisation:ORGA"))
    batch = upload(client, good_row(), good_row(admin1="Bolívar", admin2=""))
    assert (batch.state, batch.imported) == ("done", 2)
    return batch


@pytest.mark.parametrize(
    "role,scope,status",
    [
        ("regional-admin", "region", 200),
        ("platform-im-officer", "country:COL", 200),
        ("sector-coordinator", "sector:COL/HEA", 200),
        ("partner-viewer", "organisation:ORGA", 200),
        ("platform-im-officer", "country:PER", 404),
        ("sector-coordinator", "sector:COL/PRO", 404),
        ("partner-reporter", "organisation:ORGB", 404),
    ],
)
def test_an_import_is_read_by_those_who_see_its_rows(
    client, colombian_import, make_user, role, scope, status
):
    client.force_login(make_user(role, scope))
    response = client.get(reverse("reporting:batch", args=[colombian_import.pk]))
    assert response.status_code == status
    progress = client.get(reverse("reporting:batch_progress", args=[colombian_import.pk]))
    assert progress.status_code == status


def test_an_import_that_wrote_nothing_is_read_by_its_creator_and_the_region(
    client, orgs, make_user
):
    client.force_login(make_user("partner-reporter", "organisation:ORGA"))
    batch = upload(client, good_row(population_group="tourists"))
    assert batch.state == "rejected"
    assert client.get(reverse("reporting:batch", args=[batch.pk])).status_code == 200
    client.force_login(make_user("platform-im-officer", "country:COL"))
    assert client.get(reverse("reporting:batch", args=[batch.pk])).status_code == 404
    client.force_login(make_user("regional-admin", "region"))
    page = client.get(reverse("reporting:batch", args=[batch.pk]))
    assert page.status_code == 200 and "tourists" in page.content.decode()


def test_the_dry_run_checkbox_sits_beside_its_label(client, orgs, make_user):
    client.force_login(make_user("partner-reporter", "organisation:ORGA"))
    page = client.get(reverse("reporting:upload")).content.decode()
    assert (
        '<div class="check"><label for="id_dry_run">'
        '<input type="checkbox" name="dry_run" id="id_dry_run"> '
        "Only check the file, do not import</label>"
    ) in page
