"""Many plan entries at once: the template with its drop-down lists, its upload on the
plan's page, and `puente import plan-entries FILE`, all or nothing."""

import io
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse

from puente.core.testing import run_import
from puente.partners.models import Organisation
from puente.plans.models import Plan, PlanEntry
from puente.plans.services.review import plan_entry_review
from puente.reference.models import Country

pytestmark = pytest.mark.django_db

HEADER = [
    "plan",
    "organisation",
    "country",
    "sector",
    "year",
    "requirement_usd",
    "activities",
    "status",
    "target_in-destination",
    "target_in-transit",
]


@pytest.fixture
def rmrp(db):
    plan = Plan.objects.create(
        code="rmrp-2025-2026",
        name_en="RMRP 2025-2026",
        kind="inter-agency",
        start_year=2025,
        end_year=2026,
    )
    plan.countries.set(Country.objects.filter(iso3__in=["COL", "ECU"]))
    for acronym in ("LOCAL", "OTHER"):
        org = Organisation.objects.create(
            name=acronym, acronym=acronym, type="national-ngo", appealing=True
        )
        org.countries.set(Country.objects.filter(iso3__in=["COL", "ECU"]))
    return plan


def row(country="COL", sector="HEA", year=2025, usd="1,500.50", status="draft", org="LOCAL"):
    return ["rmrp-2025-2026", org, country, sector, year, usd, "Kits", status, 300, ""]


def test_the_command_writes_every_row_or_none(rmrp, tmp_path, capsys):
    rows = [HEADER, row(), row(country="Ecuador", sector="FSC", usd="200", status="enviado")]
    out = run_import(tmp_path, capsys, "plan-entries", rows)
    assert (out["imported"], out["errors"]) == (2, [])
    entries = {(e.country.iso3, e.sector.code): e for e in PlanEntry.objects.all()}
    assert entries[("COL", "HEA")].requirement_usd == Decimal("1500.50")
    assert entries[("COL", "HEA")].status == "draft"
    assert entries[("ECU", "FSC")].status == "submitted"
    assert {t.population_group.code: t.people for t in entries[("COL", "HEA")].targets.all()} == {
        "in-destination": 300
    }
    # a file with one refused row writes none of its rows, and names the row and column
    rows = [HEADER, row(usd="9"), row(year=2030), row(sector="XYZ"), row(usd="-5")]
    out = run_import(tmp_path, capsys, "plan-entries", rows, ok=False)
    assert sorted((e["row"], e["column"], e["code"]) for e in out["errors"]) == [
        (3, "year", "year_outside_plan"),
        (4, "sector", "unknown_sector"),
        (5, "requirement_usd", "negative_amount"),
    ]
    assert PlanEntry.objects.get(country__iso3="COL").requirement_usd == Decimal("1500.50")


def test_an_approved_entry_and_a_twice_given_row_are_refused(rmrp, tmp_path, capsys, make_user):
    run_import(tmp_path, capsys, "plan-entries", [HEADER, row(status="submitted")])
    entry = PlanEntry.objects.get()
    coordinator = make_user("sector-coordinator", "sector:COL/HEA")
    plan_entry_review(acting_user=coordinator, entry=entry, decision="approved")
    out = run_import(tmp_path, capsys, "plan-entries", [HEADER, row(usd="1")], ok=False)
    assert [(e["row"], e["column"], e["code"]) for e in out["errors"]] == [
        (2, "status", "entry_approved")
    ]
    out = run_import(
        tmp_path, capsys, "plan-entries", [HEADER, row(sector="FSC"), row(sector="FSC")], ok=False
    )
    assert [(e["row"], e["code"]) for e in out["errors"]] == [(3, "duplicate_row")]
    entry.refresh_from_db()
    assert (entry.requirement_usd, entry.status) == (Decimal("1500.50"), "approved")
    assert PlanEntry.objects.count() == 1


def test_the_template_and_its_upload_on_the_plan_page(rmrp, client, make_user):
    reporter = make_user("partner-reporter", "organisation:LOCAL")
    client.force_login(reporter)
    response = client.get(reverse("plans:entries_template", args=[rmrp.code]))
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = book.worksheets[0]
    header = [c.value for c in sheet[1]]
    assert header[:8] == HEADER[:8]
    assert {"target_in-destination", "target_in-transit"} <= set(header)
    # the lists offer the reporter's organisation only, and the plan's countries
    lists = book["lists"]
    columns = {col[0].value: [c.value for c in col[1:] if c.value] for col in lists.iter_cols()}
    assert columns["organisation"] == ["LOCAL"]
    assert columns["country"] == ["COL", "ECU"]
    assert columns["year"] == ["2025", "2026"]
    assert any("lists!$B$2" in v.formula1 for v in sheet.data_validations.dataValidation)

    # the partner fills two rows and uploads the file
    values = {name: i for i, name in enumerate(header)}
    for number, (country, usd) in enumerate([("COL", 100), ("ECU", 250)], start=2):
        for name, value in {
            "plan": rmrp.code,
            "organisation": "LOCAL",
            "country": country,
            "sector": "HEA",
            "year": 2025,
            "requirement_usd": usd,
            "status": "submitted",
            "target_in-transit": 12,
        }.items():
            sheet.cell(row=number, column=values[name] + 1, value=value)
    filled = io.BytesIO()
    book.save(filled)
    filled.seek(0)
    filled.name = "entries.xlsx"
    page = client.post(
        reverse("plans:entries_upload", args=[rmrp.code]),
        {"file": filled, "import_kind": "plan-entries"},
    )
    assert page.status_code == 200
    assert PlanEntry.objects.filter(status="submitted").count() == 2
    assert sum(e.requirement_usd for e in PlanEntry.objects.all()) == Decimal("350")

    # a row for an organisation the partner does not write for: refused, nothing written
    other = io.BytesIO()
    from puente.core.testing import csv_bytes

    other.write(csv_bytes([HEADER, row(org="OTHER", country="ECU", sector="FSC")]))
    other.seek(0)
    other.name = "other.csv"
    page = client.post(
        reverse("plans:entries_upload", args=[rmrp.code]),
        {"file": other, "import_kind": "plan-entries"},
    )
    text = page.content.decode()
    assert "You may not write entries of OTHER in Ecuador for the sector FSC." in text
    assert PlanEntry.objects.count() == 2


def test_the_upload_page_opens_to_those_who_write_entries(rmrp, client, make_user):
    client.force_login(make_user("partner-viewer", "organisation:LOCAL"))
    assert client.get(reverse("plans:entries_upload", args=[rmrp.code])).status_code == 403
    assert client.get(reverse("plans:entries_template", args=[rmrp.code])).status_code == 403
    client.force_login(make_user("partner-reporter", "organisation:LOCAL"))
    assert client.get(reverse("plans:entries_upload", args=[rmrp.code])).status_code == 200
    assert client.get(reverse("plans:entries_upload", args=["nope"])).status_code == 404
