"""The permission matrix of the URL map: every URL pattern of puente/urls.py, GET and an
empty POST, for every role (and for nobody), on an object inside and one outside the
role's scope where the URL takes one, compared with ONE table below.

A new URL fails the test until it is added to MATRIX. `MATRIX_PRINT=1` prints the answers
seen, in the table's own form, to help write a new entry (then read them: the table says
what should happen, not what happens).

Scopes: the Colombian side is "in" (organisation INCOL works in Colombia only; the
objects are Colombian), the Peruvian side "out" (INPER works in Peru only).
"""

from __future__ import annotations

import datetime as dt
import os
from collections import Counter
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from puente.accounts.models import RoleAssignment
from puente.collect.models import (
    Form,
    FormExport,
    FormVersion,
    Project,
    QuarantinedSubmission,
    Submission,
    SubmissionAttachment,
)
from puente.partners.models import Organisation
from puente.plans.models import Plan, PlanEntry
from puente.reference.models import Country, Sector
from puente.reporting.models import ActivityRow
from puente.reporting.services.imports import batch_create, rows_import

pytestmark = pytest.mark.django_db

# name: (role, scope); "nobody" is not signed in.
ROLES: dict[str, tuple[str, str] | None] = {
    "admin": ("regional-admin", "region"),
    "im": ("platform-im-officer", "platform:colombia"),
    "sector": ("sector-coordinator", "sector:COL/HEA"),
    "reporter": ("partner-reporter", "organisation:INCOL"),
    "viewer": ("partner-viewer", "organisation:INCOL"),
    "cfm": ("cfm-operator", "country:COL"),
    "psea": ("psea-focal-point", "country:COL"),
    "psea-coord": ("psea-coordinator", "region"),
    "collector": ("data-collector", "project:fm-in"),
    "nobody": None,
}
SKIPPED_PREFIXES = ("admin/", "i18n/", "static/")
# The XForm of the forms on each side: one text field, `point`.
MATRIX_XFORM = (
    '<h:html xmlns="http://www.w3.org/2002/xforms" xmlns:h="http://www.w3.org/1999/xhtml">'
    '<h:head><model><instance><data id="survey"><point/><meta><instanceID/></meta></data>'
    '</instance><bind nodeset="/data/point" type="string"/></model></h:head>'
    '<h:body><input ref="/data/point"><label>Point</label></input></h:body></h:html>'
)

