import csv
import io
import uuid

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


def test_dashboard_table_lists_countries_by_name_in_the_readers_language(
    client,
    make_user,
    world,  # noqa: F811
    settings,
):
    # given figures in Aruba (ABW) and Argentina (ARG): by ISO3, Aruba would come first
    add(world["A"], "HEA-02", 10, country="ABW", admin1="AW")
    add(world["A"], "HEA-02", 20, country="ARG", admin1="AR-C")
    cube_refresh(country_ids=list(Country.objects.values_list("id", flat=True)), year=YEAR)
    client.force_login(make_user("regional-admin", "region"))
    for language in ("en", "es", "pt"):
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        # when the region's table is read
        table = client.get(reverse("analytics:data"), params()).json()["table"]
        # then Argentina comes before Aruba
        assert [r["code"] for r in table] == ["ARG", "ABW"], language


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
    # A's own rows are listed, row by row
    assert {r.row.appealing_org.acronym for r in page.context["rows"]} == {"A"}
    # B's and C's rows reach A as one aggregate: how many, and what their kept rows add
    # (B's HEA-02 40 and C's 30; B's FSC-01 is dropped), so the figure still adds up
    assert page.context["hidden"] == 3 and page.context["hidden_counted"] == 70
    body = page.content.decode()
    assert "3 rows of other organisations are counted but not listed" in body
    assert "together their kept rows add 70 people" in body
    assert ">B<" not in body and ">C<" not in body and "of another organisation" not in body
    assert "Added to HEA-02 of A: 100" in body


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
    from django.db import connection

    from puente.reporting.models import ActivityRow

    client.force_login(make_user("regional-admin", "region"))
    rows = ActivityRow.objects.filter(country__iso3="COL")
    indicators = rows.values("indicator").distinct().count()
    # two of them read what is counted apart from people reached (figures_apart); the
    # indicator progress table reads the indicators' targets and rows (3), then runs each
    # indicator's rule on the database (the cube holds no indicator): 2 queries each, and
    # on PostgreSQL 4 more setting and resetting the rule's memory
    each = 2 + (4 if connection.vendor == "postgresql" else 0)
    with django_assert_max_num_queries(31 + 3 + each * indicators):
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


def exported(client):
    """The public CSV export's year-to-date figure per country."""
    content = client.get(reverse("public-export", args=["csv"]), params()).content
    return {
        r["country"]: r["consolidated"]
        for r in csv.DictReader(io.StringIO(content.decode("utf-8-sig")))
    }


def test_pages_and_json_show_new_figures_once_a_review_refreshes_the_cube(
    client, make_user, figures, django_capture_on_commit_callbacks
):
    import datetime as dt

    from puente.reference.models import Sector
    from puente.reporting.services.workflow import report_review

    # given: the figures have been read, so they are cached
    client.force_login(make_user("regional-admin", "region"))
    assert client.get(reverse("analytics:data"), params()).json()["headline"]["consolidated"] == 240
    public = client.get(reverse("public-dashboard-data"), params()).json()
    assert public["headline"]["consolidated"] == 240
    assert exported(client)["PER"] == "70"
    # when: rows of Peru are validated (the cube refreshes once the review is committed)
    add(figures["A"], "HEA-02", 500, country="PER", admin1="PE-LIM", status="submitted")
    coordinator = make_user("sector-coordinator", "sector:PER/HEA")
    with django_capture_on_commit_callbacks(execute=True):
        report_review(
            acting_user=coordinator,
            appealing_org=figures["A"],
            country=Country.objects.get(iso3="PER"),
            sector=Sector.objects.get(code="HEA"),
            month=dt.date(YEAR, 1, 1),
            decision="validated",
        )
    # then: every door shows the new figure (Peru: 70 in transit and 500 in destination)
    data = client.get(reverse("analytics:data"), params()).json()
    assert data["headline"]["consolidated"] == 740
    assert {r["code"]: r["consolidated"] for r in data["table"]}["PER"] == 570
    public = client.get(reverse("public-dashboard-data"), params()).json()
    assert public["headline"]["consolidated"] == 740
    assert exported(client)["PER"] == "570"


def test_a_cube_rebuild_from_the_cli_shows_on_the_dashboard(
    client, make_user, figures, django_capture_on_commit_callbacks
):
    from django.core.management import call_command

    client.force_login(make_user("regional-admin", "region"))
    assert client.get(reverse("analytics:data"), params()).json()["headline"]["consolidated"] == 240
    # rows changed outside Puente's services, then the documented rebuild
    add(figures["B"], "SHE-01", 900, country="ECU", admin1="EC-P")
    with django_capture_on_commit_callbacks(execute=True):  # the command's own commit
        call_command("cube_rebuild", "--year", str(YEAR), stdout=io.StringIO())
    data = client.get(reverse("analytics:data"), params()).json()
    assert data["headline"]["consolidated"] == 1140


