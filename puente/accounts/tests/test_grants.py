"""Who may grant what: a grant reaches no further than the granter's own scope, nobody
grants or removes their own roles, PSEA roles come from PSEA coordinators only (and are
e-mailed to them), and a grant is all or nothing."""

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from puente.accounts.models import RoleAssignment, User
from puente.accounts.permissions import Action, Target, requires_two_factor, user_can
from puente.accounts.services import role_assign, role_revoke, scope_parse, user_role_grant
from puente.core.errors import PermissionDenied
from puente.core.models import AuditRecord
from puente.partners.models import Organisation
from puente.reference.models import Country

pytestmark = pytest.mark.django_db


def _org(acronym: str, *iso3: str) -> Organisation:
    org = Organisation.objects.create(name=acronym, acronym=acronym, type="national-ngo")
    org.countries.set(Country.objects.filter(iso3__in=iso3))
    return org


@pytest.fixture
def orgs(db):
    return {
        "AR-EC": _org("AR-EC", "COL", "ECU", "PER"),
        "UNHCR": _org("UNHCR", "COL", "PER"),
        "PERU-ONLY": _org("PERU-ONLY", "PER"),
        "NOWHERE": _org("NOWHERE"),
    }


def _grant(acting_user, role, scope, email="grantee@example.org"):
    return user_role_grant(
        acting_user=acting_user, email=email, role=role, scope=scope_parse(scope)
    )


def _refused(acting_user, role, scope, email="grantee@example.org") -> str:
    with pytest.raises(PermissionDenied) as exc_info:
        _grant(acting_user, role, scope, email)
    return exc_info.value.code


# --- 1. What a grant reaches lies wholly inside the granter's reach -----------------------


def test_peru_officer_cannot_grant_psea_over_an_organisation_working_beyond_peru(make_user, orgs):
    # the attacker's probe: platform-im-officer country:PER -> psea-focal-point AR-EC
    officer = make_user("platform-im-officer", "country:PER")
    assert _refused(officer, "psea-focal-point", "organisation:AR-EC") == "psea_coordinator_only"
    # and a PSEA coordinator of Peru alone cannot either: AR-EC works in COL and ECU too
    coordinator = make_user("psea-coordinator", "platform:peru")
    assert _refused(coordinator, "psea-focal-point", "organisation:AR-EC") == "outside_scope"
    assert not User.objects.filter(email="grantee@example.org").exists()


def test_peru_officer_cannot_grant_a_reporter_over_an_organisation_working_in_colombia(
    client, make_user, orgs
):
    # the attacker's probe, through the Users and roles page
    officer = make_user("platform-im-officer", "country:PER")
    client.force_login(officer)
    response = client.post(
        reverse("accounts:users"),
        {"email": "probe@example.org", "role": "partner-reporter", "scope": "organisation:UNHCR"},
    )
    assert response.status_code == 200
    assert "wholly inside your own scope" in response.content.decode()
    assert not RoleAssignment.objects.filter(scope_key="organisation:UNHCR").exists()
    # 3. a refused grant leaves no account behind
    assert not User.objects.filter(email="probe@example.org").exists()


def test_an_officer_grants_over_an_organisation_working_only_inside_the_scope(
    client, make_user, orgs
):
    officer = make_user("platform-im-officer", "country:PER")
    client.force_login(officer)
    response = client.post(
        reverse("accounts:users"),
        {"email": "ok@example.org", "role": "partner-reporter", "scope": "organisation:PERU-ONLY"},
    )
    assert response.status_code == 302
    assert RoleAssignment.objects.filter(
        user__email="ok@example.org", scope_key="organisation:PERU-ONLY"
    ).exists()


def test_the_granter_reach_is_the_union_of_their_granting_scopes(make_user, orgs):
    # given an officer of the Colombian platform who also holds Ecuador and Peru
    officer = make_user("platform-im-officer", "platform:colombia")
    assert _refused(officer, "partner-reporter", "organisation:AR-EC") == "outside_scope"
    role_assign(
        acting_user=None, user=officer, role="platform-im-officer", scope=scope_parse("country:ECU")
    )
    role_assign(
        acting_user=None, user=officer, role="platform-im-officer", scope=scope_parse("country:PER")
    )
    officer = User.objects.get(pk=officer.pk)  # fresh role cache
    # then the organisation working in the three countries is inside
    _grant(officer, "partner-reporter", "organisation:AR-EC")
    assert RoleAssignment.objects.filter(scope_key="organisation:AR-EC").count() == 1


