"""The flows dashboard for each reader: an IM officer sees their countries' points, a
regional admin every point, other roles nothing; the public page shows public points
only, with counts below 5 hidden; the export and the upload page."""

import datetime as dt
import json
import re

import pytest
from django.urls import reverse

from puente.core.testing import csv_bytes
from puente.flows.models import FlowCount, FlowPoint, SurveySummary
from puente.reference.models import Country

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 3, 2)


@pytest.fixture
def flows():
    colombia, peru = Country.objects.get(iso3="COL"), Country.objects.get(iso3="PER")
    cucuta = FlowPoint.objects.create(
        code="col-cucuta",
        name="Puente Simón Bolívar",
        kind="border-crossing",
        country=colombia,
        latitude="7.82",
        longitude="-72.46",
        public=True,
    )
    tumbes = FlowPoint.objects.create(
        code="per-tumbes", name="CEBAF Tumbes", kind="border-crossing", country=peru
    )
    for point, nationality, direction, people in [
        (cucuta, "VEN", "entry", 120),
        (cucuta, "VEN", "exit", 30),
        (cucuta, "HTI", "entry", 3),
        (tumbes, "VEN", "entry", 80),
    ]:
        FlowCount.objects.create(
            point=point, date=DAY, direction=direction, nationality=nationality, people=people
        )
    for i, needs in enumerate([["food", "health"], ["food"], ["food"], ["food"], ["food"]]):
        SurveySummary.objects.create(
            point=cucuta,
            date=DAY,
            submission_id=f"uuid:{i}",
            nationality="VEN",
            destination="PER" if i else "CHL",
            needs=needs,
            incidents=["theft"] if i == 0 else [],
        )
    return {"cucuta": cucuta, "tumbes": tumbes}


def _data(response):
    match = re.search(
        r'<script id="flows-chart-data" type="application/json">(.*?)</script>',
        response.content.decode(),
        re.S,
    )
    return json.loads(match.group(1))


def test_an_im_officer_sees_the_points_of_their_country_only(client, make_user, flows):
    client.force_login(make_user("platform-im-officer", "country:COL"))
    response = client.get(reverse("flows:dashboard"))
    assert response.status_code == 200
    data = _data(response)
    assert [p["code"] for p in data["by_point"]] == ["col-cucuta"]
    assert data["totals"] == {"entry": 123, "exit": 30, "net": 93}
    assert {n["code"]: n["entry"] for n in data["nationalities"]} == {"VEN": 120, "HTI": 3}
    assert {n["code"]: n["surveys"] for n in data["needs"]} == {"food": 5, "health": 1}
    assert data["destinations"][0] == {
        "code": "PER",
        "label": "Peru",
        "surveys": 4,
        "share": 0.8,
    }
    assert data["by_week"] == [{"week": "2026-03-02", "label": "March 2", "entry": 123, "exit": 30}]


def test_a_regional_admin_sees_every_point_and_filters_by_country(client, make_user, flows):
    client.force_login(make_user("regional-admin", "region"))
    data = _data(client.get(reverse("flows:dashboard")))
    assert {p["code"] for p in data["by_point"]} == {"col-cucuta", "per-tumbes"}
    data = _data(client.get(reverse("flows:dashboard"), {"country": "PER"}))
    assert [p["code"] for p in data["by_point"]] == ["per-tumbes"]


def test_other_roles_are_refused(client, make_user, flows, organisation):
    client.force_login(make_user("partner-reporter", "organisation:FPRU"))
    assert client.get(reverse("flows:dashboard")).status_code == 403
    assert client.get(reverse("flows:import")).status_code == 403


def test_the_public_page_shows_public_points_and_hides_counts_below_five(client, flows):
    data = _data(client.get(reverse("public-flows")))
    assert [p["code"] for p in data["by_point"]] == ["col-cucuta"]
    # a nationality or destination of fewer than 5 people is not named: it joins the rest
    assert {n["code"]: n["entry"] for n in data["nationalities"]} == {"VEN": 120, "other": None}
    assert [(d["code"], d["surveys"]) for d in data["destinations"]] == [("other", 5)]
    assert {n["code"]: n["surveys"] for n in data["needs"]} == {"food": 5, "health": None}
    assert data["incidents"] == [
        {"code": "theft", "label": "Theft or robbery", "surveys": None, "share": None}
    ]
    assert data["totals"]["net"] is None


def test_a_bad_filter_answers_400_with_the_page(client, make_user, flows):
    client.force_login(make_user("regional-admin", "region"))
    response = client.get(reverse("flows:dashboard"), {"start": "2026-03-05", "end": "2026-03-01"})
    assert response.status_code == 400


def test_the_dashboard_reads_a_fixed_number_of_queries(
    client, make_user, flows, django_assert_max_num_queries
):
    client.force_login(make_user("regional-admin", "region"))
    for i in range(30):
        FlowPoint.objects.create(
            code=f"p{i}", name=f"P{i}", kind="route-point", country=flows["cucuta"].country
        )
    with django_assert_max_num_queries(25):
        client.get(reverse("flows:dashboard"))


def test_the_export_imports_again(client, make_user, flows):
    client.force_login(make_user("platform-im-officer", "country:COL"))
    response = client.get(reverse("flows:export", args=["csv"]), {"start": "2026-03-01"})
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0] == "date,point,direction,nationality,sex,age_group,transport,people"
    assert len(lines) == 4


def test_the_upload_page_imports_counts_with_the_chosen_policy(client, make_user, flows):
    client.force_login(make_user("platform-im-officer", "country:COL"))
    header = ["date", "point", "direction", "nationality", "people"]
    content = csv_bytes([header, ["2026-03-03", "col-cucuta", "entry", "VEN", "9"], ["x"] * 5])
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(
        reverse("flows:import"),
        {
            "import_kind": "counts",
            "policy": "keep-good-rows",
            "file": SimpleUploadedFile("counts.csv", content),
        },
    )
    assert response.status_code == 200
    assert FlowCount.objects.filter(date=dt.date(2026, 3, 3)).get().people == 9
    assert "The good rows were kept" in response.content.decode()


@pytest.mark.parametrize(
    "language,words",
    [
        ("es", ["Monitoreo de flujos", "Entradas", "Salidas", "Necesidades", "Perú"]),
        ("pt", ["Monitoramento de fluxos", "Entradas", "Saídas", "Necessidades", "Peru"]),
    ],
)
def test_the_pages_speak_the_readers_language(client, make_user, flows, language, words):
    client.force_login(make_user("regional-admin", "region"))
    client.cookies["django_language"] = language
    page = client.get(reverse("flows:dashboard"), {"start": "2026-03-01"}).content.decode()
    for word in words:
        assert word in page
    public = client.get(reverse("public-flows")).content.decode()
    assert words[0] in public
    upload = client.get(reverse("flows:import")).content.decode()
    assert {"es": "Conteos diarios", "pt": "Contagens diárias"}[language] in upload


def test_an_exported_file_imports_again_unchanged(client, make_user, flows):
    from puente.flows.services import flow_counts_import

    FlowCount.objects.filter(nationality="HTI").update(sex="female", age_group="60+")
    client.force_login(make_user("regional-admin", "region"))
    for file_format in ("csv", "xlsx", "hxl"):
        response = client.get(reverse("flows:export", args=[file_format]), {"start": "2026-03-01"})
        name = "counts.csv" if file_format == "hxl" else f"counts.{file_format}"
        report = flow_counts_import(source=response.content, filename=name)
        assert (report.errors, report.rows, report.unchanged) == ([], 4, 4)
