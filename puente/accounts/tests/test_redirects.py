"""No view sends anyone off the site: every `next` (and every redirect built from request
data) is checked against this host and scheme, whatever form the hostile value takes."""

from urllib.parse import urlsplit

import pytest
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from puente.reporting.models import ActivityRow
from puente.reporting.services.imports import rows_import
from puente.reporting.tests.conftest import good_row, last_month, orgs  # noqa: F401

pytestmark = pytest.mark.django_db

PASSWORD = "pw-for-tests-1"  # noqa: S105 (the conftest's make_user password)
HOSTILE = [
    "https://evil.example/phish",
    "http://evil.example",
    "//evil.example/",
    "/\\evil.example",
    "\\\\evil.example",
    "/\\/evil.example",
    "https:evil.example",
    "javascript:alert(1)",
    "JavaScript:alert(document.cookie)",
    " https://evil.example",
    "https://testserver@evil.example/",
    "data:text/html,<script>alert(1)</script>",
]


def assert_stays_on_site(response) -> None:
    assert response.status_code in (301, 302), response.status_code
    location = response["Location"]
    parts = urlsplit(location)
    assert parts.scheme in ("", "http", "https"), location
    assert parts.netloc in ("", "testserver"), location
    assert not location.startswith(("//", "/\\", "\\")), location
    assert "evil" not in location.split("?")[0], location


@pytest.fixture
def officer(make_user, settings):
    settings.PUENTE_REQUIRE_2FA = True
    user = make_user("platform-im-officer", "platform:colombia")
    TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)
    return user


@pytest.mark.parametrize("next_url", HOSTILE)
def test_sign_in(client, make_user, next_url):
    user = make_user("partner-viewer")
    response = client.post(
        reverse("accounts:login"),
        {"username": user.email, "password": PASSWORD, "next": next_url},
    )
    assert_stays_on_site(response)


@pytest.mark.parametrize("next_url", HOSTILE)
def test_sign_in_page_does_not_carry_a_hostile_next(client, db, next_url):
    page = client.get(reverse("accounts:login"), {"next": next_url})
    assert "evil" not in page.content.decode().split("<main>")[1]


@pytest.mark.parametrize("next_url", HOSTILE)
def test_sign_out(client, make_user, next_url):
    client.force_login(make_user("partner-viewer"))
    assert_stays_on_site(client.post(reverse("accounts:logout"), {"next": next_url}))


@pytest.mark.parametrize("next_url", HOSTILE)
def test_two_factor(client, officer, next_url):
    client.force_login(officer)
    page = client.get(reverse("accounts:two_factor"), {"next": next_url})
    assert "evil" not in page.content.decode().split("<main>")[1]
    device = TOTPDevice.objects.get(user=officer)
    code = f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"
    response = client.post(reverse("accounts:two_factor"), {"token": code, "next": next_url})
    assert_stays_on_site(response)


@pytest.mark.parametrize("next_url", HOSTILE)
def test_password_change(client, make_user, next_url):
    user = make_user("partner-viewer", must_change_password=True)
    client.force_login(user)
    page = client.get(reverse("accounts:password_change"), {"next": next_url})
    assert "evil" not in page.content.decode().split("<main>")[1]
    new = "a-bridge-over-the-river-2025"
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new, "next": next_url},
    )
    assert_stays_on_site(response)


@pytest.mark.parametrize("next_url", HOSTILE)
def test_language_switch(client, db, next_url):
    response = client.post(reverse("set_language"), {"language": "es", "next": next_url})
    assert_stays_on_site(response)


@pytest.mark.parametrize("next_url", HOSTILE)
def test_language_switch_with_a_hostile_referer(client, db, next_url):
    response = client.post(reverse("set_language"), {"language": "es"}, HTTP_REFERER=next_url)
    # Without a usable `next` or referer Django answers 204 (no redirect at all).
    assert response.status_code == 204 or urlsplit(response["Location"]).netloc in (
        "",
        "testserver",
    )


@pytest.mark.parametrize("next_url", HOSTILE)
def test_admin_sign_in(client, make_user, next_url):
    user = make_user(is_staff=True, is_superuser=True)
    response = client.post(
        f"{reverse('admin:login')}?next={next_url}",
        {"username": user.email, "password": PASSWORD, "next": next_url},
    )
    assert_stays_on_site(response)


@pytest.fixture
def submitted(orgs):  # noqa: F811
    report = rows_import(rows=enumerate([good_row()], start=2), acting_user=None)
    assert report.ok, report.errors
    return ActivityRow.objects.all()


@pytest.mark.parametrize("next_url", HOSTILE)
def test_review_decision(client, submitted, make_user, next_url):
    client.force_login(make_user("sector-coordinator", "sector:COL/HEA"))
    response = client.post(
        reverse("reporting:review_decide"),
        {
            "appealing_org": "ORGA",
            "country": "COL",
            "month": last_month(),
            "sector": "HEA",
            "decision": "validated",
            "next": next_url,
            "filters": next_url,
        },
    )
    assert_stays_on_site(response)
    assert urlsplit(response["Location"]).path == reverse("reporting:review")


@pytest.mark.parametrize("next_url", HOSTILE)
def test_review_decision_on_the_whole_queue(client, submitted, make_user, next_url):
    client.force_login(make_user("sector-coordinator", "sector:COL/HEA"))
    response = client.post(
        reverse("reporting:review_decide_all"),
        {
            "decision": "validated",
            "expected_rows": "1",
            "next": next_url,
            "filters": f"country=COL&month={last_month()}&status=submitted",
        },
    )
    assert_stays_on_site(response)
    assert urlsplit(response["Location"]).path == reverse("reporting:review")