@pytest.mark.parametrize(
    "role,scope",
    [
        ("sector-coordinator", "sector:HEA"),  # a sector region-wide
        ("partner-viewer", "organisation:NOWHERE"),  # an organisation naming no country
        ("cfm-operator", "platform:peru"),  # a platform with other countries than COL
        ("platform-im-officer", "platform:colombia"),  # fine: inside (checked below)
    ],
)
def test_an_officer_of_colombia_grants_nothing_reaching_beyond_colombia(
    make_user, orgs, role, scope
):
    officer = make_user("platform-im-officer", "country:COL")
    if scope == "platform:colombia":
        _grant(officer, role, scope)
        assert RoleAssignment.objects.filter(user__email="grantee@example.org").exists()
    else:
        assert _refused(officer, role, scope) == "outside_scope"


def test_a_regional_admin_grants_any_non_psea_role_anywhere(make_user, orgs):
    admin = make_user("regional-admin", "region")
    for role, scope in [
        ("partner-reporter", "organisation:NOWHERE"),
        ("sector-coordinator", "sector:HEA"),
        ("regional-admin", "region"),
    ]:
        _grant(admin, role, scope)
    assert RoleAssignment.objects.filter(user__email="grantee@example.org").count() == 3


# --- 2. Nobody grants a role to themselves; PSEA roles come from PSEA coordinators ---------


@pytest.mark.parametrize(
    "role,scope",
    [("regional-admin", "region"), ("platform-im-officer", "platform:colombia")],
)
def test_nobody_grants_themselves_psea_focal_point(make_user, role, scope):
    # the attacker's probe: the admin / IM officer granting themselves psea-focal-point
    manager = make_user(role, scope)
    target = "region" if role == "regional-admin" else "country:COL"
    assert _refused(manager, "psea-focal-point", target, email=manager.email) == "own_role"
    assert not manager.role_assignments.filter(role="psea-focal-point").exists()


def test_nobody_grants_themselves_any_role_through_the_page(client, make_user):
    officer = make_user("platform-im-officer", "platform:colombia")
    client.force_login(officer)
    response = client.post(
        reverse("accounts:users"),
        {"email": officer.email.upper(), "role": "cfm-operator", "scope": "country:COL"},
    )
    assert response.status_code == 200
    assert "Nobody grants or removes their own roles." in response.content.decode()
    assert list(officer.role_assignments.values_list("role", flat=True)) == ["platform-im-officer"]


@pytest.mark.parametrize(
    "role,scope",
    [("regional-admin", "region"), ("platform-im-officer", "platform:colombia")],
)
def test_administrators_and_im_officers_grant_no_psea_role(make_user, role, scope):
    manager = make_user(role, scope)
    for psea_role, psea_scope in [
        ("psea-focal-point", "country:COL"),
        ("psea-coordinator", "platform:colombia"),
    ]:
        assert _refused(manager, psea_role, psea_scope) == "psea_coordinator_only"
    assert not User.objects.filter(email="grantee@example.org").exists()


def test_a_superuser_grants_no_psea_role(make_user):
    superuser = make_user(is_superuser=True)
    assert _refused(superuser, "psea-focal-point", "country:COL") == "psea_coordinator_only"
    _grant(superuser, "cfm-operator", "country:COL")


def test_the_users_page_offers_only_the_roles_the_user_may_grant(client, make_user):
    # given an admin, the PSEA roles are not offered, and a posted one is refused
    admin = make_user("regional-admin", "region")
    client.force_login(admin)
    page = client.get(reverse("accounts:users")).content.decode()
    assert 'value="cfm-operator"' in page and 'value="psea-focal-point"' not in page
    response = client.post(
        reverse("accounts:users"),
        {"email": "x@example.org", "role": "psea-focal-point", "scope": "country:COL"},
    )
    assert response.status_code == 200
    assert not User.objects.filter(email="x@example.org").exists()
    # a PSEA coordinator is offered the PSEA roles only
    client.force_login(make_user("psea-coordinator", "region"))
    page = client.get(reverse("accounts:users")).content.decode()
    assert 'value="psea-focal-point"' in page and 'value="psea-coordinator"' in page
    assert 'value="cfm-operator"' not in page


