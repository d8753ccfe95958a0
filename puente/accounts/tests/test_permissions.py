"""The permission matrix: every role x scope x action, against targets inside and outside
the scope. The expected sets are written out by hand; they are the specification."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from puente.accounts.models import User
from puente.accounts.permissions import Action, Target, user_can
from puente.accounts.services import role_assign, scope_parse
from puente.partners.models import Organisation
from puente.reference.models import Country, Sector

DIR, EDIT_ORG, IMP_PART = Action.VIEW_DIRECTORY, Action.EDIT_ORGANISATION, Action.IMPORT_PARTNERS
REF, ROLES, SUBMIT = Action.MANAGE_REFERENCE, Action.MANAGE_ROLES, Action.SUBMIT_REPORT
VIEW_REP, REVIEW, LOCK = Action.VIEW_REPORTS, Action.REVIEW_REPORT, Action.LOCK_PERIOD
LOG_FB, VIEW_FB, SENS = Action.LOG_FEEDBACK, Action.VIEW_FEEDBACK, Action.VIEW_SENSITIVE_FEEDBACK
PLANS, SUBMIT_PLAN, REVIEW_PLAN = Action.MANAGE_PLANS, Action.SUBMIT_PLAN, Action.REVIEW_PLAN
NEEDS, FUNDING = Action.MANAGE_NEEDS, Action.MANAGE_FUNDING
VIEW_COLLECTED, FORMS = Action.VIEW_COLLECTED, Action.MANAGE_FORMS

ADMIN = {DIR, EDIT_ORG, IMP_PART, REF, ROLES, VIEW_REP, LOCK, VIEW_FB}
ADMIN |= {PLANS, REVIEW_PLAN, NEEDS, FUNDING}
ADMIN |= {Action.MANAGE_FEEDBACK}
ADMIN |= {VIEW_COLLECTED, FORMS}
IM = {DIR, EDIT_ORG, IMP_PART, ROLES, SUBMIT, VIEW_REP, LOCK, VIEW_FB}
IM |= {SUBMIT_PLAN, REVIEW_PLAN, NEEDS, FUNDING}
IM |= {VIEW_COLLECTED, FORMS}
COORD = {DIR, VIEW_REP, REVIEW, REVIEW_PLAN}
CFM = {DIR, LOG_FB, VIEW_FB}
PSEA = {DIR, VIEW_FB, SENS}
ONLY_DIR = {DIR}

ORGANISATIONS = {"FPRU": "COL", "OTHR": "ARG"}
TARGETS = ["none", "COL", "ARG", "COL/HEA", "COL/PRO-CP", "org-in-COL", "org-in-ARG"]

# subject -> allowed actions per target, in the order of TARGETS.
MATRIX = {
    "regional-admin region": [ADMIN, ADMIN, ADMIN, ADMIN, ADMIN, ADMIN, ADMIN],
    "platform-im-officer platform:colombia": [ONLY_DIR, IM, ONLY_DIR, IM, IM, IM, ONLY_DIR],
    "platform-im-officer platform:southern-cone": [
        ONLY_DIR,
        ONLY_DIR,
        IM,
        ONLY_DIR,
        ONLY_DIR,
        ONLY_DIR,
        IM,
    ],
    "platform-im-officer country:COL": [ONLY_DIR, IM, ONLY_DIR, IM, IM, IM, ONLY_DIR],
    "sector-coordinator sector:COL/HEA": [
        ONLY_DIR,
        ONLY_DIR,
        ONLY_DIR,
        COORD,
        ONLY_DIR,
        ONLY_DIR,
        ONLY_DIR,
    ],
    "sector-coordinator sector:COL/PRO": [
        ONLY_DIR,
        ONLY_DIR,
        ONLY_DIR,
        ONLY_DIR,
        COORD,
        ONLY_DIR,
        ONLY_DIR,
    ],
    "sector-coordinator sector:HEA": [
        ONLY_DIR,
        ONLY_DIR,
        ONLY_DIR,
        COORD,
        ONLY_DIR,
        ONLY_DIR,
        ONLY_DIR,
    ],
    "partner-reporter organisation:FPRU": [
        ONLY_DIR,
        ONLY_DIR,
        ONLY_DIR,
        ONLY_DIR,
        ONLY_DIR,
        {DIR, SUBMIT, VIEW_REP, SUBMIT_PLAN},
        ONLY_DIR,
    ],
    "partner-viewer organisation:FPRU": [
        ONLY_DIR,
        ONLY_DIR,
        ONLY_DIR,
        ONLY_DIR,
        ONLY_DIR,
        {DIR, VIEW_REP},
        ONLY_DIR,
    ],
    "cfm-operator country:COL": [ONLY_DIR, CFM, ONLY_DIR, CFM, CFM, CFM, ONLY_DIR],
    "cfm-operator organisation:FPRU": [
        ONLY_DIR,
        ONLY_DIR,
        ONLY_DIR,
        ONLY_DIR,
        ONLY_DIR,
        CFM,
        ONLY_DIR,
    ],
    "psea-focal-point country:COL": [ONLY_DIR, PSEA, ONLY_DIR, PSEA, PSEA, PSEA, ONLY_DIR],
    "psea-focal-point region": [PSEA, PSEA, PSEA, PSEA, PSEA, PSEA, PSEA],
    "superuser": [set(Action) - {SENS}] * len(TARGETS),
    "no role": [set()] * len(TARGETS),
}

CASES = [
    (subject, target, allowed)
    for subject, row in MATRIX.items()
    for target, allowed in zip(TARGETS, row, strict=True)
]


def _target(name: str) -> Target | None:
    if name == "none":
        return None
    if name.startswith("org-in-"):
        acronym = {"org-in-COL": "FPRU", "org-in-ARG": "OTHR"}[name]
        return Target(organisation=Organisation.objects.get(acronym=acronym))
    iso3, _slash, sector = name.partition("/")
    return Target(
        country=Country.objects.get(iso3=iso3),
        sector=Sector.objects.get(code=sector) if sector else None,
    )


@pytest.mark.django_db
@pytest.mark.parametrize("subject,target,allowed", CASES, ids=[f"{s}|{t}" for s, t, _a in CASES])
def test_permission_matrix(subject, target, allowed):
    # given
    for acronym, iso3 in ORGANISATIONS.items():
        org = Organisation.objects.create(name=acronym, acronym=acronym, type="national-ngo")
        org.countries.set([Country.objects.get(iso3=iso3)])
    user = User.objects.create_user("subject@example.org", "pw")
    if subject == "superuser":
        user.is_superuser = True
        user.save()
    elif subject != "no role":
        role, scope = subject.split(" ")
        role_assign(acting_user=None, user=user, role=role, scope=scope_parse(scope))
    # when
    granted = {action for action in Action if user_can(user, action, _target(target))}
    # then
    assert granted == allowed


@pytest.mark.django_db
def test_inactive_users_can_do_nothing(make_user):
    user = make_user("regional-admin", "region", is_active=False)
    assert not any(user_can(user, action) for action in Action)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "role,scope",
    [
        ("regional-admin", "country:COL"),
        ("partner-reporter", "country:COL"),
        ("sector-coordinator", "organisation:IOM"),
        ("platform-im-officer", "region"),
    ],
)
def test_a_role_only_binds_to_its_scope_kinds(make_user, role, scope):
    from puente.core.errors import ApplicationError
    from puente.partners.models import Organisation

    Organisation.objects.get_or_create(acronym="IOM", defaults={"name": "IOM", "type": "un-agency"})
    user = make_user()
    with pytest.raises(ApplicationError) as exc_info:
        role_assign(acting_user=None, user=user, role=role, scope=scope_parse(scope))
    assert exc_info.value.code == "invalid_scope_for_role"


@pytest.mark.django_db
def test_a_platforms_countries_are_read_once_for_all_of_a_users_checks(make_user):
    # Read when a check first needs them, then kept with the user's roles: a file of
    # thousands of rows is checked row by row.
    user = make_user("platform-im-officer", "platform:colombia")
    countries = list(Country.objects.order_by("iso3"))
    with CaptureQueriesContext(connection) as first:
        reached = {c.iso3 for c in countries if user_can(user, VIEW_REP, Target(country=c))}
    with CaptureQueriesContext(connection) as later:
        again = {c.iso3 for c in countries if user_can(user, VIEW_REP, Target(country=c))}
    assert reached == again == {"COL"}
    # the roles, their platform, the platform's countries
    assert len(first.captured_queries) == 3
    assert later.captured_queries == []
