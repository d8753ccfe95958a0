"""The words a counts file may use for a direction, sex, age group or means of transport
are read whatever their case and spacing (a property test over every word)."""

from hypothesis import given
from hypothesis import strategies as st

from puente.core.imports import ImportReport, RowCells
from puente.flows.codes import FlowsCode
from puente.flows.models import AgeGroup, Direction, Sex, Transport
from puente.flows.services import AGE_GROUPS, DIRECTIONS, SEXES, TRANSPORTS, _choice

TABLES = [
    (DIRECTIONS, Direction, FlowsCode.INVALID_DIRECTION),
    (SEXES, Sex, FlowsCode.INVALID_SEX),
    (AGE_GROUPS, AgeGroup, FlowsCode.INVALID_AGE_GROUP),
    (TRANSPORTS, Transport, FlowsCode.INVALID_TRANSPORT),
]
WORDS = [
    (word, code, table, code_enum)
    for table, _c, code_enum in TABLES
    for word, code in table.items()
]


@given(
    st.sampled_from(WORDS),
    st.sampled_from([str.upper, str.title, str.lower]),
    st.sampled_from(["", " ", "  "]),
)
def test_every_word_reads_as_its_code_in_any_case(entry, case, pad):
    word, code, table, error = entry
    report = ImportReport()
    cells = RowCells(report, 2, {"x": f"{pad}{case(word)}{pad}"})
    assert _choice(cells, "x", table, error) == code
    assert report.errors == []


def test_every_code_is_a_choice_of_its_field():
    for table, choices, _error in TABLES:
        assert set(table.values()) == set(choices.values)


def test_an_unknown_word_is_an_error_naming_its_column():
    report = ImportReport()
    cells = RowCells(report, 7, {"direction": "sideways"})
    assert _choice(cells, "direction", DIRECTIONS, FlowsCode.INVALID_DIRECTION) is None
    assert [(e.row, e.column, e.code, e.value) for e in report.errors] == [
        (7, "direction", "invalid_direction", "sideways")
    ]
