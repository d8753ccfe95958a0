"""A deep link survives sign-in and the two-factor step whole, query string included,
and no step ever sends a user off the site."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

pytestmark = pytest.mark.django_db

DEEP_LINK = "/reporting/?month=2026-03&country=COL&status=submitted"


@pytest.fixture
def admin(make_user, settings):
    settings.PUENTE_REQUIRE_2FA = True
    user = make_user("regional-admin", "region")
    TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)
    return user


def token_for(user) -> str:
    device = TOTPDevice.objects.get(user=user)
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def test_a_deep_link_keeps_its_query_through_sign_in_and_two_factor(client, admin):
    # given a signed-out admin opening a deep link
    response = client.get(DEEP_LINK)
    assert response.status_code == 302
    login_url = response["Location"]
    next_url = parse_qs(urlsplit(login_url).query)["next"][0]
    assert next_url == DEEP_LINK
    # when they sign in with the password
    response = client.post(
        login_url, {"username": admin.email, "password": "pw-for-tests-1", "next": next_url}
    )
    assert response["Location"] == DEEP_LINK
    # then the two-factor page carries the whole link, encoded as one parameter
    response = client.get(DEEP_LINK)
    two_factor = urlsplit(response["Location"])
    assert two_factor.path == reverse("accounts:two_factor")
    assert parse_qs(two_factor.query) == {"next": [DEEP_LINK]}
    page = client.get(response["Location"]).content.decode()
    assert 'value="/reporting/?month=2026-03&amp;country=COL&amp;status=submitted"' in page
    # and the code opens the deep link, filters and all
    response = client.post(
        reverse("accounts:two_factor"), {"token": token_for(admin), "next": DEEP_LINK}
    )
    assert response.status_code == 302 and response["Location"] == DEEP_LINK


@pytest.mark.parametrize(
    "next_url",
    ["https://evil.example/", "//evil.example/reporting/", "http://testserver.evil/", ""],
)
def test_two_factor_never_redirects_off_the_site(client, admin, next_url):
    client.force_login(admin)
    response = client.post(
        reverse("accounts:two_factor"), {"token": token_for(admin), "next": next_url}
    )
    assert response.status_code == 302 and response["Location"] == "/"


def test_sign_in_never_redirects_off_the_site(client, admin):
    response = client.post(
        reverse("accounts:login"),
        {"username": admin.email, "password": "pw-for-tests-1", "next": "https://evil.example/"},
    )
    assert response.status_code == 302
    assert not response["Location"].startswith(("http", "//"))
