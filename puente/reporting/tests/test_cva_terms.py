"""Conditionality and restriction of cash and voucher rows: read from their code lists in
the spellings partners use, stored as codes, compared on re-import, and carried by the
export, the API, the web form and the template (docs/imports.md)."""

import csv
import io
import json

import hxl
import openpyxl
import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation
from rest_framework.test import APIClient

from puente.core.testing import csv_bytes
from puente.reporting.models import ActivityRow, RowChange
from puente.reporting.tests.conftest import HEADER, as_rows, good_row
from puente.reporting.tests.test_import_errors import run_cli

pytestmark = pytest.mark.django_db


def cash(**changes) -> dict:
    return good_row(modality="cva", cva_value_usd="1500.50", **changes)


def test_conditionality_and_restriction_are_stored_as_codes_in_any_language(tmp_path, capsys, orgs):
    # given the terms written as codes, labels and common names in en, es and pt
    rows = [
        cash(activity="a", conditionality="conditional", restriction="restricted"),
        cash(activity="b", conditionality="Unconditional", restriction="Unrestricted"),
        cash(activity="c", conditionality="Condicionada", restriction="Restringida"),
        cash(activity="d", conditionality="sin condiciones", restriction="Sin restricción"),
        cash(activity="e", conditionality="Incondicional", restriction="no restringida"),
        cash(activity="f", conditionality="com condicionalidade", restriction="restrito"),
        cash(activity="g", conditionality="Não condicionada", restriction="irrestrito"),
        cash(activity="h", conditionality="  SEM CONDIÇÕES ", restriction="sem restrição"),
        cash(activity="i", conditionality="", restriction=""),
    ]
    # when
    out = run_cli(tmp_path, capsys, as_rows(*rows))
    # then
    assert out["errors"] == [] and out["imported"] == 9
    stored = {
        activity: (conditionality, restriction)
        for activity, conditionality, restriction in ActivityRow.objects.values_list(
            "activity", "conditionality", "restriction"
        )
    }
    assert stored == {
        "a": ("conditional", "restricted"),
        "b": ("unconditional", "unrestricted"),
        "c": ("conditional", "restricted"),
        "d": ("unconditional", "unrestricted"),
        "e": ("unconditional", "unrestricted"),
        "f": ("conditional", "restricted"),
        "g": ("unconditional", "unrestricted"),
        "h": ("unconditional", "unrestricted"),
        "i": ("", ""),
    }


@pytest.mark.parametrize(
    "headers",
    [
        ("Condicionalidad", "Restricción"),
        ("condicionalidade", "restrição"),
        ("Con/sin condiciones", "Con/sin restricción"),
        ("Conditional/Unconditional", "Restricted/Unrestricted"),
    ],
)
def test_the_columns_are_found_under_the_names_partners_give_them(tmp_path, capsys, orgs, headers):
    # given a file naming the two columns in Spanish, Portuguese or both ways
    header = [{"conditionality": headers[0], "restriction": headers[1]}.get(h, h) for h in HEADER]
    row = cash(conditionality="condicional", restriction="libre")
    # when
    out = run_cli(tmp_path, capsys, [header, [row[h] for h in HEADER]])
    # then
    assert out["errors"] == [] and out["imported"] == 1
    assert ActivityRow.objects.values_list("conditionality", "restriction").get() == (
        "conditional",
        "unrestricted",
    )


def test_unknown_terms_name_row_column_and_value_and_write_nothing(tmp_path, capsys, orgs):
    # given a good row, then one of each unknown value
    rows = [
        cash(activity="fine", conditionality="conditional", restriction="restricted"),
        cash(activity="x", conditionality="a veces"),
        cash(activity="y", restriction="casi libre"),
    ]
    # when
    with translation.override("en"):
        out = run_cli(tmp_path, capsys, as_rows(*rows), "--language", "en", expect_exit=1)
    # then
    assert [(e["row"], e["column"], e["code"], e["value"]) for e in out["errors"]] == [
        (3, "conditionality", "unknown_conditionality", "a veces"),
        (4, "restriction", "unknown_restriction", "casi libre"),
    ]
    assert out["errors"][0]["message"] == (
        "“a veces” is not a conditionality (conditional, unconditional)."
    )
    assert out["errors"][1]["message"] == (
        "“casi libre” is not a restriction (restricted, unrestricted)."
    )
    assert not ActivityRow.objects.exists()


