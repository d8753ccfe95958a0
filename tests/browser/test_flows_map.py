"""In Chromium: the public flows page draws its charts and the map of points, each point
a circle, with no sign-in."""

import datetime as dt

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_public_flows_page_draws_the_map_of_points(chromium, live_server, reference, settings):
    settings.ALLOWED_HOSTS = ["*"]
    from puente.flows.models import FlowCount, FlowPoint
    from puente.reference.models import Country

    colombia = Country.objects.get(iso3="COL")
    for code, latitude, longitude, people in [
        ("col-simon-bolivar", "7.8236", "-72.4589", 900),
        ("col-rumichaca", "0.8160", "-77.6440", 120),
    ]:
        point = FlowPoint.objects.create(
            code=code,
            name=code,
            kind="border-crossing",
            country=colombia,
            latitude=latitude,
            longitude=longitude,
            public=True,
        )
        FlowCount.objects.create(
            point=point,
            date=dt.date(2026, 3, 2),
            direction="entry",
            nationality="VEN",
            people=people,
        )
    page = chromium.new_page(locale="es-CO")
    page.goto(f"{live_server.url}/public/flows/")
    page.wait_for_selector("#chart-by-day[data-loaded=true]")
    page.wait_for_selector("#chart-map[data-loaded=true]", timeout=30000)
    assert page.get_attribute("#chart-map", "data-points") == "2"
    assert page.inner_text("#total-entries") == "1.020"
    page.close()
