"""The review page: decisions keep the filters, a refused decision is an error beside its
form, decisions on the whole filtered queue, a preview of a submission's rows, and names
where people expect them."""

import datetime as dt
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from puente.reporting.models import ActivityRow, ReviewDecision
from puente.reporting.services.imports import rows_import
from puente.reporting.tests.conftest import good_row, last_month

pytestmark = pytest.mark.django_db


@pytest.fixture
def submitted(orgs):
    """ORGA's rows of last month in Colombia (health twice, protection, child protection)
    and Peru (health), all submitted."""
    report = rows_import(
        rows=enumerate(
            [
                good_row(),
                good_row(admin1="Bolívar", admin2="Cartagena"),
                good_row(indicator="PRO-01"),
                good_row(indicator="PRO-CP-01"),
                good_row(country="PER", admin1="Lima", admin2=""),
            ],
            start=2,
        ),
        acting_user=None,
    )
    assert report.ok, report.errors
    return ActivityRow.objects.all()


def decide(**fields):
    return {"appealing_org": "ORGA", "country": "COL", "month": last_month(), **fields}


def test_a_decision_returns_to_the_review_page_with_its_filters(client, submitted, make_user):
    # given a health coordinator looking at Colombia's submissions of last month
    client.force_login(make_user("sector-coordinator", "sector:COL/HEA"))
    filters = f"country=COL&month={last_month()}&status=submitted"
    page = client.get(f"{reverse('reporting:review')}?{filters}")
    assert f'name="filters" value="{filters.replace("&", "&amp;")}"' in page.content.decode()
    # when they validate the health group
    response = client.post(
        reverse("reporting:review_decide"),
        decide(sector="HEA", decision="validated", filters=filters),
    )
    # then they are back on the page with the same filters
    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert location.path == reverse("reporting:review")
    assert parse_qs(location.query) == parse_qs(filters)
    assert ActivityRow.objects.filter(status="validated").count() == 2


def test_a_decision_never_redirects_off_the_site(client, submitted, make_user):
    client.force_login(make_user("sector-coordinator", "sector:COL/HEA"))
    # (the page's older field name `org`, read as `appealing_org`)
    response = client.post(
        reverse("reporting:review_decide"),
        {
            "org": "ORGA",
            "country": "COL",
            "month": last_month(),
            "sector": "HEA",
            "decision": "validated",
            "next": "https://evil.example/",
            "filters": "//x",
        },
    )
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("reporting:review"))
    assert ActivityRow.objects.filter(status="validated").count() == 2