def test_a_row_of_another_modality_may_give_the_terms_and_they_are_checked(tmp_path, capsys, orgs):
    # as with delivery_mechanism: read on any row, never required on a cva row
    out = run_cli(
        tmp_path,
        capsys,
        as_rows(
            good_row(activity="service", conditionality="condicional"),
            cash(activity="bare cash"),
        ),
    )
    assert out["errors"] == [] and out["imported"] == 2
    assert dict(ActivityRow.objects.values_list("activity", "conditionality")) == {
        "service": "conditional",
        "bare cash": "",
    }
    bad = run_cli(
        tmp_path, capsys, as_rows(good_row(activity="other", restriction="x")), expect_exit=1
    )
    assert [(e["column"], e["code"]) for e in bad["errors"]] == [
        ("restriction", "unknown_restriction")
    ]


def test_reimporting_a_row_with_another_conditionality_updates_it(tmp_path, capsys, orgs):
    # given a cash row imported as unconditional and unrestricted
    run_cli(
        tmp_path,
        capsys,
        as_rows(cash(conditionality="unconditional", restriction="unrestricted")),
    )
    row = ActivityRow.objects.get()
    # when the same row comes again, now conditional (in Spanish)
    out = run_cli(
        tmp_path,
        capsys,
        as_rows(cash(conditionality="condicionada", restriction="unrestricted")),
    )
    # then the row is updated in place, with its history
    assert (out["imported"], out["updated"], out["unchanged"]) == (0, 1, 0)
    assert ActivityRow.objects.get().pk == row.pk
    assert ActivityRow.objects.values_list("conditionality", "restriction").get() == (
        "conditional",
        "unrestricted",
    )
    change = RowChange.objects.get(row=row)
    assert change.changes["conditionality"] == ["unconditional", "conditional"]
    assert "restriction" not in change.changes
    # and the same file once more changes nothing
    again = run_cli(
        tmp_path,
        capsys,
        as_rows(cash(conditionality="conditional", restriction="sin restricciones")),
    )
    assert (again["imported"], again["updated"], again["unchanged"]) == (0, 0, 1)


def test_the_restriction_alone_changing_updates_the_row(tmp_path, capsys, orgs):
    run_cli(tmp_path, capsys, as_rows(cash(restriction="unrestricted")))
    out = run_cli(tmp_path, capsys, as_rows(cash(restriction="restringido")))
    assert (out["imported"], out["updated"]) == (0, 1)
    assert ActivityRow.objects.values_list("restriction", flat=True).get() == "restricted"


@pytest.fixture
def cash_rows(tmp_path, capsys, orgs):
    run_cli(
        tmp_path,
        capsys,
        as_rows(
            cash(activity="mpc", conditionality="unconditional", restriction="unrestricted"),
            cash(activity="voucher", conditionality="conditional", restriction="restricted"),
        ),
    )
    return ActivityRow.objects.all()


def test_the_export_carries_the_terms_and_imports_again_unchanged(
    client, cash_rows, make_user, tmp_path, capsys
):
    client.force_login(make_user("regional-admin", "region"))
    # the CSV export
    content = client.get(reverse("reporting:export", args=["csv"])).content.decode("utf-8-sig")
    table = list(csv.DictReader(io.StringIO(content)))
    assert {r["activity"]: (r["conditionality"], r["restriction"]) for r in table} == {
        "mpc": ("unconditional", "unrestricted"),
        "voucher": ("conditional", "restricted"),
    }
    # the HXL export, with its hashtags
    hxl_content = client.get(reverse("reporting:export", args=["hxl"])).content
    dataset = hxl.data(
        io.BytesIO(hxl_content.decode("utf-8-sig").encode("utf-8")),
        hxl.input.InputOptions(allow_local=True),
    )
    values = {
        row.get("#activity+description"): (
            row.get("#modality+conditionality"),
            row.get("#modality+restriction"),
        )
        for row in dataset
    }
    assert values["voucher"] == ("conditional", "restricted")
    # the exported file imported again changes nothing
    path = tmp_path / "export.csv"
    path.write_bytes(content.encode("utf-8"))
    call_command("import_data", "5w", str(path), "--format", "json")
    out = json.loads(capsys.readouterr().out)
    assert (out["errors"], out["updated"], out["unchanged"]) == ([], 0, 2)


