"""Corrections of submitted answers: typed as the form types them, refused when they do
not fit, audited, announced; the XML as sent never changes."""

from __future__ import annotations

from typing import Any

import pytest

from puente.collect.models import Submission, SubmissionCorrection
from puente.collect.services.corrections import submission_correct
from puente.collect.services.publishing import form_publish
from puente.collect.services.submissions import submission_receive
from puente.collect.signals import submission_changed
from puente.collect.tests.conftest import DATA, submission_xml
from puente.core.errors import ApplicationError, PermissionDenied
from puente.core.models import AuditRecord

pytestmark = pytest.mark.django_db


def rich_xml(instance_id: str, *, point: str = "cucuta", age: str = "34") -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<data id="rich" version="1"><point>{point}</point><age>{age}</age>'
        "<weight>61.5</weight><arrived>2026-03-01</arrived><alone>yes</alone>"
        "<needs>food</needs><where>7.89 -72.5 320 5</where><g><note>ok</note></g>"
        "<people><pname>Luis</pname><page>7</page></people>"
        "<people><pname>Rosa</pname><page></page></people>"
        f"<meta><instanceID>{instance_id}</instanceID></meta></data>"
    ).encode()


@pytest.fixture
def rich(project, collector) -> Submission:
    form_publish(
        acting_user=None, project=project, name="rich.md", content=(DATA / "rich.md").read_bytes()
    )
    receipt = submission_receive(
        acting_user=collector, project=project, xml=rich_xml("uuid:c1"), files=[]
    )
    assert receipt.submission is not None
    return receipt.submission


@pytest.fixture
def officer(make_user) -> Any:
    return make_user("platform-im-officer", "country:COL")


def _correct(officer, submission, path, value, reason="Typed wrong on the device"):
    return submission_correct(
        acting_user=officer, submission=submission, path=path, value=value, reason=reason
    )


def test_a_correction_changes_the_data_keeps_the_xml_and_is_audited(
    officer, rich, django_capture_on_commit_callbacks
):
    # given
    xml_before = rich.xml
    heard = []

    def listener(**kwargs):
        heard.append((kwargs["instance_id"], kwargs["outcome"]))

    submission_changed.connect(listener)
    try:
        # when
        with django_capture_on_commit_callbacks(execute=True):
            correction = _correct(officer, rich, "age", "43")
    finally:
        submission_changed.disconnect(listener)
    # then
    rich.refresh_from_db()
    assert rich.data["age"] == 43
    assert rich.xml == xml_before
    assert (correction.path, correction.old_value, correction.new_value) == ("age", 34, 43)
    assert correction.created_by == officer
    record = AuditRecord.objects.get(action="collect.submission_correct")
    assert record.target_id == str(rich.pk)
    assert record.data == {
        "path": "age",
        "before": 34,
        "after": 43,
        "reason": "Typed wrong on the device",
        "correction": correction.pk,
    }
    assert heard == [("uuid:c1", "corrected")]


@pytest.mark.parametrize(
    "path,value,stored",
    [
        ("point", "  villa del rosario ", "villa del rosario"),
        ("weight", "60.25", "60.25"),
        ("arrived", "2026-02-28", "2026-02-28"),
        ("alone", "no", "no"),
        ("needs", "food water", ["food", "water"]),
        (
            "where",
            "7.9 -72.4",
            {"latitude": "7.9", "longitude": "-72.4", "altitude": None, "accuracy": None},
        ),
        ("g/note", "", None),
    ],
)
def test_values_are_typed_as_the_form_types_them(officer, rich, path, value, stored):
    _correct(officer, rich, path, value)
    rich.refresh_from_db()
    assert rich.data[path] == stored


