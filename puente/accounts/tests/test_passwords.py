"""Passwords: a user changes theirs, or resets a forgotten one by e-mail, under the
password validators; a generated password must be replaced at the first sign-in."""

import re

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token

from puente.accounts.models import User

pytestmark = pytest.mark.django_db

PASSWORD = "pw-for-tests-1"  # noqa: S105 (the conftest's make_user password)
NEW_PASSWORD = "a-bridge-over-the-river-2025"  # noqa: S105


def sign_in(client, email: str, password: str):
    return client.post(reverse("accounts:login"), {"username": email, "password": password})


def change(client, old: str, new: str, **extra):
    return client.post(
        reverse("accounts:password_change"),
        {"old_password": old, "new_password1": new, "new_password2": new, **extra},
    )


@pytest.fixture
def viewer(make_user, organisation):
    return make_user("partner-viewer", "organisation:FPRU")


# Changing a password


def test_a_signed_in_user_changes_their_password(client, viewer):
    # given a signed-in viewer on the change form
    sign_in(client, viewer.email, PASSWORD)
    assert client.get(reverse("accounts:password_change")).status_code == 200
    # when they change their password
    response = change(client, PASSWORD, NEW_PASSWORD)
    # then they stay signed in, and the new password is the one that works
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_change_done")
    assert client.get(response["Location"]).status_code == 200
    client.logout()
    assert sign_in(client, viewer.email, PASSWORD).status_code == 200  # the form again
    assert sign_in(client, viewer.email, NEW_PASSWORD).status_code == 302


def test_the_change_needs_the_current_password(client, viewer):
    client.force_login(viewer)
    response = change(client, "not-my-password", NEW_PASSWORD)
    assert response.status_code == 200
    assert response.context["form"].errors["old_password"]
    viewer.refresh_from_db()
    assert viewer.check_password(PASSWORD)


@pytest.mark.parametrize(
    ("new", "validator_code"),
    [("short7!", "password_too_short"), ("password123", "password_too_common")],
)
def test_the_password_validators_apply_to_a_change(client, viewer, new, validator_code):
    client.force_login(viewer)
    response = change(client, PASSWORD, new)
    assert response.status_code == 200
    codes = [e.code for e in response.context["form"].errors.as_data()["new_password2"]]
    assert validator_code in codes
    viewer.refresh_from_db()
    assert viewer.check_password(PASSWORD)


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("es", "La contraseña es demasiado corta: debe tener al menos"),
        # Brazilian Portuguese, not Django's European "palavra-passe"
        ("pt", "A senha é curta demais: precisa ter pelo menos"),
    ],
)
def test_password_errors_read_in_the_readers_language(client, viewer, language, expected):
    client.cookies.load({"django_language": language})
    client.force_login(viewer)
    page = change(client, PASSWORD, "short7!").content.decode()
    assert expected in page
    assert "palavra-passe" not in page


def test_a_new_password_revokes_the_api_token(client, viewer):
    Token.objects.create(user=viewer)
    client.force_login(viewer)
    change(client, PASSWORD, NEW_PASSWORD)
    assert not Token.objects.filter(user=viewer).exists()


