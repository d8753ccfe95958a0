import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from puente.accounts.models import RoleAssignment, User
from puente.accounts.services import role_assign, role_revoke, scope_parse
from puente.core.errors import PermissionDenied
from puente.core.models import AuditRecord

pytestmark = pytest.mark.django_db


def test_create_user_command_gives_a_role_and_prints_a_password(capsys):
    call_command(
        "create_user",
        "Coord@Example.org",
        "--role",
        "sector-coordinator",
        "--scope",
        "sector:COL/HEA",
    )
    out = capsys.readouterr().out
    assert "coord@example.org: sector-coordinator @ sector:COL/HEA" in out
    password = out.split("password: ")[1].strip()
    user = User.objects.get(email="coord@example.org")
    assert user.check_password(password)
    assignment = user.role_assignments.get()
    assert (assignment.country.iso3, assignment.sector.code) == ("COL", "HEA")


def test_create_user_command_adds_a_role_to_an_existing_user(capsys, make_user):
    make_user(email="someone@example.org")
    call_command(
        "create_user", "someone@example.org", "--role", "cfm-operator", "--scope", "country:PER"
    )
    assert "password" not in capsys.readouterr().out
    assert User.objects.get(email="someone@example.org").role_assignments.count() == 1


@pytest.mark.parametrize(
    "args,message",
    [
        (["--role", "boss", "--scope", "region"], "Unknown role"),
        (["--role", "regional-admin", "--scope", "galaxy:XYZ"], "Unknown scope"),
        (["--role", "regional-admin", "--scope", "country:ZZZ"], "Unknown scope"),
        (["--role", "partner-reporter", "--scope", "country:COL"], "cannot be bound"),
    ],
)
def test_create_user_command_rejects_bad_roles_and_scopes(args, message):
    with pytest.raises(CommandError, match=message):
        call_command("create_user", "x@example.org", *args)
    assert not User.objects.filter(email="x@example.org").exists()


def test_every_role_change_is_audited(make_user):
    admin = make_user("regional-admin", "region")
    user = make_user()
    assignment = role_assign(
        acting_user=admin, user=user, role="cfm-operator", scope=scope_parse("country:ECU")
    )
    role_revoke(acting_user=admin, assignment=assignment)
    records = list(
        AuditRecord.objects.filter(target_id=str(user.pk))
        .order_by("id")
        .values_list("action", "actor", "data")
    )
    assert records[-2:] == [
        ("role.assign", admin.pk, {"role": "cfm-operator", "scope": "country:ECU"}),
        ("role.revoke", admin.pk, {"role": "cfm-operator", "scope": "country:ECU"}),
    ]


def test_an_im_officer_grants_roles_only_inside_the_platform(make_user):
    officer = make_user("platform-im-officer", "platform:colombia")
    user = make_user()
    role_assign(
        acting_user=officer,
        user=user,
        role="sector-coordinator",
        scope=scope_parse("sector:COL/EDU"),
    )
    for role, scope in [
        ("sector-coordinator", "sector:PER/EDU"),
        ("regional-admin", "region"),
        ("platform-im-officer", "platform:caribbean"),
    ]:
        with pytest.raises(PermissionDenied):
            role_assign(acting_user=officer, user=user, role=role, scope=scope_parse(scope))
    assert list(user.role_assignments.values_list("scope_key", flat=True)) == ["sector:COL/EDU"]


def test_users_page_grants_and_removes_roles(client, make_user):
    officer = make_user("platform-im-officer", "country:COL")
    client.force_login(officer)
    response = client.post(
        reverse("accounts:users"),
        {"email": "new@example.org", "role": "cfm-operator", "scope": "country:COL"},
    )
    assert response.status_code == 302
    assignment = RoleAssignment.objects.get(user__email="new@example.org")
    page = client.get(reverse("accounts:users")).content.decode()
    assert "new@example.org" in page
    response = client.post(
        reverse("accounts:users"),
        {"email": "new@example.org", "role": "cfm-operator", "scope": "country:PER"},
    )
    assert response.status_code == 200
    assert not RoleAssignment.objects.filter(scope_key="country:PER").exists()
    client.post(reverse("accounts:role_remove", args=[assignment.pk]))
    assert not RoleAssignment.objects.filter(pk=assignment.pk).exists()


def test_users_page_is_closed_to_roles_that_do_not_manage_roles(client, make_user):
    client.force_login(make_user("partner-viewer", "organisation:" + _org().acronym))
    assert client.get(reverse("accounts:users")).status_code == 403


def _org():
    from puente.partners.models import Organisation

    org, _ = Organisation.objects.get_or_create(
        acronym="ACME", defaults={"name": "Acme", "type": "national-ngo"}
    )
    return org


def test_admin_roles_must_enrol_and_verify_a_totp_device(client, make_user, settings):
    # given two-factor is required and an admin without a device signs in
    settings.PUENTE_REQUIRE_2FA = True
    admin = make_user("regional-admin", "region")
    response = client.post(
        reverse("accounts:login"), {"username": admin.email, "password": "pw-for-tests-1"}
    )
    assert response.status_code == 302
    # when they open any page they are sent to the two-factor page
    response = client.get(reverse("partners:directory"))
    assert response.status_code == 302 and response["Location"].startswith(
        reverse("accounts:two_factor")
    )
    page = client.get(reverse("accounts:two_factor"))
    assert b"data:image/svg+xml;base64" in page.content
    device = TOTPDevice.objects.get(user=admin)
    assert not device.confirmed
    # a wrong code is refused
    bad = client.post(reverse("accounts:two_factor"), {"token": "000000", "next": "/partners/"})
    assert bad.status_code == 200 and not TOTPDevice.objects.get(user=admin).confirmed
    # (a failure makes the device wait before the next try; the test does not wait)
    TOTPDevice.objects.filter(user=admin).update(
        throttling_failure_count=0, throttling_failure_timestamp=None
    )
    # then a valid code confirms the device and opens the pages
    token = f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"
    response = client.post(reverse("accounts:two_factor"), {"token": token, "next": "/partners/"})
    assert response.status_code == 302 and response["Location"] == "/partners/"
    assert TOTPDevice.objects.get(user=admin).confirmed
    assert client.get(reverse("partners:directory")).status_code == 200


def test_partner_roles_need_no_second_factor(client, make_user, settings):
    settings.PUENTE_REQUIRE_2FA = True
    user = make_user("partner-viewer", "organisation:" + _org().acronym)
    client.post(reverse("accounts:login"), {"username": user.email, "password": "pw-for-tests-1"})
    assert client.get(reverse("partners:directory")).status_code == 200


def test_login_is_throttled_after_repeated_failures(client, make_user, settings):
    settings.AXES_FAILURE_LIMIT = 3
    user = make_user("partner-viewer", "organisation:" + _org().acronym)
    for _attempt in range(3):
        client.post(reverse("accounts:login"), {"username": user.email, "password": "wrong"})
    response = client.post(
        reverse("accounts:login"), {"username": user.email, "password": "pw-for-tests-1"}
    )
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
