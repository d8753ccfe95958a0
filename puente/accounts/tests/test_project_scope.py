"""The `data-collector` role and the `project:CODE` scope: what a collector may do, who
else reaches a project, who may grant the role, and the Digest hash kept for collectors
only."""

import pytest

from puente.accounts.models import RoleAssignment, digest_ha1
from puente.accounts.permissions import Action, Target, scope_filter, user_can
from puente.accounts.services import role_assign, scope_parse
from puente.collect.models import Project
from puente.core.errors import ApplicationError, PermissionDenied
from puente.reference.models import Country

pytestmark = pytest.mark.django_db

COLLECT, VIEW, FORMS = Action.COLLECT_DATA, Action.VIEW_COLLECTED, Action.MANAGE_FORMS


@pytest.fixture
def projects():
    colombia = Project.objects.create(
        code="fm-col", name="Flow monitoring Colombia", country=Country.objects.get(iso3="COL")
    )
    peru = Project.objects.create(
        code="fm-per", name="Flow monitoring Peru", country=Country.objects.get(iso3="PER")
    )
    return colombia, peru


def _target(project: Project) -> Target:
    return Target(country=project.country, project=project)


@pytest.mark.parametrize(
    "role,scope,on_colombia,on_peru",
    [
        ("data-collector", "project:fm-col", {COLLECT}, set()),
        ("platform-im-officer", "country:COL", {VIEW, FORMS}, set()),
        ("platform-im-officer", "platform:peru", set(), {VIEW, FORMS}),
        ("regional-admin", "region", {VIEW, FORMS}, {VIEW, FORMS}),
        ("partner-reporter", "organisation:FPRU", set(), set()),
        ("cfm-operator", "country:COL", set(), set()),
        ("sector-coordinator", "sector:COL/HEA", set(), set()),
    ],
)
def test_who_reaches_a_project(
    make_user, organisation, projects, role, scope, on_colombia, on_peru
):
    # given
    colombia, peru = projects
    user = make_user(role, scope)
    actions = {COLLECT, VIEW, FORMS}
    # then
    assert {a for a in actions if user_can(user, a, _target(colombia))} == on_colombia
    assert {a for a in actions if user_can(user, a, _target(peru))} == on_peru


def test_a_data_collector_may_do_nothing_else(make_user, projects):
    user = make_user("data-collector", "project:fm-col")
    colombia = Country.objects.get(iso3="COL")
    others = set(Action) - {COLLECT}
    assert not any(user_can(user, action, Target(country=colombia)) for action in others)
    assert not user_can(user, Action.VIEW_DIRECTORY)


def test_the_project_scope_is_written_with_the_code(projects):
    scope = scope_parse("project:FM-COL")
    assert scope.key == "project:fm-col"
    assert scope.reach == frozenset({projects[0].country_id})


def test_an_unknown_project_is_an_unknown_scope(projects):
    with pytest.raises(ApplicationError) as caught:
        scope_parse("project:nowhere")
    assert caught.value.code == "unknown_scope"


@pytest.mark.parametrize("role", ["partner-reporter", "platform-im-officer", "regional-admin"])
def test_only_data_collectors_bind_to_a_project(make_user, projects, role):
    with pytest.raises(ApplicationError) as caught:
        role_assign(
            acting_user=None, user=make_user(), role=role, scope=scope_parse("project:fm-col")
        )
    assert caught.value.code == "invalid_scope_for_role"


def test_a_data_collector_binds_to_a_project_only(make_user, projects):
    with pytest.raises(ApplicationError) as caught:
        role_assign(
            acting_user=None,
            user=make_user(),
            role="data-collector",
            scope=scope_parse("country:COL"),
        )
    assert caught.value.code == "invalid_scope_for_role"


def test_an_im_officer_grants_collectors_of_their_country_only(make_user, projects):
    # given
    officer = make_user("platform-im-officer", "country:COL")
    collector = make_user()
    # when
    role_assign(
        acting_user=officer,
        user=collector,
        role="data-collector",
        scope=scope_parse("project:fm-col"),
    )
    # then
    assert RoleAssignment.objects.filter(user=collector, project=projects[0]).exists()
    with pytest.raises(PermissionDenied) as caught:
        role_assign(
            acting_user=officer,
            user=collector,
            role="data-collector",
            scope=scope_parse("project:fm-per"),
        )
    assert caught.value.code == "outside_scope"


def test_scope_filter_gives_a_collector_their_project(make_user, projects):
    user = make_user("data-collector", "project:fm-col")
    q = scope_filter(user, COLLECT, country="country", project="pk")
    assert list(Project.objects.filter(q)) == [projects[0]]
    # A model without a project lookup gives a collector nothing.
    assert not Project.objects.filter(scope_filter(user, COLLECT, country="country")).exists()


def test_scope_filter_gives_an_im_officer_the_projects_of_their_country(make_user, projects):
    user = make_user("platform-im-officer", "country:COL")
    q = scope_filter(user, VIEW, country="country", project="pk")
    assert list(Project.objects.filter(q)) == [projects[0]]


def test_the_digest_hash_is_kept_for_users_without_a_second_factor(make_user, projects):
    # given
    collector = make_user("data-collector", "project:fm-col")
    # when
    collector.set_password("field-pass-1")
    collector.save()
    # then
    assert collector.digest_ha1 == digest_ha1(collector, "field-pass-1")
    assert len(collector.digest_ha1) == 32


def test_no_digest_hash_for_two_factor_roles(make_user):
    # given: the hash made with the password at creation goes with the role
    officer = make_user("platform-im-officer", "country:COL")
    officer.refresh_from_db()
    assert officer.digest_ha1 == ""
    # when
    officer.set_password("office-pass-1")
    # then
    assert officer.digest_ha1 == ""
