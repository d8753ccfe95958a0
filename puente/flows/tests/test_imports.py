"""The flows imports: points by code, daily counts by key, errors naming row and column in
the user's language, nothing half-written, the keep-good-rows policy, the scope of a
user's import, and the form door replacing figures by key."""

import datetime as dt
import json

import pytest
from django.core.management import call_command
from django.utils import translation

from puente.core.models import AuditRecord
from puente.core.testing import csv_bytes, run_import, xlsx_bytes
from puente.flows.models import FlowCount, FlowPoint, SurveySummary
from puente.flows.services import (
    CountFigure,
    flow_counts_import,
    flow_counts_record,
    flow_counts_withdraw,
    flow_points_publish,
    survey_summary_from_answers,
    survey_summary_record,
)

pytestmark = pytest.mark.django_db

POINT_HEADER = ["code", "name", "kind", "country", "admin1", "admin2", "latitude", "longitude"]
POINTS = [
    ["col-cucuta-puente", "Puente Simón Bolívar", "border-crossing", "COL", "CO-NSA"],
    ["col-ipiales", "Rumichaca (Ipiales)", "paso fronterizo", "Colombia", "Nariño"],
    ["per-lima-terminal", "Terminal Plaza Norte", "bus-terminal", "PER", "Lima"],
]
PLACES = [
    ["Villa del Rosario", "7.8240", "-72.4590"],
    ["Ipiales", "0,8167", "-77.6440"],
    ["", "", ""],
]
POINTS = [point + place for point, place in zip(POINTS, PLACES, strict=True)]
COUNT_HEADER = [
    "date",
    "point",
    "direction",
    "nationality",
    "sex",
    "age_group",
    "transport",
    "people",
]
YESTERDAY = (dt.date.today() - dt.timedelta(days=1)).isoformat()
COUNTS = [
    [YESTERDAY, "col-cucuta-puente", "entry", "VEN", "female", "18-59", "walking", "120"],
    [YESTERDAY, "col-cucuta-puente", "entrada", "Venezuela", "mujer", "0-17", "a pie", "45"],
    [YESTERDAY, "col-cucuta-puente", "salida", "COL", "M", "60+", "bus", "7"],
    [YESTERDAY, "col-ipiales", "exit", "VE", "", "", "", "80"],
]  # fmt: skip


@pytest.fixture
def points(tmp_path, capsys):
    out = run_import(tmp_path, capsys, "flows-points", [POINT_HEADER, *POINTS])
    assert (out["imported"], out["errors"]) == (3, [])
    return {p.code: p for p in FlowPoint.objects.all()}


def test_imports_points_with_their_places_and_coordinates(points):
    cucuta, ipiales = points["col-cucuta-puente"], points["col-ipiales"]
    assert cucuta.admin1.iso_code == "CO-NSA"
    assert cucuta.admin2 == "Villa del Rosario"
    assert str(ipiales.latitude) == "0.816700"
    assert ipiales.kind == "border-crossing"
    assert points["per-lima-terminal"].latitude is None


def test_imports_counts_by_key_and_replaces_a_figure_imported_again(points, tmp_path, capsys):
    # given
    out = run_import(tmp_path, capsys, "flows-counts", [COUNT_HEADER, *COUNTS])
    assert (out["rows"], out["imported"], out["errors"]) == (4, 4, [])
    # when the same file comes back with one figure corrected
    corrected = [row[:] for row in COUNTS]
    corrected[0][-1] = "130"
    out = run_import(tmp_path, capsys, "flows-counts", [COUNT_HEADER, *corrected])
    # then
    assert (out["imported"], out["updated"], out["unchanged"]) == (0, 1, 3)
    assert FlowCount.objects.count() == 4
    assert FlowCount.objects.filter(direction="entry").order_by("-people")[0].people == 130
    unknown = FlowCount.objects.get(point__code="col-ipiales")
    assert (unknown.sex, unknown.age_group, unknown.transport) == ("unknown",) * 3
    assert AuditRecord.objects.filter(action="import.flows-counts").count() == 2


def test_reads_a_workbook_with_date_cells(points, tmp_path, capsys):
    path = tmp_path / "counts.xlsx"
    day = dt.date.today() - dt.timedelta(days=3)
    path.write_bytes(
        xlsx_bytes([COUNT_HEADER, [day, "col-ipiales", "entry", "VEN", "F", "", "", 12]])
    )
    call_command("import_data", "flows-counts", str(path), "--format", "json")
    assert FlowCount.objects.get().date == day


