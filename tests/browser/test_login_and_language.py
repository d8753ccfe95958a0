"""A real browser (Debian's Chromium through Playwright): sign in, switch language."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_sign_in_and_switch_language(chromium, live_server, reference, make_user, settings):
    settings.ALLOWED_HOSTS = ["*"]
    from puente.partners.models import Organisation

    org = Organisation.objects.create(
        name="Fundación Horizonte", acronym="FH", type="national-ngo", appealing=True
    )
    user = make_user("partner-viewer", f"organisation:{org.acronym}", email="viewer@example.org")
    page = chromium.new_page(locale="en-US")
    # sign in
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", user.email)
    page.fill("#id_password", "pw-for-tests-1")
    page.click("main button[type=submit]")
    page.wait_for_selector("text=Your roles")
    assert "viewer@example.org" in page.inner_text("header")
    # open the directory, then switch to Spanish with the language menu
    page.click("header nav summary:has-text('Reference')")
    page.click("header nav >> text=Partners")
    page.wait_for_selector("h1:has-text('Partner directory')")
    page.select_option("#language-select", "es")
    page.wait_for_selector("h1:has-text('Directorio de socios')")
    assert page.get_attribute("html", "lang") == "es"
    assert "FH" in page.inner_text("table")
    # and on to Portuguese; the choice sticks on the next page
    page.select_option("#language-select", "pt")
    page.wait_for_selector("h1:has-text('Diretório de parceiros')")
    page.goto(f"{live_server.url}/")
    assert page.get_attribute("html", "lang") == "pt"
    page.close()
