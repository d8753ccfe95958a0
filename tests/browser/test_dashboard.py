"""In Chromium: from the region to a country to an admin-1 area, then "explain this number"."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_drill_down_and_explain(chromium, live_server, reference, make_user, settings):
    settings.ALLOWED_HOSTS = ["*"]
    from puente.analytics.services.cube import cube_refresh
    from puente.analytics.tests.test_consolidation import add
    from puente.partners.models import Organisation
    from puente.reference.models import Country

    org = Organisation.objects.create(name="Org A", acronym="ORGA", type="ingo")
    org.countries.set(Country.objects.filter(iso3__in=["COL", "PER"]))
    other = Organisation.objects.create(name="Org B", acronym="ORGB", type="ingo")
    other.countries.set(Country.objects.filter(iso3__in=["COL"]))
    add(org, "HEA-02", 100, country="COL", admin1="CO-ATL")
    add(org, "HEA-03", 60, country="COL", admin1="CO-ATL")
    add(other, "FSC-01", 40, country="COL", admin1="CO-ATL")
    add(org, "HTR-01", 70, country="PER", admin1="PE-LIM", group="in-transit")
    cube_refresh(country_ids=list(Country.objects.values_list("id", flat=True)), year=2025)
    user = make_user("platform-im-officer", "platform:colombia", email="im@example.org")
    page = chromium.new_page(locale="en-US")
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", user.email)
    page.fill("#id_password", "pw-for-tests-1")
    page.click("main button[type=submit]")
    page.wait_for_selector("text=Your roles")

    # the region
    page.goto(f"{live_server.url}/dashboard/?year=2025&month=1")
    page.wait_for_selector("#dashboard[data-loaded=true]")
    assert page.inner_text("#headline-consolidated") == "170"
    # to Colombia
    page.click("#drill-table a[data-code=COL]")
    page.wait_for_selector("#dashboard[data-loaded=true]")
    assert "country=COL" in page.url
    assert page.inner_text("#headline-consolidated") == "100"
    # to Atlántico
    page.click("#drill-table a[data-code=CO-ATL]")
    page.wait_for_selector("#dashboard[data-loaded=true]")
    assert "admin1=CO-ATL" in page.url
    assert "Atlántico" in page.inner_text("h1")
    # explain the Atlántico figure
    page.click("#headline-explain")
    page.wait_for_selector("#explain-table")
    assert page.inner_text("#explained-figure") == "100"
    rows = page.inner_text("#explain-table tbody")
    assert "HEA-03" in rows and "dropped" in rows and "kept" in rows
    page.close()
