"""A real browser (Debian's Chromium through Playwright): sign in, switch language."""

import os
import sys

import pytest

from puente.core.testing import browser_path

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="module")
def chromium():
    executable = browser_path()
    if executable is None:
        if os.environ.get("CI") == "true":
            pytest.fail("Chromium is required in CI: apt-get install chromium")
        reason = "no Chromium at /usr/bin/chromium (apt-get install chromium)"
        print(f"SKIPPED browser tests: {reason}", file=sys.stderr)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


def test_sign_in_and_switch_language(chromium, live_server, make_user, settings):
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
