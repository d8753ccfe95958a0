import csv
import io

import hxl
import pytest
from django.urls import reverse

from puente.analytics.services.cube import cube_refresh
from puente.analytics.tests.test_consolidation import YEAR, add, world  # noqa: F401
from puente.reference.models import Country

pytestmark = pytest.mark.django_db


@pytest.fixture
def figures(world):  # noqa: F811
    add(world["A"], "HEA-02", 100, country="COL", admin1="CO-ATL")
    add(world["A"], "HEA-03", 60, country="COL", admin1="CO-ATL")  # dropped: A's HEA-02 larger
    add(world["B"], "HEA-02", 40, country="COL", admin1="CO-ATL")
    add(world["B"], "FSC-01", 90, country="COL", admin1="CO-ATL")  # dropped: HEA (140) larger
    add(world["C"], "PRO-CP-01", 30, country="COL", admin1="CO-ANT")
    add(world["C"], "HTR-01", 70, country="PER", admin1="PE-LIM", group="in-transit")
    cube_refresh(country_ids=list(Country.objects.values_list("id", flat=True)), year=YEAR)
    return world


def params(**extra):
    return {"year": YEAR, "month": 1, **extra}


def test_dashboard_data_drills_from_region_to_admin1(client, make_user, figures):
    client.force_login(make_user("platform-im-officer", "country:COL"))
    region = client.get(reverse("analytics:data"), params()).json()
    assert region["level"] == "region" and region["headline"]["consolidated"] == 240
    assert {r["code"]: r["consolidated"] for r in region["table"]} == {"COL": 170, "PER": 70}
    country = client.get(reverse("analytics:data"), params(country="COL")).json()
    assert {r["code"]: r["consolidated"] for r in country["table"]} == {"CO-ANT": 30, "CO-ATL": 140}
    assert {a["code"]: a["value"] for a in country["map"]} == {"CO-ANT": 30, "CO-ATL": 140}
    admin1 = client.get(reverse("analytics:data"), params(admin1="CO-ATL")).json()
    assert admin1["level"] == "admin1"
    assert {r["code"]: r["consolidated"] for r in admin1["table"]} == {"HEA": 140, "FSC": 90}
    assert [t["consolidated"] for t in region["trend"]] == [240]


def test_explain_lists_the_rows_and_the_kept_ones_add_up(client, make_user, figures):
    client.force_login(make_user("regional-admin", "region"))
    page = client.get(reverse("analytics:explain"), params(country="COL"))
    rows = page.context["rows"]
    assert page.context["figure"] == 170
    assert sum(r.value for r in rows if r.counted) == 170
    dropped = {r.row.indicator.code for r in rows if not r.counted}
    assert dropped == {"HEA-03", "FSC-01"}
    body = page.content.decode()
    assert "Dropped: another indicator of A reached more people in this sector" in body
    assert "Dropped: another sector reached more people" in body


def test_partner_viewer_sees_other_organisations_only_as_aggregates(client, make_user, figures):
    client.force_login(make_user("partner-viewer", "organisation:A"))
    data = client.get(reverse("analytics:data"), params()).json()
    assert data["headline"]["consolidated"] == 240
    page = client.get(reverse("analytics:explain"), params(country="COL"))
    visible = {r.row.appealing_org.acronym for r in page.context["rows"] if r.visible}
    assert visible == {"A"}
    assert page.context["hidden"] == 3
    body = page.content.decode()
    assert "another organisation" in body
    assert ">B<" not in body and ">C<" not in body


def test_dashboards_need_a_reporting_role_but_the_public_page_does_not(client, make_user, figures):
    assert client.get(reverse("analytics:dashboard")).status_code == 302
    client.force_login(make_user("cfm-operator", "country:COL"))
    assert client.get(reverse("analytics:data"), params()).status_code == 403
    client.logout()
    public = client.get(reverse("public-dashboard-data"), params()).json()
    assert public["headline"]["consolidated"] == 240
    assert public["headline"]["explain_url"] is None
    assert all(r["explain_url"] is None for r in public["table"])
    assert client.get(reverse("public-dashboard"), params()).status_code == 200


def test_public_figures_count_validated_rows_only(client, figures):
    add(figures["A"], "SHE-01", 999, status="submitted")
    cube_refresh(country_ids=list(Country.objects.values_list("id", flat=True)), year=YEAR)
    assert (
        client.get(reverse("public-dashboard-data"), params()).json()["headline"]["consolidated"]
        == 240
    )


def test_exports_csv_xlsx_and_hxl(client, make_user, figures):
    client.force_login(make_user("regional-admin", "region"))
    content = client.get(reverse("analytics:export", args=["csv"]), params()).content
    rows = list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))
    assert [(r["country"], r["consolidated"]) for r in rows] == [("COL", "170"), ("PER", "70")]
    hxl_content = client.get(
        reverse("public-export", args=["hxl"]), params(table="population_group")
    ).content
    dataset = hxl.data(io.BytesIO(hxl_content), hxl.input.InputOptions(allow_local=True))
    assert "#population+type" in [c.display_tag for c in dataset.columns]
    values = {row.get("#population+type"): row.get("#reached+consolidated") for row in dataset}
    assert values == {"in-destination": "170", "in-transit": "70"}
    xlsx = client.get(reverse("analytics:export", args=["xlsx"]), params(table="sector"))
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")


def test_exported_names_cannot_become_formulas(client, make_user, figures):
    from puente.reference.models import Admin1

    Admin1.objects.filter(iso_code="CO-ATL").update(name="=cmd|' /C calc'!A0")
    client.force_login(make_user("regional-admin", "region"))
    content = client.get(reverse("analytics:export", args=["csv"]), params(country="COL"))
    text = content.content.decode("utf-8-sig")
    assert "'=cmd" in text and ",=cmd" not in text


def test_completeness_lists_organisations_that_have_not_reported(client, make_user, figures):
    client.force_login(make_user("platform-im-officer", "country:COL"))
    page = client.get(reverse("analytics:dashboard"), params(country="COL"))
    completeness = page.context["completeness"]
    assert completeness["expected"] == 0  # the test organisations are not appealing
    figures["A"].appealing = True
    figures["A"].save()
    page = client.get(reverse("analytics:dashboard"), params(country="COL", month=2))
    assert [o.acronym for o in page.context["completeness"]["missing"]] == ["A"]


def test_dashboard_json_reads_the_cube_in_few_queries(
    client, make_user, figures, django_assert_max_num_queries
):
    client.force_login(make_user("regional-admin", "region"))
    with django_assert_max_num_queries(30):
        client.get(reverse("analytics:data"), params(country="COL"))


def test_every_chart_figure_links_to_its_explanation(client, make_user, figures):
    client.force_login(make_user("regional-admin", "region"))
    data = client.get(reverse("analytics:data"), params(country="COL")).json()
    for series in ("table", "by_sector", "by_population_group", "trend", "map"):
        assert data[series], series
        assert all(item["explain_url"].startswith("/dashboard/explain/?") for item in data[series])
    area = next(a for a in data["map"] if a["code"] == "CO-ATL")
    assert "admin1=CO-ATL" in area["explain_url"]
    page = client.get(area["explain_url"])
    assert page.context["figure"] == area["value"]
