"""Flow monitoring fed by submitted forms: a survey or a daily tally sheet sent as a
device sends it (XML through `submission_receive`) makes its survey summary or its daily
counts once the submission commits; an edit replaces them, a rejection withdraws them,
approval restores them, a correction reads the answers again; a submission that gives
no figures is kept all the same; `puente flows-rebuild` reads everything again."""

from __future__ import annotations

import base64
import datetime as dt
import json
import logging
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection, transaction

from puente.collect.models import Project, Submission
from puente.collect.services.publishing import form_publish, project_create
from puente.collect.services.review import submission_review
from puente.collect.services.submissions import submission_receive
from puente.collect.signals import submission_announce
from puente.core.errors import PermissionDenied
from puente.flows.models import FlowCount, FlowPoint, PointKind, Source, SurveySummary
from puente.flows.services import flow_counts_import
from puente.flows.submissions import flows_rebuild
from puente.flows.survey import DAILY_COUNT_WORKBOOK, WORKBOOK
from puente.reference.models import Country

pytestmark = pytest.mark.django_db
DAY = "2026-05-10"


@pytest.fixture(autouse=True)
def _media_root(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def project() -> Project:
    project = project_create(
        acting_user=None,
        code="fm-col",
        name="Flow monitoring Colombia",
        country=Country.objects.get(iso3="COL"),
    )
    for workbook in (WORKBOOK, DAILY_COUNT_WORKBOOK):
        form_publish(
            acting_user=None, project=project, name=workbook.name, content=workbook.read_bytes()
        )
    return project


@pytest.fixture
def point() -> FlowPoint:
    FlowPoint.objects.create(
        code="per-cebaf-tumbes",
        name="CEBAF Tumbes",
        kind=PointKind.BORDER_CROSSING,
        country=Country.objects.get(iso3="PER"),
    )
    return FlowPoint.objects.create(
        code="col-rumichaca",
        name="Rumichaca",
        kind=PointKind.BORDER_CROSSING,
        country=Country.objects.get(iso3="COL"),
    )


def survey_xml(
    instance_id: str,
    *,
    point: str = "col-rumichaca",
    consent: str = "yes",
    destination: str = "PER",
    deprecated_id: str = "",
) -> bytes:
    """A survey as ODK Collect writes it: two people travel with the respondent."""
    deprecated = f"<deprecatedID>{deprecated_id}</deprecatedID>" if deprecated_id else ""
    traveller = (
        "<travellers><traveller_relation>child</traveller_relation><traveller_sex>male"
        "</traveller_sex><traveller_age>{age}</traveller_age><traveller_disability>no"
        "</traveller_disability></travellers>"
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<data xmlns:jr="http://openrosa.org/javarosa" xmlns:orx="http://openrosa.org/xforms"'
        ' id="flow_monitoring_survey" version="2026010101">'
        "<start>2026-05-10T09:00:00.000-05:00</start><end>2026-05-10T09:12:00.000-05:00</end>"
        "<deviceid>collect:abc</deviceid>"
        f"<interview><point>{point}</point><survey_date>{DAY}</survey_date>"
        f"<location>0.816 -77.644 2900 5</location><consent>{consent}</consent></interview>"
        "<profile><nationality>VEN</nationality><sex>female</sex><age>34</age>"
        "<age_group>18-59</age_group><travels_with_others>yes</travels_with_others></profile>"
        f"{traveller.format(age=7)}{traveller.format(age=12)}<group_size>3</group_size>"
        "<route><origin_country>VEN</origin_country><departure_date>2026-04-20"
        "</departure_date><countries_transited>VEN COL</countries_transited>"
        f"<transport>walking</transport><destination>{destination}</destination>"
        "<destination_reasons>family work</destination_reasons>"
        "<return_intention>no</return_intention></route>"
        "<documents><documentation>national-id</documentation>"
        "<children_without_documents>no</children_without_documents></documents>"
        "<needs_group><needs>shelter food</needs></needs_group>"
        "<protection><protection_note/><incidents>theft</incidents>"
        "<incident_countries>COL</incident_countries><referred>no</referred></protection>"
        f"<meta><instanceID>{instance_id}</instanceID>{deprecated}"
        "<instanceName>col-rumichaca 2026-05-10</instanceName></meta></data>"
    ).encode()


def count_line(direction: str, nationality: str, sex: str, age: str, transport: str, people: int):
    other = ""
    if len(nationality) == 3 and nationality not in ("VEN", "COL"):
        nationality, other = "OTHER", nationality
    return (
        f"<lines><direction>{direction}</direction><nationality>{nationality}</nationality>"
        f"<nationality_other>{other}</nationality_other><sex>{sex}</sex>"
        f"<age_group>{age}</age_group><transport>{transport}</transport>"
        f"<people>{people}</people></lines>"
    )


def tally_xml(instance_id: str, lines: list[str], *, deprecated_id: str = "") -> bytes:
    """A daily tally sheet as ODK Collect writes it."""
    deprecated = f"<deprecatedID>{deprecated_id}</deprecatedID>" if deprecated_id else ""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<data xmlns:jr="http://openrosa.org/javarosa" xmlns:orx="http://openrosa.org/xforms"'
        ' id="flow_monitoring_daily_count" version="2026010101">'
        "<start>2026-05-10T18:00:00.000-05:00</start><end>2026-05-10T18:20:00.000-05:00</end>"
        "<deviceid>collect:abc</deviceid>"
        f"<point>col-rumichaca</point><count_date>{DAY}</count_date><lines_note/>"
        f"{''.join(lines)}<total_people>0</total_people><total_note/>"
        f"<meta><instanceID>{instance_id}</instanceID>{deprecated}</meta></data>"
    ).encode()