def test_a_psea_coordinator_grants_psea_roles_inside_the_scope_and_nothing_else(make_user, orgs):
    coordinator = make_user("psea-coordinator", "platform:colombia")
    _grant(coordinator, "psea-focal-point", "country:COL")
    assert _refused(coordinator, "psea-focal-point", "country:PER") == "outside_scope"
    assert _refused(coordinator, "psea-coordinator", "region") == "outside_scope"
    assert _refused(coordinator, "cfm-operator", "country:COL") == "role_not_grantable"
    assert (
        _refused(coordinator, "psea-focal-point", "region", email=coordinator.email) == "own_role"
    )
    assert list(
        RoleAssignment.objects.filter(role="psea-focal-point").values_list("scope_key", flat=True)
    ) == ["country:COL"]


def test_a_psea_coordinator_reads_no_complaint_unless_also_a_focal_point(make_user):
    coordinator = make_user("psea-coordinator", "region")
    colombia = Target(country=Country.objects.get(iso3="COL"))
    assert not user_can(coordinator, Action.VIEW_SENSITIVE_FEEDBACK, colombia)
    assert not user_can(coordinator, Action.VIEW_FEEDBACK, colombia)
    role_assign(
        acting_user=None,
        user=coordinator,
        role="psea-focal-point",
        scope=scope_parse("country:COL"),
    )
    coordinator = User.objects.get(pk=coordinator.pk)
    assert user_can(coordinator, Action.VIEW_SENSITIVE_FEEDBACK, colombia)


