import json

import pytest
from django.core.management import call_command

from puente.core.testing import csv_bytes, xlsx_bytes
from puente.reference.models import Indicator
from puente.reference.services import indicators_import

pytestmark = pytest.mark.django_db

HEADER = ["code", "sector", "subsector", "name_en", "name_es", "name_pt", "unit", "counts_people"]


def run(tmp_path, capsys, content: bytes, name: str = "indicators.csv", *extra: str):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(SystemExit) if _expect_failure(content) else _nothing():
        call_command("import_data", "indicators", str(path), "--format", "json", *extra)
    return json.loads(capsys.readouterr().out)


class _nothing:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def _expect_failure(content: bytes) -> bool:
    return b"BAD" in content


def test_adds_and_updates_indicators_named_in_any_language(tmp_path, capsys):
    # given sectors as code, Spanish and Portuguese names and yes/no in three languages
    rows = [
        HEADER,
        [
            "EDU-99",
            "Educación",
            "",
            "Teachers paid",
            "Docentes pagados",
            "Professores pagos",
            "people",
            "sí",
        ],
        [
            "PRO-CP-99",
            "Proteção",
            "Protección de la Niñez",
            "Child cases",
            "Casos",
            "Casos",
            "cases",
            "não",
        ],
        ["HEA-01", "HEA", "", "Changed name", "Nombre", "Nome", "people", "yes"],
    ]
    # when
    out = run(tmp_path, capsys, csv_bytes(rows))
    # then
    assert out == {
        "rows": 3,
        "imported": 2,
        "updated": 1,
        "unchanged": 0,
        "errors": [],
        "warnings": [],
    }
    child = Indicator.objects.get(code="PRO-CP-99")
    assert child.sector.code == "PRO" and child.subsector.code == "PRO-CP"
    assert child.counts_people is False
    assert Indicator.objects.get(code="EDU-99").counts_people is True
    assert Indicator.objects.get(code="HEA-01").name_en == "Changed name"


def test_reads_xlsx_and_semicolon_latin1_csv(tmp_path, capsys):
    rows = [HEADER, ["NUT-99", "Nutrición", "", "Screened", "Tamizados", "Triados", "people", "si"]]
    out = run(tmp_path, capsys, xlsx_bytes(rows), "indicators.xlsx")
    assert out["imported"] == 1
    rows[1][0] = "NUT-98"
    out = run(tmp_path, capsys, csv_bytes(rows, delimiter=";", encoding="latin-1"))
    assert out["imported"] == 1
    assert Indicator.objects.get(code="NUT-98").name_es == "Tamizados"
    assert Indicator.objects.get(code="NUT-98").sector.code == "NUT"


def test_headers_match_ignoring_case_accents_and_spaces(tmp_path, capsys):
    header = [
        "Código",
        "SECTOR",
        "Sub sector",
        "Name EN",
        "name es",
        "Name_PT",
        "Unidad",
        "Counts People",
    ]
    out = run(
        tmp_path, capsys, csv_bytes([header, ["WSH-99", "WASH", "", "x", "y", "z", "kits", "no"]])
    )
    assert out["imported"] == 1


@pytest.mark.parametrize(
    "rows,code,row,column",
    [
        (
            [HEADER, ["X-1", "BAD-SECTOR", "", "n", "", "", "people", "yes"]],
            "unknown_sector",
            2,
            "sector",
        ),
        (
            [HEADER, ["X-1", "HEA", "BAD-SUB", "n", "", "", "people", "yes"]],
            "unknown_subsector",
            2,
            "subsector",
        ),
        (
            [HEADER, ["X-1", "HEA", "PRO-CP", "n", "", "", "people", "BAD"]],
            "subsector_not_in_sector",
            2,
            "subsector",
        ),
        (
            [HEADER, ["X-1", "HEA", "", "n", "", "", "people", "BAD"]],
            "invalid_yes_no",
            2,
            "counts_people",
        ),
        (
            [HEADER, ["", "HEA", "", "n", "", "", "people", "yes"], ["BAD"]],
            "missing_required",
            2,
            "code",
        ),
        (
            [
                HEADER,
                ["X-1", "HEA", "", "n", "", "", "people", "yes"],
                ["X-1", "HEA", "", "n", "", "", "people", "yes"],
                ["BAD"],
            ],
            "duplicate_row",
            3,
            "code",
        ),
        (
            [HEADER[:-1], ["X-1", "HEA", "", "n", "", "", "people"], ["BAD"]],
            "missing_required",
            2,
            "measure",
        ),
        (
            [[*HEADER[:-1], "measure"], ["X-1", "HEA", "", "n", "", "", "people", "BAD"]],
            "unknown_measure",
            2,
            "measure",
        ),
        (
            [[*HEADER, "colour"], ["X-1", "HEA", "", "n", "", "", "people", "yes", "BAD"]],
            "unknown_header",
            1,
            "colour",
        ),
    ],
)
def test_bad_rows_name_row_column_and_code_and_write_nothing(
    tmp_path, capsys, rows, code, row, column
):
    before = Indicator.objects.count()
    out = run(tmp_path, capsys, csv_bytes(rows))
    assert {"row": row, "column": column, "code": code} in [
        {k: e[k] for k in ("row", "column", "code")} for e in out["errors"]
    ]
    assert out["imported"] == 0
    assert Indicator.objects.count() == before