TALLY = [
    count_line("entry", "VEN", "female", "18-59", "walking", 12),
    count_line("entry", "VEN", "female", "18-59", "walking", 3),  # the same key: added
    count_line("exit", "COL", "male", "unknown", "bus", 4),
    count_line("entry", "SYR", "unknown", "unknown", "unknown", 2),
]


def send(project: Project, xml: bytes, capture: Any) -> Submission:
    with capture(execute=True):
        receipt = submission_receive(acting_user=None, project=project, xml=xml, files=[])
    assert receipt.submission is not None
    return receipt.submission


def summaries() -> list[Any]:
    return list(
        SurveySummary.objects.order_by("submission_id").values(
            "submission_id",
            "point__code",
            "date",
            "source",
            "nationality",
            "sex",
            "age_group",
            "group_size",
            "transport",
            "destination",
            "documentation",
            "needs",
            "incidents",
        )
    )


def counts() -> set[tuple]:
    return set(
        FlowCount.objects.values_list(
            "direction", "nationality", "sex", "age_group", "transport", "people", "submission_id"
        )
    )


def test_a_submitted_survey_makes_its_summary(project, point, django_capture_on_commit_callbacks):
    send(project, survey_xml("uuid:s1"), django_capture_on_commit_callbacks)
    assert summaries() == [
        {
            "submission_id": "uuid:s1",
            "point__code": "col-rumichaca",
            "date": dt.date(2026, 5, 10),
            "source": Source.FORM,
            "nationality": "VEN",
            "sex": "female",
            "age_group": "18-59",
            "group_size": 3,  # the respondent and two travellers
            "transport": "walking",
            "destination": "PER",
            "documentation": "national-id",
            "needs": ["food", "shelter"],
            "incidents": ["theft"],
        }
    ]


def test_a_tally_sheet_posted_to_the_openrosa_server_makes_its_counts(
    project, point, make_user, client, django_capture_on_commit_callbacks
):
    # given a data collector of the project, signing in as ODK Collect does (Basic)
    collector = make_user("data-collector", "project:fm-col", email="collector@example.org")
    collector.set_password("collect-pass-1")
    collector.save()
    token = base64.b64encode(b"collector@example.org:collect-pass-1").decode()
    xml = tally_xml("uuid:t1", TALLY)
    # when the device posts the sheet
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/collect/fm-col/submission",
            {"xml_submission_file": SimpleUploadedFile("submission.xml", xml, "text/xml")},
            HTTP_X_OPENROSA_VERSION="1.0",
            HTTP_AUTHORIZATION=f"Basic {token}",
        )
    # then
    assert response.status_code == 201
    assert sum(FlowCount.objects.values_list("people", flat=True)) == 15 + 4 + 2
    assert FlowCount.objects.filter(submission_id="uuid:t1").count() == 3


