"""API paging and answers outside the views: a page has a ceiling, paging parameters are
whole numbers or a 400 in the API's error shape, and a 404 under /api/ is JSON."""

import pytest
from django.urls import reverse

from puente.partners.models import Organisation

pytestmark = pytest.mark.django_db

PAGED = ["api-5w-rows", "api-organisations"]


@pytest.fixture
def admin_client(client, make_user):
    client.force_login(make_user("regional-admin", "region"))
    return client


@pytest.mark.parametrize("name", PAGED)
@pytest.mark.parametrize(
    "query",
    [
        "limit=99999999999999999999",
        "offset=99999999999999999999",
        "limit=0",
        "limit=-5",
        "limit=abc",
        "limit=1.5",
        "limit=",
        "offset=null",
        "offset=-1",
        "limit=%EF%BC%95",  # a full-width digit five
    ],
)
def test_invalid_paging_is_a_400_in_the_api_error_shape(admin_client, name, query):
    response = admin_client.get(f"{reverse(name)}?{query}")
    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"error"}
    assert body["error"]["code"] == "invalid_paging"
    assert set(body["error"]) == {"code", "message", "detail"}


def test_a_page_is_never_larger_than_the_ceiling(admin_client, settings):
    # given five organisations and a ceiling of two rows a page
    settings.PUENTE_API_MAX_PAGE_SIZE = 2
    for n in range(5):
        Organisation.objects.create(name=f"Org {n}", acronym=f"ORG{n}", type="ingo")
    # when a caller asks for a hundred thousand
    body = admin_client.get(reverse("api-organisations") + "?limit=100000").json()
    # then it gets one page of two, and a link to the next
    assert body["count"] == 5
    assert len(body["results"]) == 2
    assert "limit=2" in body["next"]


def test_an_offset_beyond_the_rows_is_an_empty_page(admin_client):
    body = admin_client.get(reverse("api-organisations") + "?offset=999999999999").json()
    assert body["results"] == []


def test_the_schema_states_the_paging_bounds(admin_client):
    schema = admin_client.get("/api/schema/?format=json").json()
    parameters = {
        p["name"]: p["schema"] for p in schema["paths"]["/api/organisations/"]["get"]["parameters"]
    }
    assert parameters["limit"]["minimum"] == 1
    assert parameters["offset"]["minimum"] == 0


def test_an_indicator_without_subsector_is_null_and_the_schema_allows_it(admin_client):
    body = admin_client.get(reverse("api-indicators")).json()
    assert any(i["subsector"] is None for i in body)
    schema = admin_client.get("/api/schema/?format=json").json()
    field = schema["components"]["schemas"]["Indicator"]["properties"]["subsector"]
    assert field.get("nullable") is True


def test_a_status_that_is_no_status_is_refused(admin_client):
    response = admin_client.get(reverse("api-5w-rows") + "?status=AAA")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_filter"


@pytest.mark.parametrize(
    "path", ["/api/nothing-here/", "/api/5w/rows/abc/", "/api/5w/rows/999999/"]
)
def test_a_404_under_api_is_json_in_the_error_shape(admin_client, path):
    response = admin_client.get(path)
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["error"]["code"] == "not_found"


def test_a_404_elsewhere_is_still_the_page(admin_client):
    response = admin_client.get("/reporting/nothing-here/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_the_schema_documents_the_error_shape_on_every_operation(admin_client):
    schema = admin_client.get("/api/schema/?format=json").json()
    assert set(schema["components"]["schemas"]["Error"]["properties"]) == {"error"}
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            for status in ("400", "401", "403", "404"):
                assert status in operation["responses"], (method, path, status)


def test_a_404_raised_inside_a_view_is_in_the_error_shape(admin_client):
    # the lock endpoint looks its country up with get_object_or_404
    response = admin_client.post(
        reverse("api-5w-locks"), {"country": "XXX", "month": "2025-01"}, format="json"
    )
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_a_request_refused_before_any_view_is_json_under_api(admin_client):
    # more fields than DATA_UPLOAD_MAX_NUMBER_FIELDS: Django refuses the request itself
    body = "&".join(f"f{n}=1" for n in range(2000))
    response = admin_client.post(
        reverse("api-5w-rows"), body, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["error"]["code"] == "bad_request"
