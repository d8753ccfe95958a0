"""The top bar in a real browser: the menu on one line on a laptop screen, its areas
opened and closed with the keyboard."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TOP_LEVEL = "header nav.mainnav > ul > li"


def _sign_in(chromium, live_server, user, width):
    page = chromium.new_page(locale="en-US", viewport={"width": width, "height": 800})
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", user.email)
    page.fill("#id_password", "pw-for-tests-1")
    page.click("main button[type=submit]")
    page.wait_for_selector("text=Your roles")
    page.wait_for_load_state("load")  # puente.js, deferred, is running
    return page


def test_menu_fits_one_line_and_opens_with_the_keyboard(
    chromium, live_server, reference, make_user, settings
):
    settings.ALLOWED_HOSTS = ["*"]
    admin = make_user("regional-admin", "region", email="regional.admin@example.org")
    page = _sign_in(chromium, live_server, admin, 1366)
    # every area of the menu on one line, the bar no taller than one line of controls
    tops = page.eval_on_selector_all(TOP_LEVEL, "items => items.map(i => i.offsetTop)")
    assert len(tops) >= 5 and len(set(tops)) == 1
    assert page.eval_on_selector("header", "h => h.offsetHeight") < 70
    # an area opens with the keyboard, shows its pages, and Escape closes it
    summary = page.locator("header nav summary", has_text="Reference")
    summary.focus()
    page.keyboard.press("Enter")
    assert page.is_visible("header nav >> text=Countries")
    page.keyboard.press("Escape")
    assert not page.is_visible("header nav >> text=Countries")
    # opening another area closes the first
    page.click("header nav summary:has-text('Reporting')")
    page.click("header nav summary:has-text('Planning')")
    assert page.eval_on_selector_all(
        "header nav details[open] summary", "s => s.map(x => x.textContent)"
    ) == ["Planning"]
    page.close()