def test_with_a_worker_the_post_queues_the_figures_and_the_worker_makes_them(
    project, point, make_user, client, settings, monkeypatch, django_capture_on_commit_callbacks
):
    from django_tasks_db.management.commands import db_worker
    from django_tasks_db.models import DBTaskResult

    # given the setting a server runs with: figures made by the background worker
    settings.PUENTE_FLOWS_FIGURES = "worker"
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    collector = make_user("data-collector", "project:fm-col", email="collector@example.org")
    collector.set_password("collect-pass-1")
    collector.save()
    token = base64.b64encode(b"collector@example.org:collect-pass-1").decode()
    # when a device posts a survey
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/collect/fm-col/submission",
            {
                "xml_submission_file": SimpleUploadedFile(
                    "submission.xml", survey_xml("uuid:s1"), "text/xml"
                )
            },
            HTTP_X_OPENROSA_VERSION="1.0",
            HTTP_AUTHORIZATION=f"Basic {token}",
        )
    # then it is answered once stored, with its figures queued, not yet made
    assert response.status_code == 201
    assert SurveySummary.objects.count() == 0
    queued = DBTaskResult.objects.get()
    assert queued.task_path == "puente.flows.tasks.submission_figures_task"
    assert queued.status == "READY"
    # and the worker makes them (it closes connections it finds out of autocommit: here,
    # the test's own, so not in this test)
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)
    call_command("worker", batch=True, verbosity=0)
    queued.refresh_from_db()
    assert queued.status == "SUCCESSFUL"
    assert [s["submission_id"] for s in summaries()] == ["uuid:s1"]
    assert summaries()[0]["group_size"] == 3


def test_with_a_worker_the_task_is_queued_in_the_submission_s_own_transaction(
    project, point, settings
):
    from django_tasks_db.models import DBTaskResult

    settings.PUENTE_FLOWS_FIGURES = "worker"
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    # when the submission is stored, before anything commits (no commit hook runs here)
    submission_receive(acting_user=None, project=project, xml=survey_xml("uuid:s1"), files=[])
    # then its task is already queued: a process dying after the commit cannot lose it
    assert DBTaskResult.objects.get().args_kwargs["args"][0] == Submission.objects.get().pk
    # and when the submission's transaction is undone, its task goes with it
    with pytest.raises(RuntimeError), transaction.atomic():
        submission_receive(acting_user=None, project=project, xml=survey_xml("uuid:s2"), files=[])
        raise RuntimeError("the request failed after storing")
    assert DBTaskResult.objects.count() == 1
    assert list(Submission.objects.values_list("instance_id", flat=True)) == ["uuid:s1"]


def test_a_task_that_cannot_be_queued_loses_no_submission(
    project, point, settings, caplog, monkeypatch
):
    from django_tasks_db import DatabaseBackend

    settings.PUENTE_FLOWS_FIGURES = "worker"
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

    def fail(*args: Any) -> None:
        # a database error inside the submission's transaction
        with connection.cursor() as cursor:
            cursor.execute("SELECT * FROM no_such_table")

    monkeypatch.setattr(DatabaseBackend, "enqueue", fail)
    with caplog.at_level(logging.ERROR):
        submission_receive(acting_user=None, project=project, xml=survey_xml("uuid:s1"), files=[])
    # the transaction is still usable: the submission is there, and the failure logged
    assert Submission.objects.filter(instance_id="uuid:s1").exists()
    assert "were not queued" in caplog.text
    assert "flows-rebuild --project fm-col" in caplog.text


def test_nothing_happens_before_the_submission_commits(project, point):
    # without the commit (the test's transaction never commits) no listener runs
    submission_receive(acting_user=None, project=project, xml=survey_xml("uuid:s1"), files=[])
    assert SurveySummary.objects.count() == 0


