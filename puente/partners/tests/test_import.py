import json

import pytest
from django.core.management import call_command
from django.utils import translation

from puente.core.models import AuditRecord
from puente.core.testing import csv_bytes, xlsx_bytes
from puente.partners.models import Organisation
from puente.partners.services import organisations_import

pytestmark = pytest.mark.django_db

HEADER = ["name", "acronym", "type", "migrant_led", "women_led", "countries", "appealing"]


def import_cli(tmp_path, capsys, content: bytes, name: str = "partners.csv", expect_ok=True):
    path = tmp_path / name
    path.write_bytes(content)
    if expect_ok:
        call_command("import_data", "partners", str(path), "--format", "json")
    else:
        with pytest.raises(SystemExit) as exit_info:
            call_command("import_data", "partners", str(path), "--format", "json")
        assert exit_info.value.code == 1
    return json.loads(capsys.readouterr().out)


def label(org_type, language):
    with translation.override(language):
        text = str(Organisation.Type(org_type).label)
    assert language == "en" or text != str(Organisation.Type(org_type).label), "untranslated"
    return text.upper() if language == "es" else text


def test_imports_partners_with_types_in_three_languages(tmp_path, capsys):
    rows = [
        HEADER,
        ["Fundación Horizonte", "FH", label("national-ngo", "es"), "no", "sí", "COL;ECU", "sí"],
        ["Red Venezolana", "RV", "refugee-migrant-led", "yes", "yes", "PER", "yes"],
        [
            "Instituto Travessia",
            "IT",
            label("refugee-migrant-led", "pt"),
            "sim",
            "não",
            "BRA",
            "sim",
        ],
        ["Global Aid", "GA", "International NGO", "", "", "COL; PER; BRA", "no"],
    ]
    out = import_cli(tmp_path, capsys, xlsx_bytes(rows), "partners.xlsx")
    assert out == {
        "rows": 4,
        "imported": 4,
        "updated": 0,
        "unchanged": 0,
        "errors": [],
        "warnings": [],
    }
    fh = Organisation.objects.get(acronym="FH")
    assert (fh.type, fh.women_led, fh.appealing) == ("national-ngo", True, True)
    assert set(fh.countries.values_list("iso3", flat=True)) == {"COL", "ECU"}
    assert Organisation.objects.get(acronym="IT").type == "refugee-migrant-led"
    assert Organisation.objects.get(acronym="IT").migrant_led is True
    assert Organisation.objects.get(acronym="GA").countries.count() == 3
    assert AuditRecord.objects.filter(action="organisation.create").count() == 4


def test_a_second_import_updates_by_acronym(tmp_path, capsys):
    rows = [HEADER, ["Fundación Horizonte", "FH", "national-ngo", "no", "no", "COL", "yes"]]
    import_cli(tmp_path, capsys, csv_bytes(rows))
    rows[1] = ["Fundación Horizonte Nuevo", "fh", "national-ngo", "no", "yes", "COL;PER", "yes"]
    out = import_cli(tmp_path, capsys, csv_bytes(rows, delimiter=";"))
    assert (out["imported"], out["updated"]) == (0, 1)
    org = Organisation.objects.get(acronym="FH")
    assert org.name == "Fundación Horizonte Nuevo" and org.women_led
    assert set(org.countries.values_list("iso3", flat=True)) == {"COL", "PER"}
    out = import_cli(tmp_path, capsys, csv_bytes(rows))
    assert (out["imported"], out["updated"]) == (0, 0)


@pytest.mark.parametrize(
    "row,code,column",
    [
        (["", "X", "national-ngo", "no", "no", "COL", "yes"], "missing_required", "name"),
        (["N", "X", "cooperative", "no", "no", "COL", "yes"], "unknown_type", "type"),
        (["N", "X", "national-ngo", "maybe", "no", "COL", "yes"], "invalid_yes_no", "migrant_led"),
        (["N", "X", "national-ngo", "no", "no", "COL;VEN", "yes"], "unknown_country", "countries"),
        (
            ["N", "X", "refugee-migrant-led", "no", "no", "COL", "yes"],
            "type_contradicts_flag",
            "migrant_led",
        ),
    ],
)
def test_bad_rows_are_named_and_nothing_is_written(tmp_path, capsys, row, code, column):
    good = ["Good", "GOOD", "national-ngo", "no", "no", "COL", "yes"]
    out = import_cli(tmp_path, capsys, csv_bytes([HEADER, good, row]), expect_ok=False)
    assert [(e["row"], e["column"], e["code"]) for e in out["errors"]] == [(3, column, code)]
    assert out["imported"] == 0
    assert not Organisation.objects.exists()


def test_duplicate_acronym_in_one_file(tmp_path, capsys):
    rows = [
        HEADER,
        ["A", "DUP", "ingo", "no", "no", "COL", "yes"],
        ["B", "dup", "ingo", "no", "no", "PER", "yes"],
    ]
    out = import_cli(tmp_path, capsys, csv_bytes(rows), expect_ok=False)
    assert [(e["row"], e["code"]) for e in out["errors"]] == [(3, "duplicate_row")]


@pytest.mark.parametrize(
    "content,name,code",
    [
        (b"", "p.csv", "empty_file"),
        ("name,acronym\n".encode("utf-16"), "p.csv", "unreadable_file"),
        (b"name,acronym,type,countries\n", "p.csv", "empty_file"),
        (b"name,acronym,countries\nA,B,COL\n", "p.csv", "missing_header"),
        (b"not a workbook", "p.xlsx", "not_a_workbook"),
        (b"\x00\x01\x02junk" * 10000, "p.csv", "unreadable_file"),
    ],
)
def test_unreadable_partner_files(content, name, code):
    report = organisations_import(source=content, filename=name)
    assert code in [e.code for e in report.errors]
    assert not Organisation.objects.exists()