def test_explain_pages_through_every_row_keeping_the_query(client, make_user, figures, monkeypatch):
    from puente.analytics import views

    monkeypatch.setattr(views, "EXPLAIN_PAGE_SIZE", 2)
    client.force_login(make_user("regional-admin", "region"))
    # given: the 5 rows behind Colombia's figure, 2 per page
    first = client.get(reverse("analytics:explain"), params(country="COL"))
    assert first.context["total_rows"] == 5 and len(first.context["rows"]) == 2
    body = first.content.decode()
    assert "Rows 1–2 of 5" in body
    assert f"?year={YEAR}&amp;month=1&amp;country=COL&amp;page=2" in body
    # when: every page is read
    seen, kept = [], 0
    for number in (1, 2, 3):
        page = client.get(reverse("analytics:explain"), params(country="COL", page=number))
        seen += [item.row.pk for item in page.context["rows"]]
        kept += sum(item.value for item in page.context["rows"] if item.counted)
        assert page.context["counted_on_page"] == sum(
            item.value for item in page.context["rows"] if item.counted
        )
    # then: each row once, and the kept rows of all pages are the figure
    assert len(seen) == len(set(seen)) == 5
    assert kept == first.context["figure"] == first.context["counted"] == 170
    assert "The kept rows add up to 170 people." in body


def test_explain_lists_the_rows_past_its_first_page(client, make_user, world):  # noqa: F811
    from puente.analytics import views
    from puente.reporting.models import ActivityRow

    # given: more rows than one page holds
    add(world["A"], "HEA-02", 1, country="COL", admin1="CO-ATL")
    template = ActivityRow.objects.get()
    copies = []
    for n in range(views.EXPLAIN_PAGE_SIZE + 3):
        template.pk = None
        template.row_key = uuid.uuid4()
        template.activity = f"activity copy {n}"
        copies.append(
            ActivityRow(
                **{
                    f.attname: getattr(template, f.attname)
                    for f in ActivityRow._meta.concrete_fields
                }
            )
        )
    ActivityRow.objects.bulk_create(copies)
    client.force_login(make_user("regional-admin", "region"))
    last = client.get(reverse("analytics:explain"), params(country="COL", page=2))
    # then: the second page holds the rows the first could not
    assert last.context["total_rows"] == views.EXPLAIN_PAGE_SIZE + 4
    assert len(last.context["rows"]) == 4
    assert last.context["counted"] == last.context["figure"]


def test_the_dashboard_opens_on_the_latest_month_with_validated_rows(client, make_user, figures):
    # given: January validated, February only submitted, organisation A appealing
    add(figures["A"], "HEA-02", 80, month=2, status="submitted")
    figures["A"].appealing = True
    figures["A"].save()
    client.force_login(make_user("regional-admin", "region"))
    # when: no period in the address
    data = client.get(reverse("analytics:data")).json()
    page = client.get(reverse("analytics:dashboard"))
    # then: January of the year with validated rows, not this month of this year
    assert (data["year"], data["month"]) == (YEAR, 1)
    assert data["headline"]["monthly"] == 240
    assert page.context["query"].month == 1 and page.context["query"].year == YEAR
    body = page.content.decode()
    assert f'data-url="/dashboard/data.json?year={YEAR}&amp;month=1"' in body
    # A is expected in its three countries and validated in Colombia only
    assert data["validated"] == {"expected": 3, "validated": 1, "share": 0.3333}
    assert "1 of 3 expected reports (33.3%)" in body
    # a year without a month opens on that year's latest validated month too
    assert client.get(reverse("analytics:data"), {"year": YEAR}).json()["month"] == 1


def test_months_by_name_and_countries_by_name_in_the_users_language(client, make_user, figures):
    import re

    client.force_login(make_user("regional-admin", "region"))
    es = client.get(reverse("analytics:dashboard"), params(), HTTP_ACCEPT_LANGUAGE="es")
    body = es.content.decode()
    month_select = body[
        body.index('id="f-month"') : body.index("</select>", body.index('id="f-month"'))
    ]
    assert '<option value="1" selected>Enero</option>' in month_select
    assert '<option value="9">Septiembre</option>' in month_select
    country_select = body[
        body.index('id="f-country"') : body.index("</select>", body.index('id="f-country"'))
    ]
    names = re.findall(r'<option value="[A-Z]{3}"[^>]*>([^<]+)</option>', country_select)
    assert (
        names.index("Perú") < names.index("República Dominicana") < names.index("Trinidad y Tobago")
    )
    assert names.index("Brasil") < names.index("Colombia")
    en = client.get(
        reverse("analytics:dashboard"), params(), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    en_select = en[en.index('id="f-country"') : en.index("</select>", en.index('id="f-country"'))]
    en_names = re.findall(r'<option value="[A-Z]{3}"[^>]*>([^<]+)</option>', en_select)
    assert (
        en_names.index("Curaçao") < en_names.index("Dominican Republic") < en_names.index("Ecuador")
    )


@pytest.mark.parametrize("thousand_separator", [False, True])
def test_years_and_months_are_never_grouped_in_spanish(
    client, make_user, figures, settings, thousand_separator
):
    # whatever the setting: years are printed as written
    settings.USE_THOUSAND_SEPARATOR = thousand_separator
    client.force_login(make_user("regional-admin", "region"))
    query = {"year": 2026, "month": 9, "country": "COL"}
    for url in (reverse("analytics:dashboard"), reverse("analytics:explain")):
        body = client.get(url, query, HTTP_ACCEPT_LANGUAGE="es").content.decode()
        assert "2026" in body, url
        assert "2.026" not in body and "2,026" not in body, url
    explain = client.get(reverse("analytics:explain"), query, HTTP_ACCEPT_LANGUAGE="es")
    assert "2026-09" in explain.content.decode()
    page = client.get(reverse("analytics:dashboard"), query, HTTP_ACCEPT_LANGUAGE="es")
    assert '<option value="2026" selected>2026</option>' in page.content.decode()
    assert "septiembre de 2026" in page.content.decode()