# The expected answers, "GET POST" (POST with an empty body). Per URL name: "*" for
# every role, a role's name for that role, "<role>:out" for the object outside the role's
# scope ("*:out" for every role's), most specific first. "-" : the URL takes no POST
# check (e.g. it signs the user out).
MATRIX: dict[str, dict[str, str]] = {
    "home": {"*": "200 200"},
    "favicon": {"*": "302 302"},
    # No worker heartbeat in this test: not ready (docs/deploy.md).
    "healthz": {"*": "200 405"},
    "readyz": {"*": "503 405"},
    # No PUENTE_METRICS_TOKEN here: /metrics is not found (docs/deploy.md).
    "metrics": {"*": "404 404"},
    "accounts:login": {"*": "302 302", "nobody": "200 200"},
    # Logout is POST only; the POST itself is not sent (it would end the session).
    "accounts:logout": {"*": "405 -"},
    "accounts:two_factor": {"*": "200 200", "nobody": "302 302"},
    "accounts:password_change": {"*": "200 200", "nobody": "302 302"},
    "accounts:password_change_done": {"*": "200 405", "nobody": "302 302"},
    "accounts:password_reset": {"*": "200 200"},
    "accounts:password_reset_done": {"*": "200 405"},
    "accounts:password_reset_confirm": {"*": "200 200"},
    "accounts:password_reset_complete": {"*": "200 405"},
    "accounts:api_token": {"*": "200 200", "nobody": "302 302"},
    "accounts:users": {
        "*": "403 403",
        "admin": "200 200",
        "im": "200 200",
        "psea-coord": "200 200",
        "nobody": "302 302",
    },
    # Removing a role of Peru is refused to an officer of Colombia (403); the admin may.
    "accounts:role_remove": {
        "*": "405 403",
        "admin": "405 302",
        "im": "405 302",
        "nobody": "302 302",
        "im:out": "405 403",
    },
    "partners:directory": {"collector": "403 403", "*": "200 200", "nobody": "302 302"},
    "organisation": {"collector": "403 403", "*": "200 200", "nobody": "302 302"},
    "reference:countries": {"*": "200 200", "nobody": "302 302"},
    "reference:country": {"*": "200 200", "nobody": "302 302"},
    "reference:sectors": {"*": "200 200", "nobody": "302 302"},
    "reference:population_groups": {"*": "200 200", "nobody": "302 302"},
    # Where a population group applies is the region's reference data: regional admins.
    "reference:population_group_edit": {
        "*": "403 403",
        "admin": "200 200",
        "nobody": "302 302",
    },
    "reference:indicators_export": {"*": "200 405", "nobody": "302 302"},
    "reporting:rows": {
        "collector": "403 403",
        "*": "200 200",
        "cfm": "403 403",
        "psea": "403 403",
        "psea-coord": "403 403",
        "nobody": "302 302",
    },
    "reporting:export": {
        "collector": "403 403",
        "*": "200 200",
        "cfm": "403 403",
        "psea": "403 403",
        "psea-coord": "403 403",
        "nobody": "302 302",
    },
    "reporting:template": {"*": "200 200", "nobody": "302 302"},
    "reporting:upload": {
        "*": "403 403",
        "im": "200 200",
        "reporter": "200 200",
        "nobody": "302 302",
    },
    # An import outside the reader's scope is not found (batch_for_user).
    "reporting:batch": {
        "*": "404 404",
        "admin": "200 200",
        "im": "200 200",
        "sector": "200 200",
        "reporter": "200 200",
        "viewer": "200 200",
        "nobody": "302 302",
        "im:out": "404 404",
        "sector:out": "404 404",
        "reporter:out": "404 404",
        "viewer:out": "404 404",
    },
    "reporting:batch_progress": {
        "*": "404 404",
        "admin": "200 200",
        "im": "200 200",
        "sector": "200 200",
        "reporter": "200 200",
        "viewer": "200 200",
        "nobody": "302 302",
        "im:out": "404 404",
        "sector:out": "404 404",
        "reporter:out": "404 404",
        "viewer:out": "404 404",
    },
    "reporting:batch_errors": {"*": "404 404", "nobody": "302 302"},
    "reporting:row_new": {
        "*": "403 403",
        "im": "200 200",
        "reporter": "200 200",
        "nobody": "302 302",
    },
    "reporting:row_edit": {
        "*": "403 403",
        "im": "200 200",
        "reporter": "200 200",
        "nobody": "302 302",
        "im:out": "404 404",
        "reporter:out": "404 404",
    },
    "reporting:history": {
        "*": "404 404",
        "admin": "200 200",
        "im": "200 200",
        "sector": "200 200",
        "reporter": "200 200",
        "viewer": "200 200",
        "nobody": "302 302",
        "im:out": "404 404",
        "sector:out": "404 404",
        "reporter:out": "404 404",
        "viewer:out": "404 404",
    },
    "reporting:review": {
        "collector": "403 403",
        "*": "200 200",
        "cfm": "403 403",
        "psea": "403 403",
        "psea-coord": "403 403",
        "nobody": "302 302",
    },
    "reporting:review_decide": {
        "collector": "405 403",
        "*": "405 400",
        "cfm": "405 403",
        "psea": "405 403",
        "psea-coord": "405 403",
        "nobody": "302 302",
    },
    "reporting:review_decide_all": {"*": "405 403", "sector": "405 400", "nobody": "302 302"},
    "reporting:review_rows": {
        "collector": "403 403",
        "*": "400 400",
        "cfm": "403 403",
        "psea": "403 403",
        "psea-coord": "403 403",
        "nobody": "302 302",
    },
    "reporting:locks": {"*": "403 403", "admin": "200 200", "im": "200 200", "nobody": "302 302"},
    "analytics:dashboard": {
        "collector": "403 403",
        "*": "200 200",
        "cfm": "403 403",
        "psea": "403 403",
        "psea-coord": "403 403",
        "nobody": "302 302",
    },
    "analytics:data": {
        "collector": "403 403",
        "*": "200 200",
        "cfm": "403 403",
        "psea": "403 403",
        "psea-coord": "403 403",
        "nobody": "302 302",
    },
    "analytics:geo": {"*": "200 200"},
    "analytics:explain": {
        "collector": "403 403",
        "*": "200 200",
        "cfm": "403 403",
        "psea": "403 403",
        "psea-coord": "403 403",
        "nobody": "302 302",
    },
    "analytics:export": {
        "collector": "403 403",
        "*": "200 200",
        "cfm": "403 403",
        "psea": "403 403",
        "psea-coord": "403 403",
        "nobody": "302 302",
    },
    "gap": {
        "collector": "403 403",
        "*": "200 200",
        "cfm": "403 403",
        "psea": "403 403",
        "psea-coord": "403 403",
        "nobody": "302 302",
    },
    "gap-export": {
        "collector": "403 403",
        "*": "200 200",
        "cfm": "403 403",
        "psea": "403 403",
        "psea-coord": "403 403",
        "nobody": "302 302",
    },
    "plans:plans": {
        "collector": "403 403",
        "*": "200 200",
        "cfm": "403 403",
        "psea": "403 403",
        "psea-coord": "403 403",
        "nobody": "302 302",
    },
    "plans:upload": {"*": "403 403", "admin": "200 200", "nobody": "302 302"},
    "plans:plan": {
        "collector": "403 403",
        "*": "200 200",
        "cfm": "403 403",
        "psea": "403 403",
        "psea-coord": "403 403",
        "nobody": "302 302",
    },
    "plans:publish": {"*": "405 403", "admin": "405 302", "nobody": "302 302"},
    "plans:entry": {"*": "403 403", "im": "200 200", "reporter": "200 200", "nobody": "302 302"},
    # Many entries at once: those the entry form opens to (an empty POST shows the form).
    "plans:entries_upload": {
        "*": "403 403",
        "im": "200 200",
        "reporter": "200 200",
        "nobody": "302 302",
    },
    "plans:entries_template": {
        "*": "403 403",
        "im": "200 200",
        "reporter": "200 200",
        "nobody": "302 302",
    },
    # An entry outside what the user sees: 404, as for one that does not exist (the 5W
    # rows and the feedback items answer so too); seen but not the user's to review: 403.
    "plans:review": {
        "*": "405 403",
        "admin": "405 302",
        "im": "405 302",
        "sector": "405 302",
        "nobody": "302 302",
        "im:out": "405 404",
        "sector:out": "405 404",
        "reporter:out": "405 404",
        "viewer:out": "405 404",
    },
    "needs:needs": {
        "collector": "403 403",
        "*": "200 403",
        "admin": "200 200",
        "im": "200 200",
        "cfm": "403 403",
        "psea": "403 403",
        "psea-coord": "403 403",
        "nobody": "302 302",
    },
    "needs:export": {
        "collector": "403 403",
        "*": "200 200",
        "cfm": "403 403",
        "psea": "403 403",
        "psea-coord": "403 403",
        "nobody": "302 302",
    },
    "funding:funding": {
        "collector": "403 403",
        "*": "200 403",
        "admin": "200 200",
        "im": "200 200",
        "cfm": "403 403",
        "psea": "403 403",
        "psea-coord": "403 403",
        "nobody": "302 302",
    },
    "funding:export": {
        "collector": "403 403",
        "*": "200 200",
        "cfm": "403 403",
        "psea": "403 403",
        "psea-coord": "403 403",
        "nobody": "302 302",
    },
    "feedback:list": {
        "collector": "403 403",
        "*": "200 200",
        "sector": "403 403",
        "reporter": "403 403",
        "viewer": "403 403",
        "psea-coord": "403 403",
        "nobody": "302 302",
    },
    "feedback:public-form": {"*": "200 400"},
    "feedback:public-status": {"*": "200 400"},
    "feedback:log": {"*": "403 403", "cfm": "200 400", "nobody": "302 302"},
    "feedback:overdue": {
        "collector": "403 403",
        "*": "200 200",
        "sector": "403 403",
        "reporter": "403 403",
        "viewer": "403 403",
        "psea-coord": "403 403",
        "nobody": "302 302",
    },
    # An empty POST names no action: 400 (it was a 500). Out of scope: 404, as for an item
    # that does not exist (docs/roles.md); 403 for those who read no feedback at all.
    "feedback:item": {
        "*": "403 403",
        "admin": "200 400",
        "im": "200 400",
        "cfm": "200 400",
        "psea": "200 400",
        "nobody": "302 302",
        "im:out": "404 404",
        "cfm:out": "404 404",
        "psea:out": "404 404",
    },
    # No attachment is made here (see feedback/tests): only the not-found answer.
    "feedback:attachment": {"*": "404 404", "nobody": "302 302"},
    "feedback:dashboard": {
        "collector": "403 403",
        "*": "200 200",
        "sector": "403 403",
        "reporter": "403 403",
        "viewer": "403 403",
        "psea-coord": "403 403",
        "nobody": "302 302",
    },
    "feedback:code-list": {"*": "403 403", "admin": "200 200", "nobody": "302 302"},
    "feedback:code-list-new": {"*": "403 403", "admin": "200 400", "nobody": "302 302"},
    "feedback:code-list-edit": {"*": "403 403", "admin": "200 400", "nobody": "302 302"},
    "feedback:dashboard-export": {
        "collector": "403 403",
        "*": "200 200",
        "sector": "403 403",
        "reporter": "403 403",
        "viewer": "403 403",
        "psea-coord": "403 403",
        "nobody": "302 302",
    },
    "public-dashboard": {"*": "200 200"},
    "public-dashboard-data": {"*": "200 200"},
    "public-geo": {"*": "200 200"},
    "public-export": {"*": "200 200"},
    "public-plans": {"*": "200 200"},
    # The plans are drafts: not public.
    "public-plan": {"*": "404 404"},
    "api-countries": {"*": "200 405", "nobody": "401 401"},
    "api-sectors": {"*": "200 405", "nobody": "401 401"},
    "api-indicators": {"*": "200 405", "nobody": "401 401"},
    "api-population-groups": {"*": "200 405", "nobody": "401 401"},
    "api-organisations": {"*": "200 405", "nobody": "401 401"},
    "api-5w-rows": {"*": "200 400", "nobody": "401 401"},
    "api-5w-row": {
        "*": "404 405",
        "admin": "200 405",
        "im": "200 405",
        "sector": "200 405",
        "reporter": "200 405",
        "viewer": "200 405",
        "nobody": "401 401",
        "im:out": "404 405",
        "sector:out": "404 405",
        "reporter:out": "404 405",
        "viewer:out": "404 405",
    },
    # A file import: the upload page's gate (403), then the empty form (400).
    "api-5w-imports": {
        "*": "405 403",
        "im": "405 400",
        "reporter": "405 400",
        "nobody": "401 401",
    },
    # An import outside the reader's scope is not found (batch_for_user).
    "api-5w-import": {
        "*": "404 405",
        "admin": "200 405",
        "im": "200 405",
        "sector": "200 405",
        "reporter": "200 405",
        "viewer": "200 405",
        "nobody": "401 401",
        "im:out": "404 405",
        "sector:out": "404 405",
        "reporter:out": "404 405",
        "viewer:out": "404 405",
    },
    "api-5w-reviews": {"*": "405 400", "nobody": "401 401"},
    "api-5w-locks": {"*": "405 400", "nobody": "401 401"},
    "api-feedback-channel-messages": {"*": "401 401"},
    "api-people-reached": {
        "collector": "403 405",
        "*": "400 405",
        "cfm": "403 405",
        "psea": "403 405",
        "psea-coord": "403 405",
        "nobody": "401 401",
    },
    "api-funding-summary": {
        "collector": "403 405",
        "*": "404 405",
        "cfm": "403 405",
        "psea": "403 405",
        "psea-coord": "403 405",
        "nobody": "401 401",
    },
    # Plans, entries, targets and needs over REST answer as their pages (docs/api.md);
    # without a year, the tables of targets and needs are a 400 naming it.
    "api-plans": {
        "collector": "403 405",
        "*": "200 405",
        "cfm": "403 405",
        "psea": "403 405",
        "psea-coord": "403 405",
        "nobody": "401 401",
    },
    "api-plan": {
        "collector": "403 405",
        "*": "200 405",
        "cfm": "403 405",
        "psea": "403 405",
        "psea-coord": "403 405",
        "nobody": "401 401",
    },
    # Those who write entries (the plans:entry page) get 400 for an empty body.
    "api-plan-entries": {
        "*": "403 403",
        "admin": "200 403",
        "im": "200 400",
        "sector": "200 403",
        "reporter": "200 400",
        "viewer": "200 403",
        "nobody": "401 401",
    },
    "api-plan-entry-review": {
        "*": "405 403",
        "admin": "405 400",
        "im": "405 400",
        "sector": "405 400",
        "nobody": "401 401",
        "im:out": "405 404",
        "sector:out": "405 404",
        "reporter:out": "405 404",
        "viewer:out": "405 404",
    },
    "api-targets": {
        "collector": "403 405",
        "*": "400 405",
        "cfm": "403 405",
        "psea": "403 405",
        "psea-coord": "403 405",
        "nobody": "401 401",
    },
    "api-needs": {
        "collector": "403 405",
        "*": "400 405",
        "cfm": "403 405",
        "psea": "403 405",
        "psea-coord": "403 405",
        "nobody": "401 401",
    },
    "api-population": {
        "collector": "403 405",
        "*": "400 405",
        "cfm": "403 405",
        "psea": "403 405",
        "psea-coord": "403 405",
        "nobody": "401 401",
    },
    "api-schema": {"*": "200 405"},
    # Flow monitoring: IM officers and regional admins (docs/roles.md); the public page
    # shows the points marked public to everyone.
    "flows:dashboard": {"*": "403 405", "admin": "200 405", "im": "200 405", "nobody": "302 302"},
    "flows:import": {"*": "403 403", "admin": "200 200", "im": "200 200", "nobody": "302 302"},
    "flows:export": {"*": "403 405", "admin": "200 405", "im": "200 405", "nobody": "302 302"},
    "public-flows": {"*": "200 405"},
    # Data collection pages: the officers and admins who publish forms; the OpenRosa
    # server answers a session 401: it reads only its own credentials (collect/tests).
    "collect:projects": {"*": "403 403", "admin": "200 200", "im": "200 200", "nobody": "302 302"},
    "collect:publish": {"*": "403 403", "admin": "200 200", "im": "200 200", "nobody": "302 302"},
    "collect:quarantine": {
        "*": "403 403",
        "admin": "200 200",
        "im": "200 200",
        "nobody": "302 302",
    },
    # A form's submissions, a submission (an empty POST names no action: 400) and its
    # files: for those who see the project's data; another country's: 404 (docs/collect.md).
    "collect:form_submissions": {
        "*": "403 405",
        "admin": "200 405",
        "im": "200 405",
        "nobody": "302 302",
        "im:out": "404 405",
    },
    "collect:submission_detail": {
        "*": "403 403",
        "admin": "200 400",
        "im": "200 400",
        "nobody": "302 302",
        "im:out": "404 404",
    },
    "collect:submission_file": {
        "*": "403 405",
        "admin": "200 405",
        "im": "200 405",
        "nobody": "302 302",
        "im:out": "404 405",
    },
    # An empty POST names no action: 400. Another country's quarantine: 404.
    "collect:quarantine_item": {
        "*": "405 403",
        "admin": "405 400",
        "im": "405 400",
        "nobody": "302 302",
        "im:out": "405 404",
    },
    # The export of a form's collected data: 404 for a form the user may not see, as for
    # one that does not exist; the projects here have no form (collect/tests/test_exports
    # checks who downloads it).
    "collect:form_export": {"*": "404 405", "nobody": "302 302"},
    # An export written in the background: for the user who asked for it while they see the
    # project's data (here the officer of Colombia asked on both sides); anyone else 404.
    "collect:export_detail": {
        "*": "404 405",
        "im": "200 405",
        "nobody": "302 302",
        "im:out": "404 405",
    },
    "collect:export_download": {
        "*": "404 405",
        "im": "200 405",
        "nobody": "302 302",
        "im:out": "404 405",
    },
    "collect:form_list": {"*": "401 401"},
    "collect:form_xml": {"*": "401 401"},
    "collect:manifest": {"*": "401 401"},
    "collect:media": {"*": "401 401"},
    "collect:submission": {"*": "401 401"},
}