def test_errors_name_row_and_column_in_the_users_language_and_write_nothing(points):
    rows = [
        COUNT_HEADER,
        COUNTS[0],
        ["2999-01-01", "col-nowhere", "sideways", "Atlantis", "x", "5-10", "rocket", "-3"],
        COUNTS[0],
    ]
    with translation.override("es"):
        report = flow_counts_import(source=csv_bytes(rows), filename="c.csv")
        errors = {(e.row, e.column): (e.code, str(e.message)) for e in report.errors}
    assert FlowCount.objects.count() == 0
    assert errors[(3, "date")][0] == "date_in_future"
    assert errors[(3, "point")][0] == "unknown_point"
    assert errors[(3, "direction")][0] == "invalid_direction"
    assert errors[(3, "nationality")][0] == "unknown_nationality"
    assert errors[(3, "sex")][0] == "invalid_sex"
    assert errors[(3, "age_group")][0] == "invalid_age_group"
    assert errors[(3, "transport")][0] == "invalid_transport"
    assert errors[(3, "people")][0] == "negative_number"
    assert errors[(4, "people")][0] == "duplicate_row"
    assert "no es el código de un punto de monitoreo" in errors[(3, "point")][1]


def test_keep_good_rows_writes_the_valid_rows_and_reports_the_others(points):
    rows = [COUNT_HEADER, COUNTS[0], [YESTERDAY, "col-nowhere", "entry", "VEN", "", "", "", "3"]]
    report = flow_counts_import(source=csv_bytes(rows), filename="c.csv", policy="keep-good-rows")
    assert [(e.row, e.code) for e in report.errors] == [(3, "unknown_point")]
    assert (report.imported, FlowCount.objects.count()) == (1, 1)


def test_a_missing_column_refuses_the_file(points, tmp_path, capsys):
    out = run_import(
        tmp_path, capsys, "flows-counts", [COUNT_HEADER[:-1], COUNTS[0][:-1]], ok=False
    )
    assert [(e["row"], e["code"]) for e in out["errors"]] == [(1, "missing_header")]


def test_a_user_imports_counts_of_points_in_scope_only(points, make_user):
    officer = make_user("platform-im-officer", "country:PER")
    report = flow_counts_import(
        source=csv_bytes([COUNT_HEADER, COUNTS[0]]), filename="c.csv", acting_user=officer
    )
    assert [e.code for e in report.errors] == ["import_not_allowed"]
    assert FlowCount.objects.count() == 0
    viewer = make_user()
    report = flow_counts_import(
        source=csv_bytes([COUNT_HEADER, COUNTS[0]]), filename="c.csv", acting_user=viewer
    )
    assert [e.code for e in report.errors] == ["import_not_allowed"]
    colombia = make_user("platform-im-officer", "platform:colombia")
    report = flow_counts_import(
        source=csv_bytes([COUNT_HEADER, COUNTS[0]]), filename="c.csv", acting_user=colombia
    )
    assert report.ok and report.imported == 1


def test_a_form_records_counts_and_an_edit_replaces_them(points):
    # given a submitted tally sheet
    point, day = points["col-ipiales"], dt.date.today() - dt.timedelta(days=2)
    figures = [
        CountFigure(direction="entry", nationality="VEN", people=10, sex="female"),
        CountFigure(direction="entry", nationality="VEN", people=5, sex="female"),
        CountFigure(direction="exit", nationality="COL", people=3),
    ]
    assert flow_counts_record(
        point=point, date=day, figures=figures, submission_id="uuid:one", acting_user=None
    ) == (2, 0, 0)
    assert FlowCount.objects.get(direction="entry").people == 15
    # when the submission is edited: the old one is withdrawn, the new one recorded
    flow_counts_withdraw(submission_id="uuid:one", acting_user=None)
    flow_counts_record(
        point=point,
        date=day,
        figures=[CountFigure(direction="entry", nationality="VEN", people=12, sex="female")],
        submission_id="uuid:two",
        acting_user=None,
    )
    # then
    assert list(FlowCount.objects.values_list("people", "submission_id")) == [(12, "uuid:two")]


def test_a_survey_summary_is_replaced_by_its_submission(points):
    point, day = points["col-ipiales"], dt.date.today()
    for size in (3, 4):
        survey_summary_record(
            point=point,
            date=day,
            submission_id="uuid:s1",
            nationality="VEN",
            group_size=size,
            destination="PER",
            needs=["food", "health", "food"],
            incidents=["theft"],
            acting_user=None,
        )
    summary = SurveySummary.objects.get()
    assert (summary.group_size, summary.needs) == (4, ["food", "health"])


