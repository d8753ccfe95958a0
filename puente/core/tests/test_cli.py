import io
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

from puente.cli import command_name
from puente.core.testing import csv_bytes


def test_cli_spellings_map_to_management_commands():
    assert command_name("load-reference") == "load_reference"
    assert command_name("import") == "import_data"
    assert command_name("migrate") == "migrate"


def _puente_script() -> str:
    script = Path(sys.executable).parent / "puente"
    found = str(script) if script.exists() else shutil.which("puente")
    if not found:
        pytest.fail("the `puente` console script is not installed (make install)")
    return found


def test_console_script_runs_django_and_puente_commands():
    result = subprocess.run([_puente_script(), "help"], capture_output=True, text=True, check=True)
    for name in ("load-reference", "import", "create-user", "demo-data", "migrate"):
        assert name in result.stdout
    result = subprocess.run(
        [_puente_script(), "import", "--help"], capture_output=True, text=True, check=True
    )
    assert (
        "{5w,flows-counts,flows-points,funding,indicators,needs,partners,pin,plan,plan-entries,population,rates,targets}"
        in (result.stdout)
    )


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    """`puente ARGV...` through the console script's entry point: (exit status, out, err)."""
    from puente.cli import main

    status = 0
    try:
        main(["puente", *argv])
    except SystemExit as exc:
        status = exc.code if isinstance(exc.code, int) else 1
    captured = capsys.readouterr()
    return status, captured.out, captured.err


@pytest.mark.parametrize(
    "argv",
    [
        ("help", "people-reached"),
        ("help", "people_reached"),
        ("people-reached", "--help"),
        ("people_reached", "--help"),
    ],
)
def test_command_help_takes_both_spellings(capsys, argv):
    status, out, err = _run(capsys, *argv)
    assert status == 0, err
    assert "Did you mean" not in err
    assert "--through" in out


def test_help_for_import_uses_the_readme_spelling(capsys):
    status, out, _err = _run(capsys, "help", "import")
    assert status == 0
    assert (
        "{5w,flows-counts,flows-points,funding,indicators,needs,partners,pin,plan,plan-entries,population,rates,targets}"
        in out
    )


@pytest.mark.parametrize("argv", [(), ("help",), ("--help",), ("-h",)])
def test_main_help_lists_puentes_commands_by_area_first(capsys, argv):
    status, out, _err = _run(capsys, *argv)
    assert status == 0
    assert "startapp" not in out and "squashmigrations" not in out
    lines = out.splitlines()
    for area in ("Data in:", "Figures:", "Users:", "Running:"):
        assert area in lines
    people_reached = next(line for line in lines if line.split()[:1] == ["people-reached"])
    assert "People reached without double counting" in people_reached
    assert lines.index("Figures:") < lines.index(people_reached)
    assert "help --django" in lines[-1]


def test_every_puente_command_is_in_the_main_help(capsys):
    from django.core.management import get_commands

    from puente.cli import command_spelling

    _status, out, _err = _run(capsys, "help")
    listed = {line.split()[0] for line in out.splitlines() if line.startswith("  ")}
    for name, app in get_commands().items():
        if app.startswith("puente"):
            assert command_spelling(name) in listed


def test_django_help_lists_every_command(capsys):
    status, out, _err = _run(capsys, "help", "--django")
    assert status == 0
    assert "startapp" in out and "people_reached" in out


def test_unknown_command_suggests_the_hyphen_spelling(capsys):
    status, _out, err = _run(capsys, "people-reachd")
    assert status == 1
    assert "Did you mean people-reached?" in err


@pytest.mark.django_db
def test_unknown_plan_lists_the_plan_codes(capsys):
    from django.core.management.base import CommandError

    from puente.plans.models import Plan

    for code in ("rmrp-2025-2026", "iom-2025"):
        Plan.objects.create(
            code=code, name_en=code, kind="inter-agency", start_year=2025, end_year=2026
        )
    with pytest.raises(CommandError) as exc_info:
        call_command("funding_summary", "--plan", "IOM")
    assert "Unknown plan IOM" in str(exc_info.value)
    assert "iom-2025, rmrp-2025-2026" in str(exc_info.value)


@pytest.mark.django_db
def test_file_level_errors_have_no_stray_prefix(tmp_path, capsys):
    path = tmp_path / "partners.csv"
    path.write_bytes(b"")
    with pytest.raises(SystemExit):
        call_command("import_data", "partners", str(path))
    lines = capsys.readouterr().err.splitlines()
    assert lines, "nothing was reported"
    assert not any(line.startswith(":") for line in lines)
    assert lines[-1] == "1 error: nothing was written."


PARTNER_HEADER = ["name", "acronym", "type", "migrant_led", "women_led", "countries", "appealing"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("count", "expected"),
    [(1, "1 row read: 1 created, 0 updated."), (2, "2 rows read: 2 created, 0 updated.")],
)
def test_row_counts_read_in_the_singular_and_plural(tmp_path, capsys, count, expected):
    rows = [[f"Org {n}", f"ORG{n}", "national-ngo", "no", "no", "COL", "yes"] for n in range(count)]
    path = tmp_path / "partners.csv"
    path.write_bytes(csv_bytes([PARTNER_HEADER, *rows]))
    call_command("import_data", "partners", str(path))
    assert capsys.readouterr().out.strip() == expected


@pytest.mark.django_db
def test_row_errors_keep_their_place(tmp_path, capsys):
    rows = [PARTNER_HEADER, ["Org", "ORG", "no-such-type", "no", "no", "COL", "yes"]]
    path = tmp_path / "partners.csv"
    path.write_bytes(csv_bytes(rows))
    with pytest.raises(SystemExit):
        call_command("import_data", "partners", str(path))
    assert capsys.readouterr().err.startswith("row 2, column type: ")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        (1, "1 row checked, no errors."),
        (2, "2 rows checked, no errors."),
    ],
)
def test_web_import_report_counts_rows_in_the_singular_and_plural(
    client, make_user, settings, tmp_path, rows, expected
):
    settings.MEDIA_ROOT = tmp_path / "media"
    # exchange rates apply to the whole region: a regional role imports them
    client.force_login(make_user("regional-admin", "region"))
    upload = io.BytesIO(
        csv_bytes(
            [["currency", "valid_from", "usd_per_unit"]]
            + [["COP", f"2025-0{n + 1}-01", "0.00025"] for n in range(rows)]
        )
    )
    upload.name = "rates.csv"
    response = client.post(
        reverse("funding:funding"), {"import_kind": "rates", "file": upload, "dry_run": "on"}
    )
    assert response.status_code == 200
    assert expected in response.content.decode()
