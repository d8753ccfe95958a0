"""Through the pages, with the flow-monitoring survey the project ships (es, pt, en; a
repeat of the people travelling together): choices shown by their labels in the user's
language, and a repeat record's answer corrected with the same audit trail as any other,
the export carrying the corrected value."""

from __future__ import annotations

import csv
import io
import zipfile
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from puente.collect.models import Form, Submission, SubmissionCorrection
from puente.collect.services.publishing import form_publish
from puente.collect.services.submissions import submission_receive
from puente.collect.tests.conftest import DATA
from puente.core.models import AuditRecord

pytestmark = pytest.mark.django_db

SURVEY = DATA.parents[2] / "flows" / "data" / "flow-monitoring-survey.xlsx"


def survey_xml(instance_id: str, *, sex: str = "female", ages: tuple[int, int] = (7, 31)) -> bytes:
    """A survey as ODK Collect writes it: two people travel with the respondent."""
    traveller = (
        "<travellers><traveller_relation>{relation}</traveller_relation><traveller_sex>male"
        "</traveller_sex><traveller_age>{age}</traveller_age><traveller_disability>no"
        "</traveller_disability></travellers>"
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<data xmlns:jr="http://openrosa.org/javarosa" xmlns:orx="http://openrosa.org/xforms"'
        ' id="flow_monitoring_survey" version="2026010101">'
        "<interview><point>col-rumichaca</point><survey_date>2026-05-10</survey_date>"
        "<location>0.816 -77.644 2900 5</location><consent>yes</consent></interview>"
        f"<profile><nationality>VEN</nationality><sex>{sex}</sex><age>34</age>"
        "<age_group>18-59</age_group><travels_with_others>yes</travels_with_others></profile>"
        f"{traveller.format(relation='child', age=ages[0])}"
        f"{traveller.format(relation='partner', age=ages[1])}<group_size>3</group_size>"
        "<route><origin_country>VEN</origin_country><countries_transited>VEN COL"
        "</countries_transited><transport>walking</transport></route>"
        "<needs_group><needs>shelter food</needs></needs_group>"
        f"<meta><instanceID>{instance_id}</instanceID></meta></data>"
    ).encode()


@pytest.fixture
def survey(project) -> Form:
    return form_publish(
        acting_user=None, project=project, name=SURVEY.name, content=SURVEY.read_bytes()
    ).version.form


@pytest.fixture
def officer(make_user) -> Any:
    return make_user("platform-im-officer", "country:COL")


@pytest.fixture
def answered(survey, collector) -> Submission:
    receipt = submission_receive(
        acting_user=collector, project=survey.project, xml=survey_xml("uuid:t1"), files=[]
    )
    assert receipt.submission is not None
    return receipt.submission


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _detail(submission: Submission) -> str:
    return reverse("collect:submission_detail", args=[submission.pk])


def _list(form: Form) -> str:
    return reverse("collect:form_submissions", args=[form.project.code, form.form_id])


# Choice labels


@pytest.mark.parametrize(
    "language,sex,transited,needs,relation",
    [
        ("es", "Mujer", ["Venezuela", "Colombia"], "Alojamiento para pasar la noche", "Pareja"),
        (
            "pt",
            "Mulher",
            ["Venezuela", "Colômbia"],
            "Abrigo para passar a noite",
            "Cônjuge ou companheiro(a)",
        ),
        ("en", "Female", ["Venezuela", "Colombia"], "Shelter for the night", "Partner"),
    ],
)
def test_the_submission_page_shows_choice_labels_in_the_users_language(
    officer, answered, language, sex, transited, needs, relation
):
    # when
    with translation.override(language):
        response = _client(officer).get(_detail(answered), HTTP_ACCEPT_LANGUAGE=language)
    # then
    assert response.status_code == 200
    answers = {a.path: a for a in response.context["answers"]}
    assert answers["profile/sex"].value == "female"  # as kept
    assert answers["profile/sex"].shown == sex
    assert answers["route/countries_transited"].shown == transited
    assert answers["needs_group/needs"].shown[0] == needs
    travellers = answers["travellers"]
    relations = [row[0].text for row in travellers.rows]
    assert relations[1] == relation
    page = response.content.decode()
    assert f"<td>{sex}" in page
    assert ", ".join(transited) in page
    assert f'data-path="travellers[2]/traveller_relation">{relation}' in page


@pytest.mark.parametrize("language,sex", [("es", "Mujer"), ("pt", "Mulher"), ("en", "Female")])
def test_the_list_shows_a_choice_answer_by_its_label(officer, survey, answered, language, sex):
    with translation.override(language):
        response = _client(officer).get(
            _list(survey),
            {"field": "profile/sex", "answer": "female"},
            HTTP_ACCEPT_LANGUAGE=language,
        )
    assert response.status_code == 200
    assert [row["answer"] for row in response.context["rows"]] == [sex]
    assert f"<td>{sex}</td>" in response.content.decode()
    # the label, as the list shows it, filters as the name does
    with translation.override(language):
        by_label = _client(officer).get(
            _list(survey),
            {"field": "profile/sex", "answer": sex.lower()},
            HTTP_ACCEPT_LANGUAGE=language,
        )
    assert [row["answer"] for row in by_label.context["rows"]] == [sex]