def test_the_api_reads_and_takes_the_terms(cash_rows, make_user):
    api = APIClient()
    api.force_authenticate(make_user("partner-reporter", "organisation:ORGA"))
    listed = api.get("/api/5w/rows/").json()["results"]
    assert {r["activity"]: (r["conditionality"], r["restriction"]) for r in listed} == {
        "mpc": ("unconditional", "unrestricted"),
        "voucher": ("conditional", "restricted"),
    }
    # submitting a row with the terms spelt in Portuguese
    body = api.post(
        "/api/5w/rows/",
        {"rows": [cash(activity="pt", conditionality="incondicional", restriction="restrita")]},
        format="json",
    ).json()
    assert body["imported"] == 1, body
    row = ActivityRow.objects.get(activity="pt")
    assert api.get(f"/api/5w/rows/{row.pk}/").json()["restriction"] == "restricted"
    assert row.conditionality == "unconditional"
    # and an unknown value refused with its code
    refused = api.post(
        "/api/5w/rows/", {"rows": [cash(activity="z", conditionality="maybe")]}, format="json"
    )
    assert refused.status_code == 400
    error = refused.json()["error"]
    assert error["code"] == "rows_rejected"
    assert [(e["row"], e["column"], e["code"]) for e in error["detail"]["errors"]] == [
        (1, "conditionality", "unknown_conditionality")
    ]
    assert not ActivityRow.objects.filter(activity="z").exists()


def test_the_row_form_offers_the_codes_and_stores_one(client, orgs, make_user):
    client.force_login(make_user("partner-reporter", "organisation:ORGA"))
    # the form offers the codes with translated labels
    page = client.get(reverse("reporting:row_new"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<select name="conditionality"' in page and '<select name="restriction"' in page
    assert '<option value="unconditional">Unconditional</option>' in page
    assert '<option value="restricted">Restricted</option>' in page
    # a row saved with codes
    data = {**cash(conditionality="conditional", restriction="restricted"), "status": "draft"}
    response = client.post(reverse("reporting:row_new"), data)
    assert response.status_code == 302
    row = ActivityRow.objects.get()
    assert (row.conditionality, row.restriction) == ("conditional", "restricted")
    # the edit page shows the stored codes selected, and a change is saved
    edit = client.get(reverse("reporting:row_edit", args=[row.pk])).content.decode()
    assert '<option value="conditional" selected>' in edit
    client.post(
        reverse("reporting:row_edit", args=[row.pk]), {**data, "restriction": "unrestricted"}
    )
    row.refresh_from_db()
    assert (row.conditionality, row.restriction) == ("conditional", "unrestricted")
    # a value outside the list is refused by the form
    bad = client.post(reverse("reporting:row_new"), {**data, "activity": "b", "restriction": "x"})
    assert bad.status_code == 200 and ActivityRow.objects.count() == 1


def test_the_template_lists_the_codes_of_the_cash_columns(client, orgs, make_user):
    client.force_login(make_user("partner-reporter", "organisation:ORGA"))
    response = client.get(reverse("reporting:template", args=["COL"]))
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet, lists = workbook["5W"], workbook["lists"]
    validations = {
        str(v.sqref).split(":")[0]: v.formula1 for v in sheet.data_validations.dataValidation
    }

    def listed(column: str) -> list[str]:
        letter = openpyxl.utils.get_column_letter(HEADER.index(column) + 1)
        cells = validations[f"{letter}2"].lstrip("=").split("!")[1].replace("$", "")
        return [c.value for row in lists[cells] for c in row]

    assert listed("conditionality") == ["conditional", "unconditional"]
    assert listed("restriction") == ["restricted", "unrestricted"]
    assert "mobile-money" in listed("delivery_mechanism")


def test_a_csv_with_the_terms_uploads_through_the_page(client, orgs, make_user):
    client.force_login(make_user("partner-reporter", "organisation:ORGA"))
    upload = io.BytesIO(
        csv_bytes(as_rows(cash(conditionality="Sin condiciones", restriction="Restringida")))
    )
    upload.name = "5w.csv"
    response = client.post(
        reverse("reporting:upload"),
        {"file": upload, "policy": "reject-file", "status": "submitted"},
    )
    assert response.status_code == 302
    assert ActivityRow.objects.values_list("conditionality", "restriction").get() == (
        "unconditional",
        "restricted",
    )