def _walk(patterns: list[Any], prefix: str = "", namespace: str = "") -> list[str]:
    names = []
    for pattern in patterns:
        route = str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            if (prefix + route).startswith(SKIPPED_PREFIXES):
                continue
            inner = pattern.namespace or ""
            joined = f"{namespace}:{inner}" if namespace and inner else inner or namespace
            names += _walk(pattern.url_patterns, prefix + route, joined)
        elif isinstance(pattern, URLPattern):
            if (prefix + route).startswith(SKIPPED_PREFIXES):
                continue
            names.append(f"{namespace}:{pattern.name}" if namespace else str(pattern.name))
    return names


def url_names() -> list[str]:
    return _walk(get_resolver().url_patterns)


def expected(name: str, role: str, variant: str) -> str | None:
    entry = MATRIX.get(name, {})
    for key in (f"{role}:{variant}", role, f"*:{variant}", "*"):
        if key in entry:
            return entry[key]
    return None


@pytest.fixture
def world(make_user: Any, settings: Any, tmp_path: Any) -> dict[str, Any]:
    """Two organisations, a row, an import, a plan entry and a feedback item on each side
    of the Colombia/Peru line, and one user per role."""
    from puente.feedback.models import FeedbackChannel, FeedbackType
    from puente.feedback.services.intake import feedback_code_list_load, feedback_create

    settings.MEDIA_ROOT = tmp_path / "media"
    colombia, peru = Country.objects.get(iso3="COL"), Country.objects.get(iso3="PER")
    health = Sector.objects.get(code="HEA")
    side: dict[str, dict[str, Any]] = {}
    for variant, country, acronym, admin1 in [
        ("in", colombia, "INCOL", "Atlántico"),
        ("out", peru, "INPER", "Lima"),
    ]:
        org = Organisation.objects.create(
            name=acronym, acronym=acronym, type="national-ngo", appealing=True
        )
        org.countries.set([country])
        project = Project.objects.create(code=f"fm-{variant}", name=variant, country=country)
        side[variant] = {"country": country, "org": org, "admin1": admin1, "project": project}
        form = Form.objects.create(project=project, form_id=f"survey-{variant}", title=variant)
        version = FormVersion.objects.create(
            form=form, version="1", title=variant, xml=MATRIX_XFORM, md5="0" * 32
        )
        submission = Submission.objects.create(
            form=form,
            form_version=version,
            instance_id=f"uuid:matrix-{variant}",
            root_id=f"uuid:matrix-{variant}",
            xml="<data><point>cucuta</point></data>",
            data={"point": "cucuta"},
        )
        SubmissionAttachment.objects.create(
            submission=submission, filename="photo.jpg", file=ContentFile(b"jpeg", "photo.jpg")
        )
        side[variant].update(form=form, submission=submission)
    users = {name: make_user(*role) if role else None for name, role in ROLES.items()}
    month = (dt.date.today().replace(day=1) - dt.timedelta(days=1)).strftime("%Y-%m")
    feedback_code_list_load()
    for values in side.values():
        org, country = values["org"], values["country"]
        owner = make_user("partner-reporter", f"organisation:{org.acronym}")
        batch = batch_create(acting_user=owner, filename="5w.csv", content=None, source="api")
        row = {
            "month": month,
            "country": country.iso3,
            "admin1": values["admin1"],
            "appealing_org": org.acronym,
            "indicator": "HEA-02",
            "activity": "Atención primaria",
            "rmrp_activity": "yes",
            "modality": "service",
            "population_group": "in-destination",
            "total_monthly": "10",
            "new_beneficiaries": "4",
            "girls": "1",
            "boys": "1",
            "women": "1",
            "men": "1",
            "other": "0",
            "disability": "0",
        }
        report = rows_import(rows=[(2, row)], acting_user=None, batch=batch)
        assert report.ok, report.as_dict()
        plan = Plan.objects.create(
            code=f"plan-{country.iso3.lower()}",
            name_en=f"Plan {country.iso3}",
            kind=Plan.Kind.INTER_AGENCY,
            start_year=2025,
            end_year=2026,
        )
        plan.countries.set([country])
        entry = PlanEntry.objects.create(
            plan=plan,
            organisation=org,
            country=country,
            sector=health,
            year=2025,
            requirement_usd=Decimal("1000"),
            status=PlanEntry.Status.SUBMITTED,
        )
        item, _code = feedback_create(
            acting_user=None,
            channel=FeedbackChannel.objects.get(code="hotline"),
            feedback_type=FeedbackType.objects.get(code="question"),
            country=country,
            text="¿Dónde puedo vacunar a mis hijos?",
        )
        holder = make_user("partner-viewer", f"organisation:{org.acronym}")
        quarantined = QuarantinedSubmission.objects.create(
            project=values["project"], form_id="ghost", reason="unknown_form", xml="<d/>"
        )
        export = FormExport.objects.create(
            form=values["form"],
            requested_by=users["im"],
            file_format="csv",
            state=FormExport.State.DONE,
            file=ContentFile(b"PK", "survey.zip"),
            filename="survey.zip",
        )
        values.update(
            export=export,
            quarantined=quarantined,
            batch=batch,
            row=ActivityRow.objects.get(appealing_org=org),
            plan=plan,
            entry=entry,
            feedback=item,
            role=RoleAssignment.objects.get(user=holder),
        )
    return {"side": side, "users": users}