def test_returning_without_a_comment_is_an_error_beside_the_form(client, submitted, make_user):
    client.force_login(make_user("sector-coordinator", "sector:COL/HEA"))
    response = client.post(
        reverse("reporting:review_decide"),
        decide(sector="HEA", decision="returned", comment="  ", filters="country=COL"),
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Say why the rows are returned." in page
    assert '<ul class="messages">' not in page
    failed = [item for item in response.context["items"] if item["errors"]]
    assert [item["group"].sector.code for item in failed] == ["HEA"]
    assert not ActivityRow.objects.exclude(status="submitted").exists()
    assert not ReviewDecision.objects.exists()


def test_the_count_of_rows_updated_is_singular_or_plural(client, submitted, make_user):
    client.force_login(make_user("sector-coordinator", "sector:COL/PRO"))
    response = client.post(
        reverse("reporting:review_decide"),
        decide(sector="PRO-CP", decision="validated"),
        follow=True,
    )
    assert "1 row updated." in response.content.decode()
    response = client.post(
        reverse("reporting:review_decide"),
        decide(country="COL", sector="PRO", decision="returned", comment="Faltan datos"),
        follow=True,
    )
    # the page decides on exactly the group it shows: PRO's own row, not PRO-CP's
    assert "1 row updated." in response.content.decode()
    assert dict(ActivityRow.objects.values_list("indicator__code", "status")) == {
        "HEA-02": "submitted",
        "PRO-01": "returned",
        "PRO-CP-01": "validated",
    }


def test_the_regional_admin_is_told_who_decides(client, submitted, make_user):
    client.force_login(make_user("regional-admin", "region"))
    response = client.get(reverse("reporting:review"))
    items = response.context["items"]
    assert items and not any(i["group"].can_review or i["group"].can_submit for i in items)
    page = response.content.decode()
    assert "Validated or returned by the country&#x27;s sector coordinator" in page
    assert "validated or returned by the sector coordinator of their country" in page


def test_review_page_shows_names_of_countries_and_sectors(client, submitted, make_user):
    client.force_login(make_user("regional-admin", "region"))
    page = client.get(reverse("reporting:review"), HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert '<td title="PER">Perú</td>' in page
    assert "Salud" in page and '<small class="note">HEA</small>' in page
    assert '<abbr title="Organización A">ORGA</abbr>' in page


def test_rows_page_shows_country_names_and_organisation_names(client, submitted, make_user):
    client.force_login(make_user("regional-admin", "region"))
    page = client.get(reverse("reporting:rows"), HTTP_ACCEPT_LANGUAGE="pt").content.decode()
    assert '<td title="COL">Colômbia</td>' in page
    assert '<abbr title="Organización A">ORGA</abbr>' in page


def test_one_decision_on_every_submission_matching_the_filters(client, submitted, make_user):
    # given a protection coordinator of Colombia, filtering on protection
    client.force_login(make_user("sector-coordinator", "sector:COL/PRO"))
    filters = "sector=PRO"
    page = client.get(f"{reverse('reporting:review')}?{filters}")
    assert (page.context["bulk_groups"], page.context["bulk_rows"]) == (2, 2)
    assert "Validate these 2 rows" in page.content.decode()
    # when they validate them all, confirming the count they saw
    response = client.post(
        reverse("reporting:review_decide_all"),
        {"decision": "validated", "filters": filters, "expected_rows": "2"},
    )
    # then both protection groups are validated, nothing else, and the filters stay
    assert response.status_code == 302
    assert urlsplit(response["Location"]).query == filters
    assert dict(ActivityRow.objects.values_list("indicator__code", "status")) == {
        "HEA-02": "submitted",
        "PRO-01": "validated",
        "PRO-CP-01": "validated",
    }
    assert ReviewDecision.objects.count() == 2


def test_a_decision_on_the_whole_set_is_refused_when_the_set_changed(client, submitted, make_user):
    client.force_login(make_user("sector-coordinator", "sector:COL/PRO"))
    response = client.post(
        reverse("reporting:review_decide_all"),
        {"decision": "validated", "filters": "sector=PRO", "expected_rows": "1"},
    )
    assert response.status_code == 400
    assert "changed since the page was shown" in response.content.decode()
    assert not ActivityRow.objects.filter(status="validated").exists()


def test_returning_the_whole_set_needs_a_comment_and_changes_nothing_without(
    client, submitted, make_user
):
    client.force_login(make_user("sector-coordinator", "sector:COL/PRO"))
    response = client.post(
        reverse("reporting:review_decide_all"),
        {"decision": "returned", "filters": "", "expected_rows": "2"},
    )
    assert response.status_code == 400
    assert response.context["bulk_errors"] == ["Say why the rows are returned."]
    assert not ActivityRow.objects.exclude(status="submitted").exists()


def test_preview_lists_the_rows_of_one_submission(client, submitted, make_user):
    client.force_login(make_user("sector-coordinator", "sector:COL/HEA"))
    review = client.get(reverse("reporting:review"), {"country": "COL"})
    item = next(i for i in review.context["items"] if i["group"].sector.code == "HEA")
    assert (
        f"{reverse('reporting:review_rows')}?{item['preview']}".replace("&", "&amp;")
        in review.content.decode()
    )
    response = client.get(f"{reverse('reporting:review_rows')}?{item['preview']}")
    assert response.status_code == 200
    assert sorted(r.admin1.name for r in response.context["page"]) == ["Atlántico", "Bolívar"]
    assert response.context["group"].can_review
    assert response.context["back_url"] == f"{reverse('reporting:review')}?country=COL"


def test_preview_without_a_whole_group_says_what_is_missing(client, submitted, make_user):
    client.force_login(make_user("sector-coordinator", "sector:COL/HEA"))
    response = client.get(reverse("reporting:review_rows"), {"country": "PERU"})
    assert response.status_code == 400
    assert response.context["form"].errors["country"]


def test_review_decision_input_is_parsed_once_for_page_and_api(client, submitted, make_user):
    client.force_login(make_user("sector-coordinator", "sector:COL/HEA"))
    response = client.post(
        reverse("reporting:review_decide"), decide(sector="HEALTH", decision="validated")
    )
    assert response.status_code == 400
    assert "HEALTH is not a sector code" in response.content.decode()


def test_months_on_the_spanish_review_and_rows_pages_are_never_grouped(client, orgs, make_user):
    # given a row of 2026 with four-digit figures, and a Spanish-speaking admin
    month = dt.date.today().replace(day=1) - dt.timedelta(days=1)
    report = rows_import(
        rows=[
            (
                2,
                good_row(
                    total_monthly="1500",
                    new_beneficiaries="1200",
                    girls="300",
                    boys="300",
                    women="300",
                    men="300",
                    other="0",
                    disability="2",
                ),
            )
        ],
        acting_user=None,
    )
    assert report.ok, report.errors
    client.force_login(make_user("regional-admin", "region"))
    year = str(month.year)
    grouped_year = f"{year[0]}.{year[1:]}"
    # when they filter by year on the rows page, in Spanish
    page = client.get(
        reverse("reporting:rows"), {"year": year}, HTTP_ACCEPT_LANGUAGE="es"
    ).content.decode()
    # then the year and month print as written, the figures grouped the Spanish way
    assert f'value="{year}"' in page and month.strftime("%Y-%m") in page
    assert grouped_year not in page
    assert "1.500" in page and "1.200" in page
    review = client.get(
        reverse("reporting:review"), {"year": year}, HTTP_ACCEPT_LANGUAGE="es"
    ).content.decode()
    assert month.strftime("%Y-%m") in review and grouped_year not in review


def test_review_page_lists_without_n_plus_one(
    client, submitted, make_user, django_assert_max_num_queries
):
    # (about 19 queries whatever the number of groups: 2 for a coordinator, 4 here)
    client.force_login(make_user("partner-reporter", "organisation:ORGA"))
    # the page's own queries and the menu's (roles and the organisation their scope
    # names; projects the user manages)
    with django_assert_max_num_queries(22):
        response = client.get(reverse("reporting:review"))
    assert response.status_code == 200 and len(response.context["items"]) == 4
