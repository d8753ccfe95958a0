import csv
import io

import hxl
import openpyxl
import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from puente.reporting.models import ActivityRow, ImportBatch
from puente.reporting.services.imports import rows_import
from puente.reporting.tests.conftest import HEADER, good_row

pytestmark = pytest.mark.django_db


@pytest.fixture
def rows(orgs):
    report = rows_import(
        rows=enumerate(
            [
                good_row(),
                good_row(appealing_org="ORGB", country="PER", admin1="Lima"),
                good_row(country="PER", admin1="Lima", indicator="PRO-GBV-01"),
                good_row(activity='=HYPERLINK("http://evil")'),
            ],
            start=2,
        ),
        acting_user=None,
    )
    assert report.ok, report.errors
    return ActivityRow.objects.all()


def api(user):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


@pytest.mark.parametrize(
    "role,scope,expected",
    [
        ("partner-reporter", "organisation:ORGA", 3),
        ("partner-viewer", "organisation:ORGB", 1),
        ("sector-coordinator", "sector:PER/PRO", 1),
        ("sector-coordinator", "sector:HEA", 3),
        ("platform-im-officer", "country:PER", 2),
        ("regional-admin", "region", 4),
        ("cfm-operator", "country:COL", 0),
    ],
)
def test_api_lists_only_the_rows_in_scope(rows, make_user, role, scope, expected):
    response = api(make_user(role, scope)).get("/api/5w/rows/")
    assert response.status_code == 200
    assert response.json()["count"] == expected


def test_api_row_outside_scope_is_not_found(rows, make_user):
    other = ActivityRow.objects.get(appealing_org__acronym="ORGB")
    response = api(make_user("partner-reporter", "organisation:ORGA")).get(
        f"/api/5w/rows/{other.pk}/"
    )
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_api_needs_a_token():
    response = APIClient().get("/api/5w/rows/")
    assert response.status_code in (401, 403)
    assert response.json()["error"]["code"] == "not_authenticated"


def test_api_submits_rows_with_the_file_rules(orgs, make_user):
    client = api(make_user("partner-reporter", "organisation:ORGA"))
    response = client.post("/api/5w/rows/", {"rows": [good_row()]}, format="json")
    assert response.status_code == 200
    assert response.json() == {
        "rows": 1,
        "imported": 1,
        "updated": 0,
        "unchanged": 0,
        "errors": [],
        "warnings": [],
    }
    response = client.post(
        "/api/5w/rows/",
        {
            "rows": [
                good_row(admin2="x"),
                good_row(appealing_org="ORGB", country="PER", admin1="Lima"),
            ]
        },
        format="json",
    )
    assert response.status_code == 400
    body = response.json()["error"]
    assert body["code"] == "rows_rejected"
    assert [(e["row"], e["code"]) for e in body["detail"]["errors"]] == [(2, "not_allowed")]
    assert ActivityRow.objects.count() == 1
    assert ImportBatch.objects.filter(source="api").count() == 2