def test_an_edit_replaces_what_the_edited_survey_gave(
    project, point, django_capture_on_commit_callbacks
):
    send(project, survey_xml("uuid:s1"), django_capture_on_commit_callbacks)
    send(
        project,
        survey_xml("uuid:s2", destination="CHL", deprecated_id="uuid:s1"),
        django_capture_on_commit_callbacks,
    )
    assert [(s["submission_id"], s["destination"]) for s in summaries()] == [("uuid:s2", "CHL")]


def test_a_rejection_withdraws_and_approval_restores(
    project, point, make_user, django_capture_on_commit_callbacks
):
    officer = make_user("platform-im-officer", "country:COL")
    submission = send(project, survey_xml("uuid:s1"), django_capture_on_commit_callbacks)
    before = summaries()
    with django_capture_on_commit_callbacks(execute=True):
        submission_review(
            acting_user=officer, submission=submission, status="rejected", reason="Duplicada"
        )
    assert summaries() == []
    with django_capture_on_commit_callbacks(execute=True):
        submission_review(acting_user=officer, submission=submission, status="approved")
    assert summaries() == before


def test_a_correction_reads_the_answers_again(project, point, django_capture_on_commit_callbacks):
    submission = send(project, survey_xml("uuid:s1"), django_capture_on_commit_callbacks)
    submission.data["route/destination"] = "ECU"
    submission.data["needs_group/needs"] = ["water"]
    submission.save(update_fields=["data"])
    with django_capture_on_commit_callbacks(execute=True):
        submission_announce(submission, outcome="corrected")
    (summary,) = summaries()
    assert (summary["destination"], summary["needs"]) == ("ECU", ["water"])


@pytest.mark.parametrize(
    "xml",
    [
        survey_xml("uuid:s1", point="col-nowhere"),  # no such point
        survey_xml("uuid:s1", point="per-cebaf-tumbes"),  # a point in another country
        survey_xml("uuid:s1", consent="no"),
    ],
    ids=["unknown-point", "point-of-another-country", "no-consent"],
)
def test_a_survey_without_figures_is_kept_all_the_same(
    project, point, xml, django_capture_on_commit_callbacks
):
    submission = send(project, xml, django_capture_on_commit_callbacks)
    assert summaries() == []
    kept = Submission.objects.get(pk=submission.pk)
    assert kept.xml.encode() == xml
    assert kept.data["interview/point"] in ("col-nowhere", "per-cebaf-tumbes", "col-rumichaca")


def test_a_tally_sheet_makes_the_daily_counts(project, point, django_capture_on_commit_callbacks):
    send(project, tally_xml("uuid:t1", TALLY), django_capture_on_commit_callbacks)
    assert counts() == {
        ("entry", "VEN", "female", "18-59", "walking", 15, "uuid:t1"),  # 12 + 3
        ("exit", "COL", "male", "unknown", "bus", 4, "uuid:t1"),
        ("entry", "SYR", "unknown", "unknown", "unknown", 2, "uuid:t1"),
    }
    assert set(FlowCount.objects.values_list("point__code", "date", "source")) == {
        ("col-rumichaca", dt.date(2026, 5, 10), Source.FORM)
    }


def test_an_edited_tally_sheet_replaces_and_a_rejection_withdraws(
    project, point, make_user, django_capture_on_commit_callbacks
):
    send(project, tally_xml("uuid:t1", TALLY), django_capture_on_commit_callbacks)
    edit = send(
        project,
        tally_xml(
            "uuid:t2",
            [count_line("exit", "COL", "male", "unknown", "bus", 5)],
            deprecated_id="uuid:t1",
        ),
        django_capture_on_commit_callbacks,
    )
    assert counts() == {("exit", "COL", "male", "unknown", "bus", 5, "uuid:t2")}
    officer = make_user("platform-im-officer", "country:COL")
    with django_capture_on_commit_callbacks(execute=True):
        submission_review(acting_user=officer, submission=edit, status="rejected", reason="Mal")
    assert counts() == set()


