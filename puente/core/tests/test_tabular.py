import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from puente.core.imports import ImportFileError, parse_yes_no
from puente.core.tabular import Column, cell_text, normalize_header, normalize_value, read_table
from puente.core.testing import xlsx_bytes

COLUMNS = (
    Column("month", aliases=("mes",)),
    Column("country", aliases=("pais",)),
    Column("note", required=False),
)


def rows_of(table):
    return [(n, {k: cell_text(v) for k, v in r.items()}) for n, r in table]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "latin-1", "cp1252"])
def test_reads_csv_in_every_encoding_partners_use(encoding):
    content = "Mes;País;note\n2025-01;Perú;año\n".encode(encoding)
    table = read_table(content, filename="f.csv", columns=COLUMNS)
    assert rows_of(table) == [(2, {"month": "2025-01", "country": "Perú", "note": "año"})]


def test_blank_rows_are_skipped_but_keep_their_spreadsheet_number():
    content = b"month,country\n2025-01,PER\n,\n2025-02,COL\n"
    assert [n for n, _ in read_table(content, filename="f.csv", columns=COLUMNS)] == [2, 4]


def test_reads_the_first_sheet_of_a_workbook_with_typed_cells():
    content = xlsx_bytes([["Month", "Country"], [dt.date(2025, 3, 1), "BRA"], [12.0, 3]])
    table = read_table(content, filename="f.xlsx", columns=COLUMNS)
    assert rows_of(table) == [
        (2, {"month": "2025-03-01", "country": "BRA"}),
        (3, {"month": "12", "country": "3"}),
    ]


def test_reports_every_header_problem_at_once():
    with pytest.raises(ImportFileError) as exc_info:
        read_table(b"month,month,colour\n", filename="f.csv", columns=COLUMNS)
    codes = {(e.code, e.column) for e in exc_info.value.errors}
    assert codes == {
        ("duplicate_header", "month"),
        ("unknown_header", "colour"),
        ("missing_header", "country"),
    }
    assert all(e.row == 1 for e in exc_info.value.errors)


def test_normalisation():
    assert normalize_header(" Población_Meta ") == "poblacionmeta"
    assert normalize_value("  ATLÁNTICO ") == "atlantico"
    assert parse_yes_no("Sí") is True and parse_yes_no("NÃO") is False
    assert parse_yes_no("maybe") is None


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=2000))
def test_any_bytes_either_read_or_rejected_with_a_code(data):
    try:
        table = read_table(data, filename="f.csv", columns=COLUMNS)
        list(table)
    except ImportFileError as exc:
        assert exc.errors and all(e.code for e in exc.errors)
