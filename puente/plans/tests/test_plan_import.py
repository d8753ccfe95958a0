"""Loading a plan from a file: the seed appeal, the plan's rules, and bad input."""

import json
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse

from puente.core.testing import run_import
from puente.plans.models import ActivityArea, AreaRequirement, Plan
from puente.plans.selectors import plan_default_year, plan_summary
from puente.plans.tests.conftest import SEED

pytestmark = pytest.mark.django_db

HEADER = [
    "plan",
    "plan_name",
    "plan_kind",
    "organisation",
    "start_year",
    "end_year",
    "countries",
    "status",
    "objective",
    "objective_title",
    "activity_area",
    "activity_area_name",
    "priority",
    "sector",
    "planned_activities",
    "year",
    "country",
    "requirement_usd",
    "people_targeted",
]
HEAD = ["demo-appeal", "Demo appeal", "agency", "IOM", 2025, 2026, "COL; ECU", "published"]


def line(objective, area, name, priority, sector, year, country, usd, people=""):
    return [
        *HEAD,
        objective,
        f"Objective {objective}",
        area,
        name,
        priority,
        sector,
        "",
        year,
        country,
        usd,
        people,
    ]


def test_the_seed_appeal_is_reproduced(seed_appeal, capsys):
    # then the plan holds IOM's published 2025 figures
    plan = seed_appeal
    assert (plan.kind, plan.organisation.acronym, plan.status) == ("agency", "IOM", "published")
    assert (plan.start_year, plan.end_year, plan.countries.count()) == (2025, 2026, 17)
    summary = plan_summary(plan, year=2025)
    assert summary["requirement_usd"] == Decimal("516950391")
    assert summary["people_targeted"] == 1297760
    assert [o["objective"].number for o in summary["objectives"]] == [1, 2, 3]
    areas = ActivityArea.objects.filter(plan=plan)
    assert areas.count() == 16
    assert set(areas.filter(priority=True).values_list("code", flat=True)) == {
        "basic-needs",
        "health",
        "livelihoods",
        "protection",
        "regular-pathways",
    }
    assert sum(r["requirement_usd"] for r in summary["countries"]) == Decimal("516950391")
    assert plan_default_year(plan) == 2025
    # the names and planned activities exist in the three languages
    health = areas.get(code="health")
    assert health.name_es and health.name_pt and health.planned_activities_pt
    assert health.sector.code == "HEA"


def test_loading_a_plan_again_replaces_its_areas(seed_appeal, capsys):
    capsys.readouterr()
    call_command("import_data", "plan", str(SEED), "--format", "json")
    report = json.loads(capsys.readouterr().out)
    assert (report["imported"], report["updated"], report["errors"]) == (0, 1, [])
    assert Plan.objects.count() == 1
    assert ActivityArea.objects.count() == 16
    assert AreaRequirement.objects.count() == 16 * 17


def test_a_small_plan_with_regional_lines(iom, tmp_path, capsys):
    rows = [
        HEADER,
        line(1, "health", "Health", "yes", "HEA", 2025, "COL", "1,000.50", 300),
        line(1, "health", "Health", "", "HEA", 2025, "ECU", "500", 100),
        line(2, "policy", "Policy support", "no", "", 2025, "", "250"),
        line(2, "policy", "Policy support", "no", "", 2026, "COL", "99", 300),
    ]
    out = run_import(tmp_path, capsys, "plan", rows)
    assert out["errors"] == []
    plan = Plan.objects.get(code="demo-appeal")
    summary = plan_summary(plan, year=2025)
    assert summary["requirement_usd"] == Decimal("1750.50")
    assert summary["people_targeted"] == 400
    assert summary["priority_requirement_usd"] == Decimal("1500.50")
    regional = [r for r in summary["countries"] if r["country"] is None]
    assert regional[0]["requirement_usd"] == Decimal("250")
    assert plan_summary(plan, year=2026)["requirement_usd"] == Decimal("99")