def test_two_sheets_of_a_key_the_later_stands_and_withdrawing_it_brings_back_the_earlier(
    project, point, make_user, django_capture_on_commit_callbacks
):
    officer = make_user("platform-im-officer", "country:COL")
    key = {"direction": "entry", "nationality": "VEN", "sex": "female", "age_group": "18-59"}
    send(project, tally_xml("uuid:t1", TALLY), django_capture_on_commit_callbacks)
    later = send(
        project,
        tally_xml("uuid:t2", [count_line("entry", "VEN", "female", "18-59", "walking", 9)]),
        django_capture_on_commit_callbacks,
    )
    assert FlowCount.objects.get(**key).people == 9
    with django_capture_on_commit_callbacks(execute=True):
        submission_review(acting_user=officer, submission=later, status="rejected", reason="Doble")
    assert (FlowCount.objects.get(**key).people, FlowCount.objects.count()) == (15, 3)
    with django_capture_on_commit_callbacks(execute=True):
        submission_review(acting_user=officer, submission=later, status="approved")
    assert FlowCount.objects.get(**key).submission_id == "uuid:t2"
    assert (FlowCount.objects.get(**key).people, FlowCount.objects.count()) == (9, 3)


def test_a_sheet_withdrawn_gives_back_its_keys_but_not_over_a_later_import(
    project, point, make_user, django_capture_on_commit_callbacks
):
    officer = make_user("platform-im-officer", "country:COL")
    exits = {"direction": "exit", "nationality": "COL"}
    entries = {"direction": "entry", "nationality": "VEN"}
    send(project, tally_xml("uuid:t1", TALLY), django_capture_on_commit_callbacks)
    header = "date,point,direction,nationality,sex,age_group,transport,people\n"
    row = f"{DAY},col-rumichaca,exit,COL,male,unknown,bus,30\n"
    flow_counts_import(source=(header + row).encode(), filename="counts.csv")
    later = send(
        project,
        tally_xml(
            "uuid:t2",
            [
                count_line("entry", "VEN", "female", "18-59", "walking", 9),
                count_line("exit", "COL", "male", "unknown", "bus", 8),
            ],
        ),
        django_capture_on_commit_callbacks,
    )
    assert (FlowCount.objects.get(**entries).people, FlowCount.objects.get(**exits).people) == (
        9,
        8,
    )
    with django_capture_on_commit_callbacks(execute=True):
        submission_review(acting_user=officer, submission=later, status="rejected", reason="Doble")
    # the sheet received earlier gives both keys back: no figure was written since t2's
    assert (FlowCount.objects.get(**entries).people, FlowCount.objects.get(**exits).people) == (
        15,
        4,
    )
    # an import after the sheets keeps its figure when another sheet is withdrawn
    row = f"{DAY},col-rumichaca,entry,VEN,female,18-59,walking,40\n"
    flow_counts_import(source=(header + row).encode(), filename="counts.csv")
    third = send(
        project,
        tally_xml("uuid:t3", [count_line("exit", "VEN", "male", "18-59", "car", 2)]),
        django_capture_on_commit_callbacks,
    )
    with django_capture_on_commit_callbacks(execute=True):
        submission_review(acting_user=officer, submission=third, status="rejected", reason="Mal")
    assert (FlowCount.objects.get(**entries).people, FlowCount.objects.get(**exits).people) == (
        40,
        4,
    )
    assert FlowCount.objects.count() == 3


def test_a_correction_that_is_not_a_code_leaves_no_figures_and_is_logged(
    project, point, caplog, django_capture_on_commit_callbacks
):
    submission = send(project, tally_xml("uuid:t1", TALLY), django_capture_on_commit_callbacks)
    submission.data["lines"][2]["sex"] = "hombre"
    submission.save(update_fields=["data"])
    with caplog.at_level(logging.WARNING), django_capture_on_commit_callbacks(execute=True):
        submission_announce(submission, outcome="corrected")
    assert counts() == set()
    assert "line 3, sex: 'hombre'" in caplog.text


def test_a_failing_listener_loses_no_submission(
    project, point, caplog, monkeypatch, django_capture_on_commit_callbacks
):
    def fail(**kwargs: Any) -> None:
        raise RuntimeError("database gone")

    monkeypatch.setattr("puente.flows.receivers.submission_figures_update", fail)
    with caplog.at_level(logging.ERROR):
        submission = send(project, survey_xml("uuid:s1"), django_capture_on_commit_callbacks)
    assert Submission.objects.filter(pk=submission.pk).exists()
    assert "flows-rebuild --project fm-col" in caplog.text