def url_kwargs(name: str, values: dict[str, Any]) -> dict[str, Any]:
    """The arguments of a URL, from one side's objects."""
    by_name: dict[str, dict[str, Any]] = {
        "accounts:password_reset_confirm": {"uidb64": "MQ", "token": "set-password"},
        "accounts:role_remove": {"pk": values["role"].pk},
        "organisation": {"acronym": values["org"].acronym},
        "reference:country": {"iso3": values["country"].iso3},
        "reference:population_group_edit": {"code": "in-transit"},
        "reporting:template": {"iso3": values["country"].iso3},
        "reporting:batch": {"batch_id": values["batch"].pk},
        "reporting:batch_progress": {"batch_id": values["batch"].pk},
        "reporting:batch_errors": {"batch_id": values["batch"].pk},
        "reporting:row_edit": {"row_id": values["row"].pk},
        "reporting:history": {"row_id": values["row"].pk},
        "api-5w-row": {"row_id": values["row"].pk},
        "api-5w-import": {"batch_id": values["batch"].pk},
        "plans:plan": {"code": values["plan"].code},
        "plans:publish": {"code": values["plan"].code},
        "plans:entry": {"code": values["plan"].code},
        "plans:entries_upload": {"code": values["plan"].code},
        "plans:entries_template": {"code": values["plan"].code},
        "plans:review": {"code": values["plan"].code, "entry_id": values["entry"].pk},
        "public-plan": {"code": values["plan"].code},
        "api-plan": {"code": values["plan"].code},
        "api-plan-entries": {"code": values["plan"].code},
        "api-plan-entry-review": {"code": values["plan"].code, "entry_id": values["entry"].pk},
        "feedback:item": {"feedback_id": values["feedback"].pk},
        # No attachment is made here: the view's own tests cover attachments.
        "feedback:attachment": {"attachment_id": 999999},
        "feedback:code-list-new": {"kind": "type"},
        "feedback:code-list-edit": {"kind": "type", "code": "question"},
        "api-feedback-channel-messages": {"code": "hotline"},
        "needs:export": {"table": "needs", "file_format": "csv"},
        "collect:quarantine_item": {"item_id": values["quarantined"].pk},
        "collect:form_submissions": {
            "project": values["project"].code,
            "form_id": values["form"].form_id,
        },
        "collect:submission_detail": {"submission_id": values["submission"].pk},
        "collect:export_detail": {"export_id": values["export"].pk},
        "collect:export_download": {"export_id": values["export"].pk},
        "collect:submission_file": {
            "submission_id": values["submission"].pk,
            "filename": "photo.jpg",
        },
    }
    if name.startswith("collect:") and name not in by_name and name not in COLLECT_PAGES:
        # The OpenRosa server: its own credentials on every request (collect/tests).
        kwargs = {"project": values["project"].code}
        if name != "collect:form_list" and name != "collect:submission":
            kwargs["form_id"] = "tiny"
        if name == "collect:media":
            kwargs["filename"] = "towns.csv"
        return kwargs
    if name in by_name:
        return by_name[name]
    if name.endswith("export"):
        return {"file_format": "csv"}
    return {}