@pytest.mark.parametrize(
    "bad,code,column",
    [
        (
            line(1, "health", "Health", "yes", "HEA", 2025, "PER", "10"),
            "country_outside_plan",
            "country",
        ),
        (
            line(1, "health", "Health", "yes", "HEA", 2025, "COL", "-10"),
            "negative_amount",
            "requirement_usd",
        ),
        (line(1, "health", "Health", "yes", "HEA", 2027, "COL", "10"), "year_outside_plan", "year"),
        (line(1, "other", "Other", "yes", "XXX", 2025, "COL", "10"), "unknown_sector", "sector"),
        (
            line(1, "other", "Other", "maybe", "HEA", 2025, "COL", "10"),
            "invalid_yes_no",
            "priority",
        ),
        (
            line(1, "health", "Salud", "yes", "HEA", 2025, "ECU", "10"),
            "plan_mismatch",
            "activity_area_name",
        ),
        (
            line(1, "other", "Other", "no", "HEA", 2025, "COL", "10", 999),
            "plan_mismatch",
            "people_targeted",
        ),
        (
            line(1, "health", "Health", "yes", "HEA", 2025, "COL", "10"),
            "duplicate_row",
            "requirement_usd",
        ),
    ],
)
def test_bad_rows_are_named_and_nothing_is_written(iom, tmp_path, capsys, bad, code, column):
    good = line(1, "health", "Health", "yes", "HEA", 2025, "COL", "1000", 300)
    out = run_import(tmp_path, capsys, "plan", [HEADER, good, bad], ok=False)
    assert [(e["row"], e["column"], e["code"]) for e in out["errors"]] == [(3, column, code)]
    assert Plan.objects.count() == 0


def test_a_new_plan_needs_its_own_columns(iom, tmp_path, capsys):
    rows = [
        ["plan", "year", "activity_area", "activity_area_name", "requirement_usd"],
        ["x", 2025, "a", "A", 1],
    ]
    out = run_import(tmp_path, capsys, "plan", rows, ok=False)
    assert {e["column"] for e in out["errors"]} >= {
        "plan_name",
        "start_year",
        "end_year",
        "countries",
    }
    assert {e["code"] for e in out["errors"]} == {"missing_required"}


def test_dry_run_writes_nothing(iom, capsys):
    call_command("import_data", "plan", str(SEED), "--dry-run", "--format", "json")
    assert json.loads(capsys.readouterr().out)["errors"] == []
    assert Plan.objects.count() == 0


def test_the_plan_names_its_source_and_whether_its_split_is_illustrative(
    iom, tmp_path, capsys, client
):
    # a plan file gives its source once and says its split is illustrative (in Spanish)
    header = [*HEADER, "fuente", "desglose"]
    first = [*line(1, "health", "Health", "yes", "HEA", 2025, "COL", "1000", 300)]
    rows = [
        header,
        [*first, "Appeal document, 2024", "ilustrativo"],
        [*line(1, "health", "Health", "yes", "HEA", 2025, "ECU", "500", 100), "", ""],
    ]
    assert run_import(tmp_path, capsys, "plan", rows)["errors"] == []
    plan = Plan.objects.get(code="demo-appeal")
    assert (plan.source, plan.split) == ("Appeal document, 2024", Plan.Split.ILLUSTRATIVE)
    # the public page names the source of the figures and says the split is illustrative
    page = client.get(reverse("public-plan", args=[plan.code])).content.decode()
    assert "Funding required and people targeted: Appeal document, 2024." in page
    assert 'id="plan-split-illustrative"' in page
    assert "Funded: no contribution recorded for this year." in page
    # loading the plan again without the two columns keeps them
    assert run_import(tmp_path, capsys, "plan", [HEADER, first])["errors"] == []
    plan.refresh_from_db()
    assert (plan.source, plan.split) == ("Appeal document, 2024", Plan.Split.ILLUSTRATIVE)
    # a split that is neither published nor illustrative is refused where it is written
    rows = [header, [*first, "", "rough"]]
    out = run_import(tmp_path, capsys, "plan", rows, ok=False)
    assert [(e["row"], e["column"], e["code"]) for e in out["errors"]] == [
        (2, "split", "invalid_split")
    ]
    plan.refresh_from_db()
    assert plan.split == Plan.Split.ILLUSTRATIVE


def test_the_seed_appeal_says_its_country_split_is_illustrative(seed_appeal, client):
    assert seed_appeal.split == Plan.Split.ILLUSTRATIVE
    assert seed_appeal.source.startswith("IOM appeal for the RMRP 2025-2026")
    page = client.get(reverse("public-plan", args=[seed_appeal.code])).content.decode()
    assert 'id="plan-split-illustrative"' in page
    assert "IOM appeal for the RMRP 2025-2026" in page
