"""The shipped flow-monitoring XLSForms, the survey and the daily tally sheet: each built
from its definition and converted by pyxform into an XForm with three languages; the
survey with a repeat for the people travelling together, select_multiple needs and a
geopoint, the tally sheet with a repeat of lines; their choices are the codes Puente
stores."""

import re

import pytest
from openpyxl import load_workbook
from pyxform.xls2xform import convert

from puente.flows.models import AgeGroup, Direction, Document, Incident, Need, Sex, Transport
from puente.flows.nations import nation_code
from puente.flows.survey import (
    DAILY_COUNT_DEFINITION,
    DAILY_COUNT_WORKBOOK,
    LANGUAGES,
    SHIPPED_FORMS,
    WORKBOOK,
    survey_definition,
    survey_sheets,
)

FORMS = pytest.mark.parametrize(
    ("definition_path", "workbook_path"), SHIPPED_FORMS, ids=lambda p: p.stem
)


@pytest.fixture(scope="module")
def definition():
    return survey_definition()


@pytest.fixture(scope="module")
def xform():
    warnings: list[str] = []
    result = convert(xlsform=str(WORKBOOK), warnings=warnings)
    assert warnings == []
    return result.xform


@FORMS
def test_the_workbook_says_what_the_definition_says(definition_path, workbook_path):
    # run scripts/build-flow-survey after editing the definition
    workbook = load_workbook(workbook_path)
    for name, rows in survey_sheets(survey_definition(definition_path)).items():
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


@FORMS
def test_pyxform_converts_each_shipped_form_without_warnings(definition_path, workbook_path):
    warnings: list[str] = []
    xform = convert(xlsform=str(workbook_path), warnings=warnings).xform
    assert warnings == []
    form_id = survey_definition(definition_path)["settings"]["form_id"]
    assert f'<data id="{form_id}" version="2026010101">' in xform
    assert re.findall(r'<translation lang="([^"]+)"', xform) == list(LANGUAGES)


@FORMS
def test_every_question_and_choice_is_labelled_in_three_languages(definition_path, workbook_path):
    definition = survey_definition(definition_path)
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


def test_the_tally_sheet_has_a_repeat_of_lines_of_whole_people():
    xform = convert(xlsform=str(DAILY_COUNT_WORKBOOK), warnings=[]).xform
    assert '<repeat nodeset="/data/lines">' in xform
    assert re.search(r'nodeset="/data/count_date" type="date"', xform)
    assert re.search(r'nodeset="/data/lines/people" type="int"[^>]*constraint="\. &gt;= 0"', xform)


def test_tally_sheet_choice_names_are_the_codes_daily_counts_store():
    definition = survey_definition(DAILY_COUNT_DEFINITION)
    choices = {name: [item[0] for item in items] for name, items in definition["choices"].items()}
    assert choices["direction"] == list(Direction.values)
    assert choices["sex"] == list(Sex.values)
    assert choices["age_group"] == list(AgeGroup.values)
    assert choices["transport"] == list(Transport.values)
    for code in choices["countries"]:
        assert code == "OTHER" or nation_code(code) == code