# Filters by a repeat's field


def test_the_list_filters_by_the_answer_of_any_record_of_a_repeat(
    officer, survey, collector, answered
):
    # given a second survey whose travellers are 9 and 40
    submission_receive(
        acting_user=collector,
        project=survey.project,
        xml=survey_xml("uuid:t2", sex="male", ages=(9, 40)),
        files=[],
    )
    client = _client(officer)
    # when / then
    choices = client.get(_list(survey)).context["filter_form"].fields["field"].choices
    assert "travellers/traveller_age" in [value for value, _label in choices]
    found = client.get(_list(survey), {"field": "travellers/traveller_age", "answer": "31"})
    assert [row["submission"].instance_id for row in found.context["rows"]] == ["uuid:t1"]
    assert [row["answer"] for row in found.context["rows"]] == ["7; 31"]
    both = client.get(
        _list(survey), {"field": "travellers/traveller_relation", "answer": "partner"}
    )
    assert sorted(row["submission"].instance_id for row in both.context["rows"]) == [
        "uuid:t1",
        "uuid:t2",
    ]
    none = client.get(_list(survey), {"field": "travellers/traveller_age", "answer": "12"})
    assert none.context["rows"] == []


def test_a_repeat_filter_answer_that_does_not_fit_is_an_error(officer, survey, answered):
    with translation.override("en"):
        response = _client(officer).get(
            _list(survey),
            {"field": "travellers/traveller_age", "answer": "siete"},
            HTTP_ACCEPT_LANGUAGE="en",
        )
    assert response.status_code == 400
    assert "a whole number is expected." in response.content.decode()
    assert "uuid:t1" not in response.content.decode()


FALLBACK_FORM = """| survey |
|        | type          | name  | label | label::Español (es) | label::Português (pt) |
|        | select_one yn | alone | Alone | Solo   |        |
|        | select_one_from_file towns.csv | town | Town | Pueblo | Cidade |
| choices |
|         | list_name | name | label | label::Español (es) | label::Português (pt) |
|         | yn        | yes  | Yes   | Sí     | Sim    |
|         | yn        | no   | No    | No     |        |
| settings |
|          | form_id  | version |
|          | fallback | 1       |
""".encode()


def test_a_label_the_language_lacks_falls_back_to_the_default_then_the_name(
    officer, project, collector
):
    # given a form whose Portuguese lacks the choice "no" and the field "alone"
    form_publish(acting_user=None, project=project, name="fallback.md", content=FALLBACK_FORM)
    receipt = submission_receive(
        acting_user=collector,
        project=project,
        xml=b'<data id="fallback" version="1"><alone>no</alone><town>cucuta</town>'
        b"<meta><instanceID>uuid:fb1</instanceID></meta></data>",
        files=[],
    )
    assert receipt.submission is not None
    # when
    with translation.override("pt"):
        response = _client(officer).get(_detail(receipt.submission), HTTP_ACCEPT_LANGUAGE="pt")
    # then: the default label (never pyxform's "-"), and the name for a choice from a file
    answers = {a.path: a for a in response.context["answers"]}
    assert (answers["alone"].label, answers["alone"].shown) == ("Alone", "No")
    assert (answers["town"].label, answers["town"].shown) == ("Cidade", "cucuta")


# Corrections of repeat records


def test_an_officer_corrects_a_repeat_record_with_the_audit_trail_and_the_export_has_it(
    officer, survey, answered
):
    client = _client(officer)
    # given: the correction form offers each record's fields
    page = client.get(_detail(answered))
    paths = [value for value, _label in page.context["correction_form"].fields["path"].choices]
    assert "interview/point" in paths
    assert "travellers[2]/traveller_age" in paths
    assert "travellers[3]/traveller_age" not in paths
    # when
    response = client.post(
        _detail(answered),
        {
            "action": "correct",
            "path": "travellers[2]/traveller_age",
            "value": "13",
            "reason": "Age of the son, typed wrong",
        },
    )
    # then: the data, the correction and its audit record
    assert response.status_code == 302
    answered.refresh_from_db()
    assert [t["traveller_age"] for t in answered.data["travellers"]] == [7, 13]
    correction = SubmissionCorrection.objects.get(submission=answered)
    assert (correction.path, correction.old_value, correction.new_value) == (
        "travellers[2]/traveller_age",
        31,
        13,
    )
    assert correction.created_by == officer
    record = AuditRecord.objects.get(action="collect.submission_correct")
    assert record.target_id == str(answered.pk)
    assert record.data["path"] == "travellers[2]/traveller_age"
    assert (record.data["before"], record.data["after"]) == (31, 13)
    # and the page shows the corrected cell and the correction
    with translation.override("en"):
        page = client.get(_detail(answered), HTTP_ACCEPT_LANGUAGE="en")
    travellers = {a.path: a for a in page.context["answers"]}["travellers"]
    cell = next(c for c in travellers.rows[1] if c.path == "travellers[2]/traveller_age")
    assert (cell.text, cell.corrected) == ("13", True)
    assert [c.path for c in page.context["corrections"]] == ["travellers[2]/traveller_age"]
    # and the export's repeat table carries it, under the record's key
    export = client.get(
        reverse("collect:form_export", args=[survey.project.code, survey.form_id]),
        {"format": "csv"},
    )
    assert export.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(b"".join(export.streaming_content)))
    text = archive.read("flow_monitoring_survey-travellers.csv").decode("utf-8-sig")
    rows = {row["KEY"]: row for row in csv.DictReader(io.StringIO(text))}
    assert rows["uuid:t1/travellers[2]"]["traveller_age"] == "13"
    assert rows["uuid:t1/travellers[1]"]["traveller_age"] == "7"