COLLECT_PAGES = {"collect:projects", "collect:publish", "collect:quarantine"}
# URLs whose object is on one side of the line: asked for both.
SIDED = {
    "collect:quarantine_item",
    "collect:export_detail",
    "collect:export_download",
    "collect:form_submissions",
    "collect:submission_detail",
    "collect:submission_file",
    "accounts:role_remove",
    "organisation",
    "reference:country",
    "reporting:template",
    "reporting:batch",
    "reporting:batch_progress",
    "reporting:batch_errors",
    "reporting:row_edit",
    "reporting:history",
    "api-5w-row",
    "api-5w-import",
    "plans:plan",
    "plans:publish",
    "plans:entry",
    "plans:entries_upload",
    "plans:entries_template",
    "plans:review",
    "public-plan",
    "api-plan",
    "api-plan-entries",
    "api-plan-entry-review",
    "feedback:item",
}
# POSTs that would change what the next requests see.
NO_POST = {"accounts:logout"}


def _restore(name: str, values: dict[str, Any]) -> None:
    """Undo what an earlier role's empty POST removed, so every role meets the same."""
    role = values["role"]
    if name == "accounts:role_remove" and not RoleAssignment.objects.filter(pk=role.pk).exists():
        role.save(force_insert=True)


def answers(world: dict[str, Any], name: str) -> dict[str, str]:
    """{"<role>:<variant>": "GET POST"} for one URL."""
    seen = {}
    for variant in ("in", "out") if name in SIDED else ("in",):
        url = reverse(name, kwargs=url_kwargs(name, world["side"][variant]))
        for role, user in world["users"].items():
            _restore(name, world["side"][variant])
            client = Client(raise_request_exception=False)
            if user is not None:
                client.force_login(user)
            got = str(client.get(url).status_code)
            post = "-" if name in NO_POST else str(client.post(url).status_code)
            seen[f"{role}:{variant}"] = f"{got} {post}"
    return seen