@pytest.mark.parametrize(
    "path,value",
    [
        ("age", "thirty"),
        ("age", "3.5"),
        ("weight", "sixty"),
        ("arrived", "01/03/2026"),
        ("arrived", "2026-02-30"),
        ("alone", "maybe"),
        ("needs", "food shoes"),
        ("where", "95 10"),
        ("where", "north"),
    ],
)
def test_a_value_that_does_not_fit_is_refused_and_nothing_is_written(officer, rich, path, value):
    data_before = dict(rich.data)
    with pytest.raises(ApplicationError) as caught:
        _correct(officer, rich, path, value)
    assert caught.value.code == "correction_value_invalid"
    assert value.strip() in str(caught.value) and path in str(caught.value)
    rich.refresh_from_db()
    assert rich.data == data_before
    assert not SubmissionCorrection.objects.exists()
    assert not AuditRecord.objects.filter(action="collect.submission_correct").exists()


def test_a_choice_not_in_the_list_names_the_choices(officer, rich):
    with pytest.raises(ApplicationError) as caught:
        _correct(officer, rich, "alone", "maybe")
    assert "maybe" in str(caught.value) and "yes, no" in str(caught.value)


@pytest.mark.parametrize("path", ["nope", "people/page", "people", "meta/instanceID"])
def test_a_path_that_is_no_correctable_field_is_refused(officer, rich, path):
    with pytest.raises(ApplicationError) as caught:
        _correct(officer, rich, path, "1")
    assert caught.value.code == "correction_field_unknown"


def test_a_file_field_is_not_corrected(officer, published, collector):
    receipt = submission_receive(
        acting_user=collector,
        project=published.form.project,
        xml=submission_xml("uuid:f1"),
        files=[],
    )
    with pytest.raises(ApplicationError) as caught:
        _correct(officer, receipt.submission, "photo", "other.jpg")
    assert caught.value.code == "correction_field_unknown"


def test_a_choice_from_a_file_is_taken_as_typed(officer, published, collector):
    receipt = submission_receive(
        acting_user=collector,
        project=published.form.project,
        xml=submission_xml("uuid:f2"),
        files=[],
    )
    _correct(officer, receipt.submission, "town", "pamplona")
    receipt.submission.refresh_from_db()
    assert receipt.submission.data["town"] == "pamplona"


def test_a_reason_is_required(officer, rich):
    with pytest.raises(ApplicationError) as caught:
        _correct(officer, rich, "age", "40", reason="  ")
    assert caught.value.code == "correction_reason_required"


def test_the_same_value_again_is_refused(officer, rich):
    with pytest.raises(ApplicationError) as caught:
        _correct(officer, rich, "age", "34")
    assert caught.value.code == "correction_unchanged"


def test_two_corrections_keep_their_history(officer, rich):
    _correct(officer, rich, "age", "40")
    _correct(officer, rich, "age", "41", reason="Second look")
    values = list(
        SubmissionCorrection.objects.filter(submission=rich).values_list("old_value", "new_value")
    )
    assert values == [(34, 40), (40, 41)]


def test_a_superseded_submission_is_not_corrected(officer, rich, collector):
    submission_receive(
        acting_user=collector,
        project=rich.form.project,
        xml=rich_xml("uuid:c2", age="35").replace(
            b"</instanceID>", b"</instanceID><deprecatedID>uuid:c1</deprecatedID>"
        ),
        files=[],
    )
    with pytest.raises(ApplicationError) as caught:
        _correct(officer, rich, "age", "40")
    assert caught.value.code == "already_edited"


def test_a_project_manager_may_correct(make_user, organisation, rich):
    manager = make_user("partner-viewer", "organisation:FPRU")
    rich.form.project.managers.add(manager)
    _correct(manager, rich, "age", "40")
    rich.refresh_from_db()
    assert rich.data["age"] == 40


@pytest.mark.parametrize(
    "role,scope",
    [
        ("platform-im-officer", "country:PER"),
        ("data-collector", "project:fm-col"),
        ("partner-reporter", "organisation:FPRU"),
    ],
)
def test_others_may_not_correct(make_user, organisation, rich, role, scope):
    with pytest.raises(PermissionDenied):
        _correct(make_user(role, scope), rich, "age", "40")
    rich.refresh_from_db()
    assert rich.data["age"] == 34
