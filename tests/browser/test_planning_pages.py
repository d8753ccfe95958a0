"""A real browser on the pages whose scripts people lean on: the feedback form keeps the
chosen country's areas, the gap table opens a country's sectors in place, the feedback
dashboard draws its charts, all under the Content-Security-Policy."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _errors(page):
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    return errors


def test_feedback_form_offers_the_chosen_countrys_areas_only(
    chromium, live_server, reference, settings
):
    settings.ALLOWED_HOSTS = ["*"]
    from puente.feedback.services.intake import feedback_code_list_load

    feedback_code_list_load()
    page = chromium.new_page(locale="es-CO")
    page.set_extra_http_headers({"Accept-Language": "es-CO,es;q=0.9"})
    errors = _errors(page)
    page.goto(f"{live_server.url}/feedback/new/")
    groups = "s => Array.from(s.querySelectorAll('optgroup')).map(g => g.label)"
    assert len(page.eval_on_selector("#id_admin1", groups)) == 17
    page.select_option("#id_country", "COL")
    assert page.eval_on_selector("#id_admin1", groups) == ["Colombia"]
    page.select_option("#id_admin1", "CO-NSA")
    # another country: its areas only, and the area of the first one is let go
    page.select_option("#id_country", "PER")
    assert page.eval_on_selector("#id_admin1", groups) == ["Perú"]
    assert page.eval_on_selector("#id_admin1", "s => s.value") == ""
    assert not errors
    page.close()


def test_gap_table_opens_a_countrys_sectors_and_feedback_charts_draw(
    chromium, live_server, reference, settings, make_user
):
    settings.ALLOWED_HOSTS = ["*"]
    from django.conf import settings as django_settings

    from puente.needs.models import NeedFigure
    from puente.reference.models import Country, PopulationGroup, Sector

    year = 2025
    for iso3, code, people in [("COL", "HEA", 500), ("COL", "FSC", 200), ("PER", "FSC", 90)]:
        NeedFigure.objects.create(
            year=year,
            country=Country.objects.get(iso3=iso3),
            sector=Sector.objects.get(code=code),
            population_group=PopulationGroup.objects.get(code="in-destination"),
            people_in_need=people,
        )
    user = make_user("regional-admin", "region")
    context = chromium.new_context()
    page = context.new_page()
    errors = _errors(page)
    # sign in through the session cookie of a test client
    from django.test import Client

    client = Client()
    client.force_login(user)
    context.add_cookies(
        [
            {
                "name": django_settings.SESSION_COOKIE_NAME,
                "value": client.cookies[django_settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    page.goto(f"{live_server.url}/dashboard/gap/?year={year}")
    sectors = page.locator("#gap-sectors-COL")
    assert sectors.is_hidden()
    button = page.locator('tr[data-country="COL"] button.fold')
    assert button.get_attribute("aria-expanded") == "false"
    button.click()
    assert sectors.is_visible()
    assert button.get_attribute("aria-expanded") == "true"
    assert page.locator('tr[data-country="COL"][data-sector="HEA"]').is_visible()
    # the feedback dashboard's three charts are drawn
    page.goto(f"{live_server.url}/feedback/dashboard/")
    for chart in ("chart-by-type", "chart-by-status", "chart-by-month"):
        page.wait_for_selector(f'#{chart}[data-loaded="true"] svg')
    assert not [e for e in errors if "favicon" not in e]
    context.close()