def test_a_form_figure_and_an_imported_one_of_the_same_key(
    project, point, django_capture_on_commit_callbacks
):
    # given an imported figure of a key the tally sheet gives too
    header = "date,point,direction,nationality,sex,age_group,transport,people\n"
    row = f"{DAY},col-rumichaca,entry,VEN,female,18-59,walking,20\n"
    flow_counts_import(source=(header + row).encode(), filename="counts.csv")
    key = {"direction": "entry", "nationality": "VEN", "sex": "female", "age_group": "18-59"}
    # when the form comes later, its figure replaces the import's
    send(project, tally_xml("uuid:t1", TALLY), django_capture_on_commit_callbacks)
    assert FlowCount.objects.get(**key).people == 15
    # and an import later still replaces the form's, which no longer owns the figure
    flow_counts_import(source=(header + row).encode(), filename="counts.csv")
    assert FlowCount.objects.get(**key).people == 20
    assert FlowCount.objects.get(**key).submission_id == ""


def rebuild(*args: str) -> dict[str, int]:
    out = StringIO()
    call_command("flows_rebuild", *args, "--format", "json", stdout=out)
    return json.loads(out.getvalue())


def test_flows_rebuild_reads_every_current_submission_and_is_idempotent(
    project, point, make_user, django_capture_on_commit_callbacks
):
    # given submissions whose listeners never ran (their transaction's commit is not seen)
    for instance_id in ("uuid:s1", "uuid:s2"):
        submission_receive(acting_user=None, project=project, xml=survey_xml(instance_id), files=[])
    submission_receive(
        acting_user=None,
        project=project,
        xml=survey_xml("uuid:s3", destination="CHL", deprecated_id="uuid:s2"),
        files=[],
    )
    submission_receive(acting_user=None, project=project, xml=tally_xml("uuid:t1", TALLY), files=[])
    rejected = submission_receive(
        acting_user=None, project=project, xml=survey_xml("uuid:s4"), files=[]
    ).submission
    assert rejected is not None
    submission_review(acting_user=None, submission=rejected, status="rejected", reason="Doble")
    # and a summary left behind by the rejected one
    SurveySummary.objects.create(point=point, date=DAY, submission_id="uuid:s4")
    assert summaries()[0]["submission_id"] == "uuid:s4"
    # when
    first = rebuild()
    state = (summaries(), counts())
    second = rebuild("--project", "fm-col")
    # then
    assert first == {
        "submissions": 3,  # s1, s3 (the edit of s2) and t1; s4 is rejected
        "summaries": 2,
        "tally_sheets": 1,
        "without_figures": 0,
        "withdrawn": 1,  # what s4 gave
    }
    assert [(s["submission_id"], s["destination"]) for s in state[0]] == [
        ("uuid:s1", "PER"),
        ("uuid:s3", "CHL"),
    ]
    assert len(state[1]) == 3
    assert second == {**first, "withdrawn": 0}
    assert (summaries(), counts()) == state


def test_flows_rebuild_says_what_it_read(project, point):
    submission_receive(acting_user=None, project=project, xml=survey_xml("uuid:s1"), files=[])
    submission_receive(
        acting_user=None, project=project, xml=survey_xml("uuid:s2", point="x"), files=[]
    )
    out = StringIO()
    call_command("flows_rebuild", "--language", "en", stdout=out)
    assert out.getvalue().startswith(
        "2 submissions read: 1 survey summaries, 0 daily tally sheets, 1 without figures"
    )


def test_flows_rebuild_by_a_person_needs_the_flows_role_over_the_project(project, point, make_user):
    submission_receive(acting_user=None, project=project, xml=survey_xml("uuid:s1"), files=[])
    with pytest.raises(PermissionDenied):
        flows_rebuild(project="fm-col", acting_user=make_user("platform-im-officer", "country:PER"))
    assert summaries() == []
    officer = make_user("platform-im-officer", "country:COL")
    assert flows_rebuild(project="fm-col", acting_user=officer).summaries == 1


def test_flows_rebuild_of_an_unknown_project_is_refused(project):
    with pytest.raises(CommandError, match="unknown_project"):
        rebuild("--project", "fm-nowhere")