def test_api_review_and_lock_follow_permissions(rows, make_user):
    response = api(make_user("partner-viewer", "organisation:ORGA")).post(
        "/api/5w/locks/", {"country": "COL", "month": "2025-01"}, format="json"
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
    response = api(make_user("platform-im-officer", "country:COL")).post(
        "/api/5w/locks/", {"country": "COL", "month": "2025-01"}, format="json"
    )
    assert response.status_code == 200 and response.json()["locked"] is True


def test_openapi_schema_lists_the_5w_endpoints(client):
    response = client.get("/api/schema/")
    assert response.status_code == 200
    text = response.content.decode()
    for path in ("/api/5w/rows/", "/api/5w/rows/{row_id}/", "/api/5w/reviews/", "/api/5w/locks/"):
        assert path in text


def test_exports_follow_scope_and_neutralise_formulas(client, rows, make_user):
    client.force_login(make_user("partner-reporter", "organisation:ORGA"))
    content = client.get(reverse("reporting:export", args=["csv"])).content.decode("utf-8-sig")
    table = list(csv.DictReader(io.StringIO(content)))
    assert len(table) == 3
    assert {r["appealing_org"] for r in table} == {"ORGA"}
    assert '\'=HYPERLINK("http://evil")' in {r["activity"] for r in table}
    workbook = openpyxl.load_workbook(
        io.BytesIO(client.get(reverse("reporting:export", args=["xlsx"])).content)
    )
    cells = [c.value for row in workbook.active.iter_rows() for c in row]
    assert '\'=HYPERLINK("http://evil")' in cells
    assert not any(isinstance(c, str) and c.startswith("=") for c in cells)


def test_hxl_export_is_valid_hxl(client, rows, make_user):
    client.force_login(make_user("regional-admin", "region"))
    content = client.get(reverse("reporting:export", args=["hxl"])).content.decode("utf-8-sig")
    source = io.BytesIO(content.encode("utf-8"))
    dataset = hxl.data(source, hxl.input.InputOptions(allow_local=True))
    tags = [column.display_tag for column in dataset.columns]
    assert "#country+code" in tags and "#reached+new" in tags and "#adm1+code" in tags
    values = [row.get("#org+name+appealing") for row in dataset.with_rows("#country+code=PER")]
    assert sorted(values) == ["ORGA", "ORGB"]


def test_template_round_trip(client, orgs, make_user):
    # given the Colombian template, downloaded
    client.force_login(make_user("partner-reporter", "organisation:ORGA"))
    response = client.get(reverse("reporting:template", args=["COL"]), HTTP_ACCEPT_LANGUAGE="es")
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames[:2] == ["5W", "Instrucciones"]
    sheet = workbook["5W"]
    assert [c.value for c in sheet[1]] == HEADER
    validations = {
        str(v.sqref).split(":")[0]: v.formula1 for v in sheet.data_validations.dataValidation
    }
    lists = workbook["lists"]
    admin1_range = validations["C2"].lstrip("=").split("!")[1].replace("$", "")
    admin1_names = [c.value for row in lists[admin1_range] for c in row]
    assert "Atlántico" in admin1_names and len(admin1_names) == 33
    assert "ORGA" in [
        c.value for row in lists[validations["E2"].split("!")[1].replace("$", "")] for c in row
    ]
    # when a partner fills one row and uploads it
    for column, value in good_row(admin1="Atlántico").items():
        sheet.cell(row=2, column=HEADER.index(column) + 1, value=value)
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    buffer.name = "plantilla.xlsx"
    response = client.post(
        reverse("reporting:upload"),
        {"file": buffer, "policy": "reject-file", "status": "submitted"},
    )
    # then the row is in
    assert response.status_code == 302
    batch = ImportBatch.objects.get()
    assert (batch.state, batch.imported) == ("done", 1)
    assert ActivityRow.objects.get().admin1.iso_code == "CO-ATL"


def test_upload_page_lists_errors_and_returns_the_marked_file(client, orgs, make_user):
    client.force_login(make_user("partner-reporter", "organisation:ORGA"))
    content = io.StringIO()
    writer = csv.writer(content)
    writer.writerow(HEADER)
    writer.writerow([good_row()[h] for h in HEADER])
    writer.writerow([good_row(population_group="tourists")[h] for h in HEADER])
    upload = io.BytesIO(content.getvalue().encode())
    upload.name = "octubre.csv"
    response = client.post(
        reverse("reporting:upload"),
        {"file": upload, "policy": "reject-file", "status": "submitted"},
        follow=True,
    )
    page = response.content.decode()
    assert "unknown_population_group" in page and "tourists" in page
    assert not ActivityRow.objects.exists()
    batch = ImportBatch.objects.get()
    assert batch.state == "rejected" and batch.file.read().startswith(b"month")
    marked = client.get(reverse("reporting:batch_errors", args=[batch.pk]))
    sheet = openpyxl.load_workbook(io.BytesIO(marked.content)).active
    header = [c.value for c in sheet[1]]
    assert header[-1] == "errors"
    assert sheet.cell(row=2, column=len(header)).value in (None, "")
    assert "tourists" in sheet.cell(row=3, column=len(header)).value


def test_other_users_cannot_see_a_batch(client, orgs, make_user):
    batch = ImportBatch.objects.create(filename="x.csv", created_by=make_user())
    client.force_login(make_user("partner-reporter", "organisation:ORGA"))
    assert client.get(reverse("reporting:batch", args=[batch.pk])).status_code == 404


def test_row_form_adds_and_corrects_a_row(client, orgs, make_user):
    client.force_login(make_user("partner-reporter", "organisation:ORGA"))
    data = {**good_row(), "status": "draft"}
    bad = client.post(reverse("reporting:row_new"), {**data, "total_monthly": "10"})
    assert bad.status_code == 200 and not ActivityRow.objects.exists()
    assert "exceed" in bad.content.decode()
    client.post(reverse("reporting:row_new"), data)
    row = ActivityRow.objects.get()
    assert row.status == "draft"
    client.post(reverse("reporting:row_edit", args=[row.pk]), {**data, "total_monthly": "140"})
    row.refresh_from_db()
    assert row.total_monthly == 140


def test_rows_page_lists_without_n_plus_one(client, rows, make_user, django_assert_max_num_queries):
    client.force_login(make_user("regional-admin", "region"))
    with django_assert_max_num_queries(12):
        response = client.get(reverse("reporting:rows"))
    assert response.status_code == 200 and "ORGB" in response.content.decode()


def test_a_large_upload_runs_as_a_background_task(client, orgs, make_user, settings):
    # given uploads above 0 bytes go to the task queue (run at once by the test backend)
    settings.PUENTE_INLINE_IMPORT_BYTES = 0
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    client.force_login(make_user("partner-reporter", "organisation:ORGA"))
    content = io.StringIO()
    writer = csv.writer(content)
    writer.writerow(HEADER)
    writer.writerow([good_row()[h] for h in HEADER])
    upload = io.BytesIO(content.getvalue().encode())
    upload.name = "grande.csv"
    # when
    response = client.post(
        reverse("reporting:upload"),
        {"file": upload, "policy": "reject-file", "status": "submitted"},
    )
    # then the task ran the import and the progress endpoint says it is done
    batch = ImportBatch.objects.get()
    assert response["Location"] == reverse("reporting:batch", args=[batch.pk])
    progress = client.get(reverse("reporting:batch_progress", args=[batch.pk])).json()
    assert progress["state"] == "done" and progress["done"] == progress["total"] == 1
    assert ActivityRow.objects.count() == 1


def test_errors_file_of_an_unreadable_upload(client, orgs, make_user):
    client.force_login(make_user("partner-reporter", "organisation:ORGA"))
    upload = io.BytesIO(b"not a workbook")
    upload.name = "roto.xlsx"
    response = client.post(
        reverse("reporting:upload"),
        {"file": upload, "policy": "reject-file", "status": "submitted"},
        follow=True,
    )
    assert "not_a_workbook" in response.content.decode()
    batch = ImportBatch.objects.get()
    marked = client.get(reverse("reporting:batch_errors", args=[batch.pk]))
    assert marked.status_code == 404