def compact(seen: dict[str, str]) -> dict[str, str]:
    """The table's form of a URL's answers: the commonest as "*", then the others."""
    common = Counter(seen.values()).most_common(1)[0][0]
    entry = {"*": common}
    for key, value in seen.items():
        role, variant = key.split(":")
        inside = seen.get(f"{role}:in")
        if variant == "in" and value != common:
            entry[role] = value
        elif variant == "out" and value != (inside if inside != common else common):
            entry[key] = value
    return entry


def test_every_url_is_in_the_matrix() -> None:
    missing = [name for name in url_names() if name not in MATRIX]
    assert not missing, "\n".join(f"add {name} to the matrix" for name in missing)


def test_every_url_answers_every_role_as_the_matrix_says(world: dict[str, Any]) -> None:
    wrong = []
    printed = {}
    for name in url_names():
        seen = answers(world, name)
        printed[name] = compact(seen)
        for key, value in seen.items():
            role, variant = key.split(":")
            want = expected(name, role, variant)
            if want is not None and want != value:
                wrong.append(f"{name} {key}: expected {want}, got {value}")
    if os.environ.get("MATRIX_PRINT"):
        for name, entry in printed.items():
            print(f"    {name!r}: {entry!r},")
    assert not wrong, "\n".join(wrong)