def test_cli_json_report_lists_row_errors(points, tmp_path, capsys):
    out = run_import(
        tmp_path,
        capsys,
        "flows-counts",
        [COUNT_HEADER, [YESTERDAY, "col-ipiales", "entry", "VEN", "", "", "", "lots"]],
        ok=False,
    )
    assert out["errors"][0] | {"message": ""} == {
        "row": 2,
        "column": "people",
        "code": "not_a_number",
        "message": "",
        "value": "lots",
    }
    assert json.dumps(out)


def test_a_survey_submission_fills_its_summary(points):
    answers = {
        "point": "col-ipiales",
        "survey_date": "2026-03-02",
        "consent": "yes",
        "nationality": "VEN",
        "sex": "female",
        "age": 34,
        "travellers": [{"traveller_age": 5}, {"traveller_age": 36}],
        "transport": "bus",
        "destination": "undecided",
        "documentation": "national-id",
        "needs": "food health",
        "incidents": ["none"],
    }
    summary = survey_summary_from_answers(answers=answers, submission_id="uuid:x", acting_user=None)
    assert (summary.group_size, summary.age_group, summary.destination) == (3, "18-59", "")
    assert (summary.needs, summary.incidents) == (["food", "health"], ["none"])
    answers["consent"] = "no"
    assert (
        survey_summary_from_answers(answers=answers, submission_id="uuid:y", acting_user=None)
        is None
    )


def test_a_survey_of_another_nationality_keeps_it_empty(points):
    answers = {"point": "col-ipiales", "consent": "yes", "nationality": "OTHER", "needs": ""}
    summary = survey_summary_from_answers(answers=answers, submission_id="uuid:z", acting_user=None)
    assert (summary.nationality, summary.needs, summary.group_size) == ("", [], 1)


def test_a_project_publishes_the_points_it_monitors(points, tmp_path, capsys):
    rows = [[*POINT_HEADER, "project"], [*POINTS[0], "fm-col-2026"], [*POINTS[1], "FM-COL-2026"]]
    run_import(tmp_path, capsys, "flows-points", rows)
    assert flow_points_publish(project="fm-col-2026", public=True, acting_user=None) == 2
    assert set(FlowPoint.objects.filter(public=True).values_list("code", flat=True)) == {
        "col-cucuta-puente",
        "col-ipiales",
    }
    assert flow_points_publish(project="fm-col-2026", public=True, acting_user=None) == 0
    assert AuditRecord.objects.filter(action="flows.points_published").count() == 1


def test_point_rows_with_errors_name_their_column_and_write_nothing(tmp_path, capsys):
    rows = [
        POINT_HEADER,
        ["p-one", "Uno", "airport", "COL", "Lima", "", "91", "-72"],
        ["p-two", "Dos", "route-point", "Narnia", "", "", "1", "east"],
        ["p-one", "Uno", "border", "COL", "", "", "", ""],
    ]
    out = run_import(tmp_path, capsys, "flows-points", rows, ok=False)
    got = {(e["row"], e["column"], e["code"]) for e in out["errors"]}
    assert got == {
        (2, "kind", "invalid_point_kind"),
        (2, "admin1", "unknown_admin1"),
        (2, "latitude", "invalid_coordinate"),
        (3, "country", "unknown_country"),
        (3, "longitude", "invalid_coordinate"),
    }
    assert FlowPoint.objects.count() == 0


def test_an_officer_may_not_move_a_point_out_of_another_country(points, make_user):
    from puente.flows.services import flow_points_import

    officer = make_user("platform-im-officer", "country:COL")
    row = ["per-lima-terminal", "Terminal", "bus-terminal", "COL", "", "", "", ""]
    report = flow_points_import(
        source=csv_bytes([POINT_HEADER, row]), filename="p.csv", acting_user=officer
    )
    assert [e.code for e in report.errors] == ["import_not_allowed"]
    assert FlowPoint.objects.get(code="per-lima-terminal").country.iso3 == "PER"


def test_a_survey_summary_reads_answers_keyed_by_their_path(points):
    answers = {
        "interview/point": "col-ipiales",
        "interview/survey_date": "2026-03-02",
        "interview/consent": "yes",
        "profile/nationality": "VEN",
        "profile/age": 64,
        "travellers": [],
        "route/transport": "walking",
        "route/destination": "CHL",
        "needs_group/needs": ["shelter"],
        "protection/incidents": ["theft", "extortion"],
    }
    summary = survey_summary_from_answers(answers=answers, submission_id="uuid:p", acting_user=None)
    assert (summary.age_group, summary.transport, summary.destination) == ("60+", "walking", "CHL")
    assert summary.incidents == ["extortion", "theft"]
