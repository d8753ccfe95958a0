"""Answers read by the form version: types, select_multiple, geopoints, groups, repeats."""

from __future__ import annotations

from decimal import Decimal

import pytest
from pyxform.xls2xform import convert

from puente.collect.parsing import stored_values, submission_values
from puente.collect.services.submissions import submission_receive
from puente.collect.tests.conftest import submission_xml

RICH = b"""| survey |
| | type | name | label |
| | select_one yn | ok | OK |
| | select_multiple needs | needs | Needs |
| | geopoint | where | Where |
| | date | day | Day |
| | decimal | amount | Amount |
| | begin repeat | people | People |
| | integer | age | Age |
| | end repeat | | |
| | begin group | g | G |
| | text | t | T |
| | end group | | |
| choices |
| | list_name | name | label |
| | yn | yes | Yes |
| | yn | no | No |
| | needs | food | Food |
| | needs | water | Water |
| settings |
| | form_id | version |
| | rich | 1 |
"""

ANSWERS = """<data id="rich" version="1"><ok>yes</ok><needs>food water</needs>
<where>4.6097 -74.0817 2600 5</where><day>2026-11-29</day><amount>12.50</amount>
<people><age>34</age></people><people><age>3</age></people><g><t>Cúcuta</t></g>
<meta><instanceID>uuid:p1</instanceID></meta></data>"""


@pytest.fixture(scope="module")
def xform() -> str:
    return convert(xlsform=RICH, file_type=".md").xform


def test_answers_are_typed_by_the_form(xform):
    values = submission_values(xform, ANSWERS)
    assert values["ok"] == "yes"
    assert values["needs"] == ["food", "water"]
    assert values["where"] == {
        "latitude": Decimal("4.6097"),
        "longitude": Decimal("-74.0817"),
        "altitude": Decimal("2600"),
        "accuracy": Decimal("5"),
    }
    assert values["day"] == "2026-11-29"
    assert values["amount"] == Decimal("12.50")
    assert values["g/t"] == "Cúcuta"
    assert values["people"] == [{"age": 34}, {"age": 3}]
    assert values["meta/instanceID"] == "uuid:p1"


def test_empty_answers_are_none_and_bad_numbers_stay_text(xform):
    answers = ANSWERS.replace("<amount>12.50</amount>", "<amount>doce</amount>").replace(
        "<needs>food water</needs>", "<needs/>"
    )
    values = submission_values(xform, answers.replace("<ok>yes</ok>", "<ok/>"))
    assert values["ok"] is None
    assert values["needs"] == []
    assert values["amount"] == "doce"


def test_stored_values_are_json_ready(xform):
    values = stored_values(xform, ANSWERS)
    assert values["amount"] == "12.50"
    assert values["where"]["latitude"] == "4.6097"
    assert stored_values(xform, "<data><unclosed></data>") == {}


@pytest.mark.django_db
def test_a_received_submission_keeps_its_answers(published, collector):
    receipt = submission_receive(
        acting_user=collector,
        project=published.form.project,
        xml=submission_xml("uuid:p2", name="Ana"),
        files=[],
    )
    assert receipt.submission is not None
    assert receipt.submission.data["name"] == "Ana"
    assert receipt.submission.data["age"] == 34
