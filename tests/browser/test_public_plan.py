"""In Chromium: a regional admin loads IOM's appeal through the page, publishes it, and a
visitor without sign-in reads it in English, Spanish and Portuguese."""

from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SEED = Path(__file__).resolve().parents[2] / "puente" / "plans" / "data" / "iom-appeal-2025.csv"


def test_seed_appeal_through_the_ui_and_its_public_page(
    chromium, live_server, reference, make_user, settings
):
    settings.ALLOWED_HOSTS = ["*"]
    from puente.partners.models import Organisation
    from puente.reference.models import Country

    iom = Organisation.objects.create(
        name="International Organization for Migration",
        acronym="IOM",
        type="un-agency",
        appealing=True,
    )
    iom.countries.set(Country.objects.all())
    admin = make_user("regional-admin", "region", email="admin@example.org")
    page = chromium.new_page(locale="en-US")
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", admin.email)
    page.fill("#id_password", "pw-for-tests-1")
    page.click("main button[type=submit]")
    page.wait_for_selector("text=Your roles")

    # load the appeal on the page
    page.click("header nav summary:has-text('Planning')")
    page.click("header nav >> text=Plans")
    page.click("text=Load a plan file")
    page.set_input_files("#id_file", str(SEED))
    page.click("main form button[type=submit]")
    page.wait_for_selector("text=The plan was loaded.")
    assert "Published" in page.inner_text("main table")

    # a visitor reads it, without signing in, in three languages
    visitor = chromium.new_context(locale="es-CO")
    public = visitor.new_page()
    public.goto(f"{live_server.url}/public/plans/iom-rmrp-2025-2026/")
    public.wait_for_selector("#plan-map[data-loaded=true]")
    assert public.get_attribute("html", "lang") == "es"
    assert "Llamamiento de la OIM" in public.inner_text("h1")
    assert public.inner_text("#plan-requirement") == "516.950.391"
    assert public.inner_text("#plan-targeted") == "1.297.760"
    assert public.locator("#plan-countries tbody tr").count() == 17
    assert public.locator(".status-priority").count() == 5
    assert int(public.get_attribute("#plan-map", "data-areas")) > 17
    # the map's legend is a figure as the reader writes it, never raw digits (160415827)
    assert public.get_attribute("#plan-map", "data-legend-max") == "160,4\u00a0M"
    assert "Cifras al" in public.inner_text("main")

    public.select_option("#language-select", "pt")
    public.wait_for_selector("html[lang=pt]")
    assert "Apelo da OIM" in public.inner_text("h1")
    assert public.inner_text("#plan-requirement") == "516.950.391"
    assert "Prioritária" in public.inner_text("main")

    public.select_option("#language-select", "en")
    public.wait_for_selector("html[lang=en]")
    assert "IOM appeal" in public.inner_text("h1")
    assert public.inner_text("#plan-requirement") == "516,950,391"
    assert public.inner_text("#plan-targeted") == "1,297,760"
    visitor.close()
    page.close()