def test_signed_out_visitors_are_sent_to_sign_in(client):
    response = client.get(reverse("accounts:password_change"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("language", ["en", "es", "pt"])
def test_the_password_pages_are_served_in_each_language(client, viewer, language):
    client.cookies.load({"django_language": language})
    for url in [reverse("accounts:password_reset"), reverse("accounts:password_reset_done")]:
        page = client.get(url)
        assert page.status_code == 200
        assert f'<html lang="{language}">' in page.content.decode()
    client.force_login(viewer)
    page = client.get(reverse("accounts:password_change")).content.decode()
    assert f'<html lang="{language}">' in page
    assert 'name="old_password"' in page


# Resetting a forgotten password


def reset_link() -> str:
    assert len(mail.outbox) == 1
    match = re.search(r"https?://[^/\s]+(/accounts/reset/\S+/)", mail.outbox[0].body)
    assert match, mail.outbox[0].body
    return match.group(1)


def test_a_forgotten_password_is_reset_through_an_emailed_link(client, viewer):
    # given a viewer who forgot their password asks for a link
    response = client.post(reverse("accounts:password_reset"), {"email": viewer.email})
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_reset_done")
    assert mail.outbox[0].to == [viewer.email]
    # when they open the link and choose a new password
    form_page = client.get(reset_link(), follow=True)
    assert form_page.context["validlink"]
    set_url = form_page.redirect_chain[-1][0]
    response = client.post(set_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    # then the new password works, and the link does not sign them in by itself
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_reset_complete")
    assert "_auth_user_id" not in client.session
    assert sign_in(client, viewer.email, NEW_PASSWORD).status_code == 302
    # and the link works once
    assert not client.get(reset_link(), follow=True).context["validlink"]


def test_the_reset_answers_alike_for_an_unknown_address(client, db):
    response = client.post(reverse("accounts:password_reset"), {"email": "nobody@example.org"})
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_reset_done")
    assert mail.outbox == []


def test_the_password_validators_apply_to_a_reset(client, viewer):
    client.post(reverse("accounts:password_reset"), {"email": viewer.email})
    set_url = client.get(reset_link(), follow=True).redirect_chain[-1][0]
    response = client.post(
        set_url, {"new_password1": "password123", "new_password2": "password123"}
    )
    assert response.status_code == 200
    codes = [e.code for e in response.context["form"].errors.as_data()["new_password2"]]
    assert "password_too_common" in codes
    viewer.refresh_from_db()
    assert viewer.check_password(PASSWORD)


def test_the_sign_in_page_links_to_the_reset(client, db):
    page = client.get(reverse("accounts:login")).content.decode()
    assert f'href="{reverse("accounts:password_reset")}"' in page


# A generated password is replaced at the first sign-in


def created_by_command(capsys) -> tuple[User, str]:
    call_command(
        "create_user", "new.im@example.org", role="platform-im-officer", scope="platform:colombia"
    )
    password = re.search(r"password: (\S+)", capsys.readouterr().out).group(1)
    return User.objects.get(email="new.im@example.org"), password


def test_create_user_marks_a_generated_password_to_be_changed(capsys, db):
    user, _password = created_by_command(capsys)
    assert user.must_change_password
    call_command(
        "create_user",
        "own@example.org",
        role="platform-im-officer",
        scope="platform:colombia",
        password=NEW_PASSWORD,
    )
    assert not User.objects.get(email="own@example.org").must_change_password


def test_the_users_page_marks_a_generated_password_to_be_changed(client, make_user):
    client.force_login(make_user("regional-admin", "region"))
    response = client.post(
        reverse("accounts:users"),
        {
            "email": "granted@example.org",
            "role": "platform-im-officer",
            "scope": "platform:colombia",
        },
    )
    assert response.status_code == 302
    assert User.objects.get(email="granted@example.org").must_change_password


def test_every_page_leads_to_the_change_form_until_the_generated_password_is_replaced(
    client, capsys
):
    # given a user signed in with the password create-user printed
    user, password = created_by_command(capsys)
    assert sign_in(client, user.email, password).status_code == 302
    # then every page but the change form, the sign-out and static files leads to the form
    for path in [
        "/",
        "/reporting/?month=2025-03&country=COL",
        "/partners/",
        "/accounts/api-token/",
    ]:
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith(reverse("accounts:password_change") + "?next="), path
    assert client.get(reverse("accounts:password_change")).status_code == 200
    assert "password" not in client.get("/favicon.ico")["Location"]
    # and the API refuses the session in its error shape
    api = client.get("/api/5w/rows/")
    assert api.status_code == 403
    assert api.json()["error"]["code"] == "password_change_required"
    # when they choose their own password, coming from a deep link
    response = change(client, password, NEW_PASSWORD, next="/reporting/?month=2025-03&country=COL")
    # then they go on where they were going, and pages open
    assert response.status_code == 302
    assert response["Location"] == "/reporting/?month=2025-03&country=COL"
    user.refresh_from_db()
    assert not user.must_change_password
    assert client.get("/partners/").status_code == 200
    assert client.get("/api/5w/rows/").status_code == 200


def test_the_change_form_keeps_the_deep_link(client, capsys):
    user, password = created_by_command(capsys)
    sign_in(client, user.email, password)
    response = client.get("/reporting/?month=2025-03&country=COL")
    page = client.get(response["Location"]).content.decode()
    assert 'name="next" value="/reporting/?month=2025-03&amp;country=COL"' in page


def test_a_token_of_a_user_who_must_change_the_password_is_refused(client, capsys):
    user, _password = created_by_command(capsys)
    token = Token.objects.create(user=user)
    response = client.get("/api/5w/rows/", HTTP_AUTHORIZATION=f"Token {token.key}")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "password_change_required"


def test_the_second_factor_comes_before_the_new_password(client, capsys, settings):
    # given a new IM officer with a generated password and an authenticator, second factor on
    settings.PUENTE_REQUIRE_2FA = True
    user, password = created_by_command(capsys)
    device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)
    sign_in(client, user.email, password)
    # then the password form waits for the code
    response = client.get(reverse("accounts:password_change"))
    assert response["Location"].startswith(reverse("accounts:two_factor"))
    code = f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"
    response = client.post(reverse("accounts:two_factor"), {"token": code, "next": "/partners/"})
    # and the code leads on to the password form
    response = client.get(response["Location"])
    assert response["Location"].startswith(reverse("accounts:password_change"))
    assert client.get(reverse("accounts:password_change")).status_code == 200


def test_a_password_hash_upgraded_at_sign_in_keeps_the_obligation(client, capsys, settings):
    # given a generated password stored with a hasher the server no longer prefers
    user, password = created_by_command(capsys)
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        "django.contrib.auth.hashers.MD5PasswordHasher",
    ]
    # when the user signs in (Django rewrites the hash)
    assert sign_in(client, user.email, password).status_code == 302
    user.refresh_from_db()
    assert user.password.startswith("pbkdf2_sha256$")
    # then the generated password must still be replaced
    assert user.must_change_password
    assert client.get("/partners/")["Location"].startswith(reverse("accounts:password_change"))


def test_links_sent_to_one_address_are_limited_without_telling_the_asker(client, viewer, settings):
    # given a limit of two links per address and window
    settings.PUENTE_PASSWORD_RESET_LIMIT = 2
    # when four requests for the viewer's address come from four connections
    for number in range(4):
        response = client.post(
            reverse("accounts:password_reset"),
            {"email": viewer.email.upper()},
            REMOTE_ADDR=f"203.0.113.{number}",
        )
        # then each is answered as usual
        assert response.status_code == 302
        assert response["Location"] == reverse("accounts:password_reset_done")
    # and only two links were sent
    assert len(mail.outbox) == 2


def test_requests_from_one_connection_are_limited(client, make_user, organisation, settings):
    # given a limit of three requests per connection and window, and four accounts
    settings.PUENTE_PASSWORD_RESET_CLIENT_LIMIT = 3
    users = [make_user("partner-viewer", "organisation:FPRU") for _i in range(4)]
    answers = [
        client.post(
            reverse("accounts:password_reset"), {"email": user.email}, REMOTE_ADDR="198.51.100.7"
        )
        for user in users
    ]
    # then the fourth is refused with 429, saying why, and sends nothing
    assert [a.status_code for a in answers] == [302, 302, 302, 429]
    assert "Too many requests" in answers[-1].content.decode()
    assert len(mail.outbox) == 3
    # while another connection is still served
    response = client.post(
        reverse("accounts:password_reset"), {"email": users[3].email}, REMOTE_ADDR="198.51.100.8"
    )
    assert response.status_code == 302
    assert len(mail.outbox) == 4


def test_the_link_is_written_in_the_accounts_language_not_the_askers(client, viewer):
    # given an account whose language is Portuguese, asked for from a Spanish browser
    viewer.language = "pt"
    viewer.save(update_fields=["language"])
    client.cookies.load({"django_language": "es"})
    client.post(reverse("accounts:password_reset"), {"email": viewer.email})
    # then the message is in Portuguese
    [message] = mail.outbox
    assert "senha" in message.body
    assert "contraseña" not in message.body
    # and an account without a language gets the asker's
    viewer.language = ""
    viewer.save(update_fields=["language"])
    mail.outbox.clear()
    client.post(reverse("accounts:password_reset"), {"email": viewer.email})
    assert "contraseña" in mail.outbox[0].body
