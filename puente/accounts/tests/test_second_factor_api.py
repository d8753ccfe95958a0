"""The second factor is asked on every door: the API refuses a session that has not passed
it and a token not issued under it, and the API token page issues one only after it."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token

from puente.accounts.services import role_assign, scope_parse
from puente.reporting.models import PeriodLock

pytestmark = pytest.mark.django_db

PASSWORD = "pw-for-tests-1"  # noqa: S105 (the conftest's make_user password)
ROWS = "/api/5w/rows/"
LOCKS = "/api/5w/locks/"


@pytest.fixture(autouse=True)
def _second_factor_on(settings):
    settings.PUENTE_REQUIRE_2FA = True


@pytest.fixture
def officer(make_user):
    """A Colombia IM officer with a confirmed authenticator."""
    user = make_user("platform-im-officer", "platform:colombia")
    TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)
    return user


def code_for(user) -> str:
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def password_sign_in(client, user) -> None:
    response = client.post(
        reverse("accounts:login"), {"username": user.email, "password": PASSWORD}
    )
    assert response.status_code == 302


def second_factor(client, user) -> None:
    response = client.post(reverse("accounts:two_factor"), {"token": code_for(user), "next": "/"})
    assert response.status_code == 302 and response["Location"] == "/"


def assert_two_factor_required(response) -> None:
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "two_factor_required"


def token_header(key: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Token {key}"}


def test_a_password_only_session_reads_and_locks_nothing_through_the_api(client, officer):
    # given an IM officer signed in with the password only
    password_sign_in(client, officer)
    # when they read 5W rows and lock a month through the API
    rows = client.get(ROWS)
    lock = client.post(
        LOCKS,
        {"country": "COL", "month": "2025-01", "locked": True},
        content_type="application/json",
    )
    # then both are refused in the API's error shape
    assert_two_factor_required(rows)
    assert_two_factor_required(lock)
    assert not PeriodLock.objects.exists()


def test_the_session_opens_the_api_once_the_code_is_entered(client, officer):
    password_sign_in(client, officer)
    second_factor(client, officer)
    assert client.get(ROWS).status_code == 200


def test_roles_without_a_second_factor_use_the_api_with_their_session(
    client, make_user, organisation
):
    reporter = make_user("partner-reporter", "organisation:FPRU")
    password_sign_in(client, reporter)
    assert client.get(ROWS).status_code == 200


def test_the_token_page_issues_nothing_before_the_code(client, officer):
    # given an officer signed in with the password only
    password_sign_in(client, officer)
    # when they ask for a token
    response = client.post(reverse("accounts:api_token"), {"action": "issue"})
    # then they are sent to the two-factor page, and no token exists
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:two_factor"))
    assert not Token.objects.filter(user=officer).exists()


def test_a_token_issued_after_the_code_opens_the_api(client, officer):
    # given an officer who entered the code
    password_sign_in(client, officer)
    second_factor(client, officer)
    # when they issue a token on the API token page
    page = client.post(reverse("accounts:api_token"), {"action": "issue"})
    token = Token.objects.get(user=officer)
    # then the page shows it once, and it opens the API without a session
    assert page.status_code == 200
    assert token.key in page.content.decode()
    assert "no-store" in page["Cache-Control"]
    assert token.key not in client.get(reverse("accounts:api_token")).content.decode()
    client.logout()
    assert client.get(ROWS, **token_header(token.key)).status_code == 200


def test_a_token_made_before_the_user_had_an_authenticator_is_refused(
    client, make_user, organisation
):
    # given a partner's token, and the partner then made an IM officer (no authenticator)
    user = make_user("partner-reporter", "organisation:FPRU")
    token = Token.objects.create(user=user)
    assert client.get(ROWS, **token_header(token.key)).status_code == 200
    role_assign(
        acting_user=None,
        user=user,
        role="platform-im-officer",
        scope=scope_parse("platform:colombia"),
    )
    # then the token opens nothing
    assert_two_factor_required(client.get(ROWS, **token_header(token.key)))
    assert_two_factor_required(
        client.post(
            LOCKS,
            {"country": "COL", "month": "2025-01", "locked": True},
            content_type="application/json",
            **token_header(token.key),
        )
    )


def test_a_token_older_than_the_authenticator_is_refused(client, officer):
    token = Token.objects.create(user=officer)
    Token.objects.filter(pk=token.pk).update(created=timezone.now() - dt.timedelta(days=1))
    assert_two_factor_required(client.get(ROWS, **token_header(token.key)))


def test_a_token_stops_working_when_the_authenticator_is_reset(client, officer):
    # given a token issued under the officer's authenticator
    token = Token.objects.create(user=officer)
    assert client.get(ROWS, **token_header(token.key)).status_code == 200
    # when the authenticator is removed (a lost phone)
    TOTPDevice.objects.filter(user=officer).delete()
    # then the token is refused
    assert_two_factor_required(client.get(ROWS, **token_header(token.key)))


def test_enrolling_an_authenticator_revokes_older_tokens(client, make_user):
    # given a new IM officer holding a token from before, enrolling now
    user = make_user("platform-im-officer", "platform:colombia")
    Token.objects.create(user=user)
    password_sign_in(client, user)
    assert client.get(reverse("accounts:two_factor")).status_code == 200
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    code = f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"
    # when they confirm the authenticator
    response = client.post(reverse("accounts:two_factor"), {"token": code, "next": "/"})
    # then the older token is gone
    assert response.status_code == 302
    assert not Token.objects.filter(user=user).exists()


def test_the_token_page_revokes_the_token(client, make_user, organisation):
    user = make_user("partner-reporter", "organisation:FPRU")
    password_sign_in(client, user)
    client.post(reverse("accounts:api_token"), {"action": "issue"})
    key = Token.objects.get(user=user).key
    response = client.post(reverse("accounts:api_token"), {"action": "revoke"})
    assert response.status_code == 302
    assert not Token.objects.filter(user=user).exists()
    client.logout()
    assert client.get(ROWS, **token_header(key)).status_code == 401


def test_the_account_menu_links_to_the_token_and_password_pages(client, make_user, organisation):
    client.force_login(make_user("partner-viewer", "organisation:FPRU"))
    page = client.get("/").content.decode()
    assert f'href="{reverse("accounts:api_token")}"' in page
    assert f'href="{reverse("accounts:password_change")}"' in page


def test_the_api_schema_names_both_ways_to_sign_in(client, make_user, organisation):
    client.force_login(make_user("partner-viewer", "organisation:FPRU"))
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    assert {"cookieAuth", "tokenAuth"} <= set(schema["components"]["securitySchemes"])
