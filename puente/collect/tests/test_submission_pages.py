"""The submissions page of a form and the page of a submission: who sees them, the
filters, review and corrections through the pages, the files."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from puente.collect.models import Submission, SubmissionCorrection
from puente.collect.services.publishing import form_publish
from puente.collect.services.submissions import submission_receive
from puente.collect.tests.conftest import DATA, submission_xml
from puente.collect.tests.test_corrections import rich_xml

pytestmark = pytest.mark.django_db


def _receive(collector, project, xml: bytes, files=()) -> Submission:
    receipt = submission_receive(acting_user=collector, project=project, xml=xml, files=list(files))
    assert receipt.submission is not None
    return receipt.submission


@pytest.fixture
def rich_form(project) -> Any:
    return form_publish(
        acting_user=None, project=project, name="rich.md", content=(DATA / "rich.md").read_bytes()
    ).version.form


@pytest.fixture
def officer(make_user) -> Any:
    return make_user("platform-im-officer", "country:COL")


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _list_url(form) -> str:
    return reverse("collect:form_submissions", args=[form.project.code, form.form_id])


def _ids(response) -> list[str]:
    return [s.instance_id for s in response.context["page"]]


# Who sees the pages


def test_the_projects_page_links_each_form_to_its_submissions(officer, rich_form):
    response = _client(officer).get(reverse("collect:projects"))
    assert _list_url(rich_form) in response.content.decode()


def test_an_officer_of_the_country_and_a_manager_see_the_submissions(
    make_user, organisation, officer, rich_form, collector
):
    _receive(collector, rich_form.project, rich_xml("uuid:a1"))
    manager = make_user("partner-viewer", "organisation:FPRU")
    rich_form.project.managers.add(manager)
    for user in (officer, manager, make_user("regional-admin", "region")):
        response = _client(user).get(_list_url(rich_form))
        assert response.status_code == 200
        assert _ids(response) == ["uuid:a1"]


@pytest.mark.parametrize(
    "role,scope,status",
    [
        ("data-collector", "project:fm-col", 403),
        ("partner-reporter", "organisation:FPRU", 403),
        ("platform-im-officer", "country:PER", 404),
    ],
)
def test_others_are_refused_as_the_rule_says(
    make_user, organisation, rich_form, collector, role, scope, status
):
    item = _receive(collector, rich_form.project, rich_xml("uuid:a1"))
    client = _client(make_user(role, scope))
    assert client.get(_list_url(rich_form)).status_code == status
    assert client.get(reverse("collect:submission_detail", args=[item.pk])).status_code == status
    response = client.post(
        reverse("collect:submission_detail", args=[item.pk]),
        {"action": "review", "decision": "approved"},
    )
    assert response.status_code == status
    item.refresh_from_db()
    assert item.status == "received"


def test_an_unknown_project_or_form_is_not_found(officer, rich_form):
    client = _client(officer)
    assert client.get(reverse("collect:form_submissions", args=["nope", "rich"])).status_code == 404
    assert (
        client.get(reverse("collect:form_submissions", args=["fm-col", "nope"])).status_code == 404
    )


# The list and its filters


def test_only_current_submissions_newest_first_in_pages_of_50(officer, rich_form, collector):
    # given 52 submissions, the first one edited
    project = rich_form.project
    for n in range(52):
        _receive(collector, project, rich_xml(f"uuid:n{n}"))
    _receive(
        collector,
        project,
        rich_xml("uuid:n0-edit").replace(
            b"</instanceID>", b"</instanceID><deprecatedID>uuid:n0</deprecatedID>"
        ),
    )
    client = _client(officer)
    # when
    first = client.get(_list_url(rich_form))
    second = client.get(_list_url(rich_form) + "?page=2")
    # then: 52 current ones (n0 replaced by its edit), the edit first
    assert first.context["page"].paginator.count == 52
    assert _ids(first)[:3] == ["uuid:n0-edit", "uuid:n51", "uuid:n50"]
    assert len(_ids(first)) == 50
    assert _ids(second) == ["uuid:n2", "uuid:n1"]
    assert "uuid:n0" not in _ids(first) + _ids(second)


def test_the_list_takes_a_fixed_number_of_queries(
    officer, rich_form, collector, django_assert_max_num_queries
):
    for n in range(5):
        _receive(collector, rich_form.project, rich_xml(f"uuid:q{n}"))
    client = _client(officer)
    with django_assert_max_num_queries(20) as five:
        client.get(_list_url(rich_form))
    for n in range(5, 15):
        _receive(collector, rich_form.project, rich_xml(f"uuid:q{n}"))
    with django_assert_max_num_queries(len(five.captured_queries)):
        client.get(_list_url(rich_form))


def test_filters_by_status_collector_point_and_dates(make_user, officer, rich_form, collector):
    # given
    project = rich_form.project
    other = make_user("data-collector", "project:fm-col", email="otra@example.org")
    a = _receive(collector, project, rich_xml("uuid:f1", point="cucuta"))
    b = _receive(other, project, rich_xml("uuid:f2", point="paraguachon"))
    c = _receive(collector, project, rich_xml("uuid:f3", point="cucuta", age="12"))
    Submission.objects.filter(pk=a.pk).update(
        status="approved", received_at=dt.datetime(2026, 3, 1, 12, tzinfo=dt.UTC)
    )
    Submission.objects.filter(pk=b.pk).update(
        received_at=dt.datetime(2026, 3, 5, 12, tzinfo=dt.UTC)
    )
    Submission.objects.filter(pk=c.pk).update(
        received_at=dt.datetime(2026, 3, 9, 12, tzinfo=dt.UTC)
    )
    client = _client(officer)
    url = _list_url(rich_form)
    # then
    assert _ids(client.get(url, {"status": "approved"})) == ["uuid:f1"]
    assert _ids(client.get(url, {"collector": "otra@example.org"})) == ["uuid:f2"]
    assert _ids(client.get(url, {"field": "point", "answer": "cucuta"})) == ["uuid:f3", "uuid:f1"]
    assert _ids(client.get(url, {"field": "age", "answer": "12"})) == ["uuid:f3"]
    dates = {"received_from": "2026-03-02", "received_to": "2026-03-09"}
    assert _ids(client.get(url, dates)) == ["uuid:f3", "uuid:f2"]
    page = client.get(url).content.decode()
    assert "paraguachon" in page  # the point's answer is a column


@pytest.mark.parametrize(
    "query,field,text",
    [
        ({"status": "pending"}, "status", "“pending” is not a status of submissions."),
        ({"collector": "nadie@example.org"}, "collector", "“nadie@example.org” sent no"),
        ({"field": "nope", "answer": "x"}, "field", "“nope” is not a field of this form."),
        ({"field": "age", "answer": "doce"}, "answer", "a whole number is expected."),
        ({"received_from": "2026-13-01"}, "received_from", "Enter a valid date."),
        (
            {"received_from": "2026-03-09", "received_to": "2026-03-01"},
            "received_to",
            "The end of the range is before its start.",
        ),
    ],
)
def test_an_unknown_filter_value_is_an_error_on_the_page(
    officer, rich_form, collector, query, field, text
):
    _receive(collector, rich_form.project, rich_xml("uuid:e1"))
    response = _client(officer).get(_list_url(rich_form), query)
    assert response.status_code == 400
    assert field in response.context["filter_form"].errors
    assert text in response.content.decode()
    assert "uuid:e1" not in response.content.decode()


# A submission's page


def test_the_submission_page_shows_answers_repeats_geopoint_files_and_history(
    officer, published, collector
):
    project = published.form.project
    photo = SimpleUploadedFile("photo.jpg", b"\xff\xd8jpeg", content_type="image/jpeg")
    first = _receive(collector, project, submission_xml("uuid:s1"), [photo])
    edit = _receive(
        collector, project, submission_xml("uuid:s2", name="Ana María", deprecated_id="uuid:s1")
    )
    client = _client(officer)
    page = client.get(reverse("collect:submission_detail", args=[edit.pk]))
    text = page.content.decode()
    assert page.status_code == 200
    assert "Ana María" in text and "Name" in text  # the label from the form version
    assert [s.instance_id for s in page.context["history"]] == ["uuid:s1", "uuid:s2"]
    old = client.get(reverse("collect:submission_detail", args=[first.pk]))
    assert 'id="submission-replaced"' in old.content.decode()
    assert 'id="review-form"' not in old.content.decode()
    download = client.get(reverse("collect:submission_file", args=[first.pk, "photo.jpg"]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"\xff\xd8jpeg"
    assert "attachment" in download["Content-Disposition"]
    missing = client.get(reverse("collect:submission_file", args=[first.pk, "other.jpg"]))
    assert missing.status_code == 404


def test_a_file_is_not_found_for_an_officer_of_another_country(make_user, published, collector):
    photo = SimpleUploadedFile("photo.jpg", b"\xff\xd8jpeg", content_type="image/jpeg")
    item = _receive(collector, published.form.project, submission_xml("uuid:p1"), [photo])
    client = _client(make_user("platform-im-officer", "country:PER"))
    url = reverse("collect:submission_file", args=[item.pk, "photo.jpg"])
    assert client.get(url).status_code == 404


def test_labels_follow_the_language_and_repeats_are_tables(
    officer, rich_form, collector, published
):
    item = _receive(collector, rich_form.project, rich_xml("uuid:l1"))
    page = _client(officer).get(reverse("collect:submission_detail", args=[item.pk]))
    answers = {a.path: a for a in page.context["answers"]}
    assert answers["people"].kind == "repeat"
    assert answers["people"].columns == (("pname", "Name"), ("page", "Age"))
    assert [[c.text for c in row] for row in answers["people"].rows] == [
        ["Luis", "7"],
        ["Rosa", None],
    ]
    assert answers["people"].rows[1][0].path == "people[2]/pname"
    assert answers["people"].label == "People"  # the repeat's label
    assert answers["where"].kind == "geopoint"
    assert answers["needs"].value == ["food"]
    assert answers["needs"].shown == ["Food"]  # the choice's label
    assert "latitude 7.89, longitude -72.5" in page.content.decode()
    tiny = _receive(collector, published.form.project, submission_xml("uuid:l2"))
    spanish = _client(officer).get(
        reverse("collect:submission_detail", args=[tiny.pk]), HTTP_ACCEPT_LANGUAGE="es"
    )
    assert {a.path: a.label for a in spanish.context["answers"]}["age"] == "Edad"


def test_approve_and_reject_with_a_reason_through_the_page(officer, rich_form, collector):
    item = _receive(collector, rich_form.project, rich_xml("uuid:r1"))
    client = _client(officer)
    url = reverse("collect:submission_detail", args=[item.pk])
    response = client.post(url, {"action": "review", "decision": "approved"})
    assert response.status_code == 302 and response["Location"] == url
    item.refresh_from_db()
    assert (item.status, item.reviewed_by) == ("approved", officer)
    # a rejection without its reason: the form says so, nothing changes
    response = client.post(url, {"action": "review", "decision": "rejected", "reason": " "})
    assert response.status_code == 400
    assert "Say why the submission is rejected." in response.content.decode()
    item.refresh_from_db()
    assert item.status == "approved"
    client.post(url, {"action": "review", "decision": "rejected", "reason": "Duplicada"})
    item.refresh_from_db()
    assert (item.status, item.status_reason) == ("rejected", "Duplicada")


def test_correct_through_the_page_and_see_the_history(officer, rich_form, collector):
    item = _receive(collector, rich_form.project, rich_xml("uuid:k1"))
    client = _client(officer)
    url = reverse("collect:submission_detail", args=[item.pk])
    refused = client.post(
        url, {"action": "correct", "path": "age", "value": "treinta", "reason": "typo"}
    )
    assert refused.status_code == 400
    assert (
        "“treinta” does not fit field “age”: a whole number is expected."
        in refused.content.decode()
    )
    assert not SubmissionCorrection.objects.exists()
    done = client.post(url, {"action": "correct", "path": "age", "value": "30", "reason": "typo"})
    assert done.status_code == 302
    item.refresh_from_db()
    assert item.data["age"] == 30
    page = client.get(url)
    [correction] = page.context["corrections"]
    assert (correction.old_text, correction.new_text, correction.created_by) == (
        "34",
        "30",
        officer,
    )
    assert {a.path: a.corrected for a in page.context["answers"]}["age"] is True


def test_each_answer_links_to_its_correction_asked_for_as_its_type_asks(
    officer, rich_form, collector
):
    item = _receive(collector, rich_form.project, rich_xml("uuid:t1"))
    client = _client(officer)
    url = reverse("collect:submission_detail", args=[item.pk])
    page = client.get(url).content.decode()
    # every correctable answer, repeat records' included, links to its correction; a
    # geopoint too (typed), a group's note too
    for path in ("alone", "needs", "age", "where", "g/note", "people%5B2%5D/page"):
        assert f'href="?correct={path}#correction-form"' in page, path
    # a select_one: its choices by label, the current one chosen, "no answer" first
    form = client.get(url, {"correct": "alone"}).context["correction_form"]
    assert form["path"].initial == "alone"
    assert form.fields["value"].choices == [
        ("", "(no answer)"),
        ("yes", "Yes (yes)"),
        ("no", "No (no)"),
    ]
    assert form["value"].initial == "yes"
    # a select_multiple: one box per choice, the current ones ticked
    form = client.get(url, {"correct": "needs"}).context["correction_form"]
    assert '<input type="checkbox" name="value" value="water"' in str(form["value"])
    assert form["value"].initial == ["food"]
    # a date with a date picker, a number as a number, each showing the current answer
    form = client.get(url, {"correct": "arrived"}).context["correction_form"]
    assert 'type="date"' in str(form["value"]) and 'value="2026-03-01"' in str(form["value"])
    form = client.get(url, {"correct": "people[1]/page"}).context["correction_form"]
    assert 'type="number"' in str(form["value"]) and 'value="7"' in str(form["value"])
    # text, and a path that names no field: typed, as before
    for path in ("point", "nowhere"):
        form = client.get(url, {"correct": path}).context["correction_form"]
        assert 'type="text"' in str(form["value"]), path


def test_choices_ticked_on_the_page_are_corrected_and_listed_by_label(
    officer, rich_form, collector
):
    item = _receive(collector, rich_form.project, rich_xml("uuid:t2"))
    client = _client(officer)
    url = reverse("collect:submission_detail", args=[item.pk])
    # a choice the list does not have is refused on the page, nothing written
    refused = client.post(
        url, {"action": "correct", "path": "needs", "value": ["food", "shelter"], "reason": "r"}
    )
    assert refused.status_code == 400
    assert not SubmissionCorrection.objects.exists()
    done = client.post(
        url, {"action": "correct", "path": "needs", "value": ["food", "water"], "reason": "r"}
    )
    assert done.status_code == 302
    # names typed with spaces, as a device sends them, are still read
    client.post(url, {"action": "correct", "path": "needs", "value": "water", "reason": "r2"})
    client.post(url, {"action": "correct", "path": "alone", "value": "no", "reason": "r3"})
    item.refresh_from_db()
    assert (item.data["needs"], item.data["alone"]) == (["water"], "no")
    rows = [(c.path, c.old_text, c.new_text) for c in client.get(url).context["corrections"]]
    assert rows == [
        ("needs", "Food", "Food, Water"),
        ("needs", "Food, Water", "Water"),
        ("alone", "Yes", "No"),
    ]


def test_a_post_without_an_action_is_refused(officer, rich_form, collector):
    item = _receive(collector, rich_form.project, rich_xml("uuid:x1"))
    response = _client(officer).post(reverse("collect:submission_detail", args=[item.pk]))
    assert response.status_code == 400


def test_the_submission_page_takes_a_fixed_number_of_queries(
    officer, rich_form, collector, django_assert_max_num_queries
):
    from puente.collect.services.corrections import submission_correct

    item = _receive(collector, rich_form.project, rich_xml("uuid:z1"))
    url = reverse("collect:submission_detail", args=[item.pk])
    client = _client(officer)
    submission_correct(acting_user=officer, submission=item, path="age", value="40", reason="first")
    with django_assert_max_num_queries(30) as one:
        client.get(url)
    for age, field in (("41", "age"), ("42", "age"), ("x", "point")):
        submission_correct(
            acting_user=officer, submission=item, path=field, value=age, reason="again"
        )
    with django_assert_max_num_queries(len(one.captured_queries)):
        client.get(url)


def test_the_point_of_the_flow_survey_is_found_in_its_group_and_groups_are_no_fields(
    officer, project
):
    # given the flow-monitoring survey the demo ships: `point` in the group `interview`
    workbook = DATA.parents[2] / "flows" / "data" / "flow-monitoring-survey.xlsx"
    form = form_publish(
        acting_user=None, project=project, name=workbook.name, content=workbook.read_bytes()
    ).version.form
    # when
    response = _client(officer).get(_list_url(form))
    # then
    filter_form = response.context["filter_form"]
    assert filter_form.fields["field"].initial == "interview/point"
    assert response.context["shown"] == "interview/point"
    choices = [value for value, _label in filter_form.fields["field"].choices]
    assert "profile/age" in choices
    assert "profile" not in choices  # the group's own bind