def test_a_choice_of_a_repeat_record_is_corrected_by_its_name(officer, answered):
    response = _client(officer).post(
        _detail(answered),
        {
            "action": "correct",
            "path": "travellers[1]/traveller_sex",
            "value": "female",
            "reason": "She is a daughter",
        },
    )
    assert response.status_code == 302
    answered.refresh_from_db()
    assert [t["traveller_sex"] for t in answered.data["travellers"]] == ["female", "male"]


@pytest.mark.parametrize(
    "path,value",
    [
        ("travellers[3]/traveller_age", "5"),  # no third record
        ("travellers[0]/traveller_age", "5"),
        ("travellers/traveller_age", "5"),  # no record named
        ("travellers[1]/nope", "5"),
        ("profile[1]/age", "5"),  # a group, not a repeat
    ],
)
def test_a_repeat_path_naming_no_answer_is_refused(officer, answered, path, value):
    data_before = answered.data
    response = _client(officer).post(
        _detail(answered), {"action": "correct", "path": path, "value": value, "reason": "x"}
    )
    assert response.status_code == 400
    answered.refresh_from_db()
    assert answered.data == data_before
    assert not SubmissionCorrection.objects.exists()


def test_a_value_that_does_not_fit_a_repeat_field_is_refused(officer, answered):
    with translation.override("en"):
        response = _client(officer).post(
            _detail(answered),
            {
                "action": "correct",
                "path": "travellers[2]/traveller_age",
                "value": "thirty",
                "reason": "typo",
            },
            HTTP_ACCEPT_LANGUAGE="en",
        )
    assert response.status_code == 400
    assert "a whole number is expected." in response.content.decode()
    assert not SubmissionCorrection.objects.exists()


@pytest.mark.parametrize(
    "role,scope,status",
    [
        ("data-collector", "project:fm-col", 403),
        ("partner-reporter", "organisation:FPRU", 403),
        ("platform-im-officer", "country:PER", 404),
    ],
)
def test_those_who_do_not_see_the_data_cannot_correct_a_repeat_record(
    make_user, organisation, collector, answered, role, scope, status
):
    user = collector if role == "data-collector" else make_user(role, scope)
    response = _client(user).post(
        _detail(answered),
        {
            "action": "correct",
            "path": "travellers[2]/traveller_age",
            "value": "13",
            "reason": "I want to",
        },
    )
    assert response.status_code == status
    answered.refresh_from_db()
    assert answered.data["travellers"][1]["traveller_age"] == 31
    assert not SubmissionCorrection.objects.exists()
    assert not AuditRecord.objects.filter(action="collect.submission_correct").exists()


NESTED_FORM = b"""| survey |
|        | type         | name      | label     |
|        | begin_repeat | household | Household |
|        | text         | hname     | Name      |
|        | begin_repeat | members   | Members   |
|        | integer      | age       | Age       |
|        | end_repeat   |           |           |
|        | end_repeat   |           |           |
| settings |
|          | form_id | version |
|          | nested  | 1       |
"""


def test_a_record_of_a_nested_repeat_is_corrected_by_its_path(officer, project, collector):
    # given a household of two members
    form_publish(acting_user=None, project=project, name="nested.md", content=NESTED_FORM)
    receipt = submission_receive(
        acting_user=collector,
        project=project,
        xml=b'<data id="nested" version="1"><household><hname>A</hname>'
        b"<members><age>3</age></members><members><age>4</age></members></household>"
        b"<meta><instanceID>uuid:n1</instanceID></meta></data>",
        files=[],
    )
    item = receipt.submission
    assert item is not None
    client = _client(officer)
    with translation.override("en"):
        page = client.get(_detail(item), HTTP_ACCEPT_LANGUAGE="en")
    household = {a.path: a for a in page.context["answers"]}["household"]
    assert [c.text for c in household.rows[0]] == ["A", "2 records"]
    paths = [value for value, _label in page.context["correction_form"].fields["path"].choices]
    assert paths == [
        "household[1]/hname",
        "household[1]/members[1]/age",
        "household[1]/members[2]/age",
    ]
    # when
    response = client.post(
        _detail(item),
        {"action": "correct", "path": "household[1]/members[2]/age", "value": "5", "reason": "x"},
    )
    # then
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.data["household"][0]["members"] == [{"age": 3}, {"age": 5}]
    assert SubmissionCorrection.objects.get(submission=item).path == "household[1]/members[2]/age"