@pytest.mark.parametrize(
    "content,name,code",
    [
        (b"", "indicators.csv", "empty_file"),
        (b"   \n\n", "indicators.csv", "empty_file"),
        ("code,sector\n".encode("utf-16"), "indicators.csv", "unreadable_file"),
        (b"this is plain text, not a workbook", "indicators.xlsx", "not_a_workbook"),
        (bytes(range(256)) * 400, "indicators.csv", "unreadable_file"),
        (b"PK\x03\x04" + b"\x00junk" * 100, "indicators.xlsx", "not_a_workbook"),
    ],
)
def test_unreadable_files_are_rejected_with_a_code(tmp_path, content, name, code):
    before = Indicator.objects.count()
    report = indicators_import(source=content, filename=name)
    assert [e.code for e in report.errors] == [code]
    assert Indicator.objects.count() == before


def test_header_only_file_is_an_error():
    report = indicators_import(source=csv_bytes([HEADER]), filename="i.csv")
    assert [e.code for e in report.errors] == ["empty_file"]


def test_file_above_the_size_limit_is_refused(settings):
    settings.PUENTE_MAX_IMPORT_BYTES = 1000
    report = indicators_import(source=b"code," * 500, filename="i.csv")
    assert [e.code for e in report.errors] == ["file_too_large"]


def test_messages_follow_the_requested_language(tmp_path, capsys):
    rows = [HEADER, ["X-1", "Nope", "", "n", "", "", "people", "yes"], ["BAD"]]
    out = run(tmp_path, capsys, csv_bytes(rows), "indicators.csv", "--language", "es")
    assert out["errors"][0]["message"] == "No se reconoce el sector “Nope”."


def test_dry_run_writes_nothing(tmp_path, capsys):
    rows = [HEADER, ["EDU-77", "EDU", "", "n", "", "", "people", "yes"]]
    out = run(tmp_path, capsys, csv_bytes(rows), "indicators.csv", "--dry-run")
    assert out["imported"] == 1
    assert not Indicator.objects.filter(code="EDU-77").exists()


def test_text_output_names_row_and_column_and_exits_non_zero(tmp_path, capsys):
    path = tmp_path / "i.csv"
    path.write_bytes(csv_bytes([HEADER, ["X-1", "Nope", "", "n", "", "", "people", "yes"]]))
    with pytest.raises(SystemExit) as exit_info:
        call_command("import_data", "indicators", str(path))
    assert exit_info.value.code == 1
    err = capsys.readouterr().err
    assert "row 2, column sector" in err and "unknown_sector" in err


def test_measure_column_gives_each_indicator_its_kind_in_any_language(tmp_path, capsys):
    # given a measure column, written as code or in Spanish and Portuguese
    header = [*HEADER[:-1], "medida"]
    rows = [
        header,
        ["EDU-97", "EDU", "", "Teachers trained", "", "", "people", "Personas capacitadas"],
        ["CSS-97", "CSS", "", "Spaces operating", "", "", "spaces", "estoque"],
        ["FSC-97", "FSC", "", "Meals", "", "", "meals", "output"],
        ["HEA-97", "HEA", "", "Patients", "", "", "people", "Pessoas alcançadas"],
    ]
    # when
    out = run(tmp_path, capsys, csv_bytes(rows))
    # then
    assert out["errors"] == [] and out["imported"] == 4
    measures = dict(Indicator.objects.filter(code__endswith="-97").values_list("code", "measure"))
    assert measures == {
        "EDU-97": "people-trained",
        "CSS-97": "stock",
        "FSC-97": "output",
        "HEA-97": "people-reached",
    }
    trained = Indicator.objects.get(code="EDU-97")
    assert trained.counts_people is True  # its 5W figures are people
    assert Indicator.objects.get(code="CSS-97").counts_people is False


def test_unknown_measure_names_row_and_column_and_writes_nothing(tmp_path, capsys):
    rows = [
        [*HEADER[:-1], "measure"],
        ["EDU-96", "EDU", "", "Fine", "", "", "people", "people-reached"],
        ["EDU-95", "EDU", "", "Wrong", "", "", "people", "beneficiaries BAD"],
    ]
    out = run(tmp_path, capsys, csv_bytes(rows))
    assert [(e["row"], e["column"], e["code"], e["value"]) for e in out["errors"]] == [
        (3, "measure", "unknown_measure", "beneficiaries BAD")
    ]
    assert not Indicator.objects.filter(code__in=["EDU-96", "EDU-95"]).exists()


def test_shipped_indicators_carry_their_measure():
    measures = dict(Indicator.objects.values_list("code", "measure"))
    assert measures["EDU-03"] == measures["CSS-02"] == "people-trained"
    assert measures["CSS-03"] == "stock"
    assert measures["MPC-02"] == "people-reached"
    assert measures["FSC-03"] == measures["PRO-GBV-03"] == "output"
    assert measures["INT-02"] == "people-reached"  # refugees and migrants trained for work
    assert not Indicator.objects.filter(unit="USD").exists()
