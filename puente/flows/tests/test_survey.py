"""The shipped flow-monitoring XLSForm: built from its definition, converted by pyxform
into an XForm with three languages, a repeat for the people travelling together,
select_multiple needs and a geopoint; its choices are the codes Puente stores."""

import re

import pytest
from openpyxl import load_workbook
from pyxform.xls2xform import convert

from puente.flows.models import Document, Incident, Need, Sex, Transport
from puente.flows.nations import nation_code
from puente.flows.survey import LANGUAGES, WORKBOOK, survey_definition, survey_sheets


@pytest.fixture(scope="module")
def definition():
    return survey_definition()


@pytest.fixture(scope="module")
def xform():
    warnings: list[str] = []
    result = convert(xlsform=str(WORKBOOK), warnings=warnings)
    assert warnings == []
    return result.xform


def test_the_workbook_says_what_the_definition_says(definition):
    # run scripts/build-flow-survey after editing the definition
    workbook = load_workbook(WORKBOOK)
    for name, rows in survey_sheets(definition).items():
        stored = [
            ["" if cell is None else str(cell) for cell in row]
            for row in workbook[name].iter_rows(values_only=True)
        ]
        width = len(rows[0])
        assert [row + [""] * (width - len(row)) for row in stored] == rows, name


def test_pyxform_converts_it_with_the_three_languages(xform):
    assert re.findall(r'<translation lang="([^"]+)"', xform) == list(LANGUAGES)
    assert 'id="flow_monitoring_survey"' in xform
    assert "<instanceID/>" in xform


def test_it_has_a_repeat_a_geopoint_and_select_multiple_needs(xform):
    assert '<repeat nodeset="/data/travellers">' in xform
    assert re.search(r'nodeset="/data/interview/location" type="geopoint"', xform)
    assert re.search(r'<select ref="/data/needs_group/needs"', xform)
    assert re.search(r'<select ref="/data/protection/incidents"', xform)


def test_every_question_and_choice_is_labelled_in_three_languages(definition):
    for question in definition["survey"]:
        for column in ("label", "hint", "constraint_message"):
            if column in question:
                assert len(question[column]) == 3 and all(question[column]), question["name"]
    for list_name, items in definition["choices"].items():
        for item in items:
            assert len(item) == 4 and all(item), (list_name, item)


def test_choice_names_are_the_codes_the_survey_summary_stores(definition):
    choices = {name: [item[0] for item in items] for name, items in definition["choices"].items()}
    assert choices["needs"] == list(Need.values)
    assert choices["incidents"] == list(Incident.values)
    assert choices["documentation"] == list(Document.values)
    assert set(choices["transport"]) == set(Transport.values) - {"unknown"}
    assert set(choices["sex"]) == set(Sex.values) - {"unknown"}
    for code in choices["countries"] + choices["destination"]:
        assert code in {"OTHER", "undecided"} or nation_code(code) == code
