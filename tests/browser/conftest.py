import os
import sys

import pytest
from django.core.management import call_command

from puente.core.testing import browser_path


@pytest.fixture(scope="session")
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


@pytest.fixture
def reference(transactional_db):
    """Transactional tests empty the database after each test: load reference data again."""
    call_command("load_reference", verbosity=0)