def test_a_psea_coordinator_needs_the_second_factor(client, make_user, settings):
    settings.PUENTE_REQUIRE_2FA = True
    coordinator = make_user("psea-coordinator", "region")
    assert requires_two_factor(coordinator)
    client.post(
        reverse("accounts:login"), {"username": coordinator.email, "password": "pw-for-tests-1"}
    )
    response = client.get(reverse("accounts:users"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:two_factor"))


def test_the_first_psea_coordinator_is_created_from_the_command_line(capsys):
    call_command(
        "create_user", "coord@example.org", "--role", "psea-coordinator", "--scope", "region"
    )
    assert "coord@example.org: psea-coordinator @ region" in capsys.readouterr().out
    with pytest.raises(CommandError, match="cannot be bound"):
        call_command(
            "create_user", "c2@example.org", "--role", "psea-coordinator", "--scope", "country:COL"
        )
    assert not User.objects.filter(email="c2@example.org").exists()


# --- PSEA role changes are e-mailed to the PSEA coordinators of the scope, and audited -----


def test_a_psea_grant_and_removal_are_mailed_to_the_coordinators_of_the_scope(
    make_user, mailoutbox, django_capture_on_commit_callbacks
):
    # given coordinators of the region, of Colombia and of Peru
    regional = make_user("psea-coordinator", "region", email="regional@example.org")
    make_user("psea-coordinator", "platform:colombia", email="colombia@example.org")
    make_user("psea-coordinator", "platform:peru", email="peru@example.org")
    mailoutbox.clear()
    # when the regional coordinator gives a focal point in Colombia
    with django_capture_on_commit_callbacks(execute=True):
        _user, assignment, _password = _grant(regional, "psea-focal-point", "country:COL")
    # then the coordinators reaching Colombia are told, not Peru's
    assert sorted(m.to[0] for m in mailoutbox) == ["colombia@example.org", "regional@example.org"]
    assert "grantee@example.org" in mailoutbox[0].body
    assert "psea-focal-point" in mailoutbox[0].body and "country:COL" in mailoutbox[0].body
    assert mailoutbox[0].subject == "Puente: PSEA role granted"
    # when it is removed, the same people are told
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        role_revoke(acting_user=regional, assignment=assignment)
    assert sorted(m.to[0] for m in mailoutbox) == ["colombia@example.org", "regional@example.org"]
    assert mailoutbox[0].subject == "Puente: PSEA role removed"
    # and both are audited
    actions = list(
        AuditRecord.objects.filter(action__startswith="role.", data__role="psea-focal-point")
        .order_by("id")
        .values_list("action", "actor", "data")
    )
    assert actions == [
        ("role.assign", regional.pk, {"role": "psea-focal-point", "scope": "country:COL"}),
        ("role.revoke", regional.pk, {"role": "psea-focal-point", "scope": "country:COL"}),
    ]


def test_a_psea_grant_from_the_command_line_is_mailed_too(
    make_user, mailoutbox, django_capture_on_commit_callbacks
):
    make_user("psea-coordinator", "region", email="regional@example.org")
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        call_command(
            "create_user", "fp@example.org", "--role", "psea-focal-point", "--scope", "country:ECU"
        )
    assert [m.to for m in mailoutbox] == [["regional@example.org"]]
    assert "command line" in mailoutbox[0].body


def test_other_role_changes_are_not_mailed(
    make_user, mailoutbox, django_capture_on_commit_callbacks
):
    make_user("psea-coordinator", "region")
    admin = make_user("regional-admin", "region")
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        _grant(admin, "cfm-operator", "country:COL")
    assert mailoutbox == []


# --- Removing follows the same rule ---------------------------------------------------------


def test_removing_a_role_needs_the_reach_to_grant_it(client, make_user, orgs):
    holder = make_user("partner-reporter", "organisation:UNHCR")
    assignment = holder.role_assignments.get()
    client.force_login(make_user("platform-im-officer", "country:PER"))
    response = client.post(reverse("accounts:role_remove", args=[assignment.pk]))
    assert response.status_code == 403
    assert RoleAssignment.objects.filter(pk=assignment.pk).exists()


def test_nobody_removes_their_own_roles_on_the_web(client, make_user):
    admin = make_user("regional-admin", "region")
    other_admin = make_user("regional-admin", "region")
    mine = admin.role_assignments.get()
    client.force_login(admin)
    page = client.get(reverse("accounts:users")).content.decode()
    assert "Your own role: another manager removes it." in page
    assert client.post(reverse("accounts:role_remove", args=[mine.pk])).status_code == 403
    assert RoleAssignment.objects.filter(pk=mine.pk).exists()
    # another admin may
    client.force_login(other_admin)
    assert client.post(reverse("accounts:role_remove", args=[mine.pk])).status_code == 302
    assert not RoleAssignment.objects.filter(pk=mine.pk).exists()


def test_administrators_remove_no_psea_role_and_coordinators_do(client, make_user):
    focal_point = make_user("psea-focal-point", "country:COL")
    assignment = focal_point.role_assignments.get()
    client.force_login(make_user("regional-admin", "region"))
    assert "psea-focal-point" not in client.get(reverse("accounts:users")).content.decode()
    assert client.post(reverse("accounts:role_remove", args=[assignment.pk])).status_code == 403
    assert RoleAssignment.objects.filter(pk=assignment.pk).exists()
    client.force_login(make_user("psea-coordinator", "region"))
    assert client.post(reverse("accounts:role_remove", args=[assignment.pk])).status_code == 302
    assert not RoleAssignment.objects.filter(pk=assignment.pk).exists()


def test_the_command_line_removes_any_role(capsys, make_user):
    coordinator = make_user("psea-coordinator", "region", email="coord@example.org")
    call_command(
        "remove_role", "Coord@Example.org", "--role", "psea-coordinator", "--scope", "region"
    )
    assert "coord@example.org: psea-coordinator @ region removed" in capsys.readouterr().out
    assert not coordinator.role_assignments.exists()
    with pytest.raises(CommandError, match="does not hold"):
        call_command(
            "remove_role", "coord@example.org", "--role", "psea-coordinator", "--scope", "region"
        )
    audit = AuditRecord.objects.filter(action="role.revoke").values_list("actor", "data")
    assert list(audit) == [(None, {"role": "psea-coordinator", "scope": "region"})]
