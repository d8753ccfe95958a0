"""A collector's access decided once and kept (puente.collect.identity): the next request
reads one statement instead of the user, their roles and the project, and any change to
what the decision rests on is seen on the very next request."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from puente.accounts.models import RoleAssignment
from puente.accounts.services import role_assign, role_revoke, scope_parse
from puente.collect import openrosa
from puente.collect.models import Project
from puente.collect.tests.conftest import PASSWORD, submission_xml
from puente.collect.tests.test_digest import _md5, _signed
from puente.reference.models import Country

pytestmark = pytest.mark.django_db

FORM_LIST = "/collect/fm-col/formList"


def _digest(email: str, *, method: str, uri: str, password: str = PASSWORD) -> str:
    """The header a client sends (qop=auth), computed independently of the server's code."""
    params = _signed(
        _md5(f"{email}:Puente:{password}"),
        method=method,
        uri=uri,
        nonce=openrosa.nonce_make(),
        username=email,
    )
    return "Digest " + ", ".join(f'{k}="{v}"' for k, v in params.items())


def _list(client: Client, email: str, *, password: str = PASSWORD):
    header = _digest(email, method="GET", uri=FORM_LIST, password=password)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(FORM_LIST, HTTP_AUTHORIZATION=header)
    return response, len(queries.captured_queries)


def test_a_second_request_reads_one_statement_for_who_asks(client: Client, published, collector):
    # given: a first request, decided through the ORM
    first, first_queries = _list(client, collector.email)
    assert first.status_code == 200
    # when
    second, second_queries = _list(client, collector.email)
    # then: the user, their roles and the project are not read again
    assert second.status_code == 200
    assert second.content == first.content
    assert second_queries == first_queries - 3


def test_a_submission_after_a_kept_decision_is_the_collectors(client: Client, published, collector):
    from puente.collect.models import Submission

    assert _list(client, collector.email)[0].status_code == 200
    uri = "/collect/fm-col/submission"
    xml = submission_xml("uuid:11111111-1111-4111-8111-111111111111")
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(
        uri,
        {"xml_submission_file": SimpleUploadedFile("s.xml", xml, content_type="text/xml")},
        HTTP_AUTHORIZATION=_digest(collector.email, method="POST", uri=uri),
        HTTP_X_OPENROSA_VERSION="1.0",
    )
    assert response.status_code == 201
    assert Submission.objects.get().submitted_by == collector


def test_a_removed_role_is_refused_on_the_next_request(client: Client, published, collector):
    assert _list(client, collector.email)[0].status_code == 200
    role_revoke(acting_user=None, assignment=RoleAssignment.objects.get(user=collector))
    assert _list(client, collector.email)[0].status_code == 403


def test_a_role_moved_to_another_project_is_refused_on_the_next_request(
    client: Client, published, collector, other_project
):
    assert _list(client, collector.email)[0].status_code == 200
    RoleAssignment.objects.filter(user=collector).update(
        project=other_project, scope_key="project:fm-per"
    )
    assert _list(client, collector.email)[0].status_code == 403


def test_a_deactivated_account_is_refused_on_the_next_request(client: Client, published, collector):
    assert _list(client, collector.email)[0].status_code == 200
    collector.is_active = False
    collector.save(update_fields=["is_active"])
    assert _list(client, collector.email)[0].status_code == 401


def test_a_new_password_refuses_the_old_one_on_the_next_request(
    client: Client, published, collector
):
    assert _list(client, collector.email)[0].status_code == 200
    collector.set_password("a-new-password-1")
    collector.save()
    assert _list(client, collector.email)[0].status_code == 401
    assert _list(client, collector.email, password="a-new-password-1")[0].status_code == 200


def test_a_project_given_a_new_country_is_decided_afresh(client: Client, published, collector):
    assert _list(client, collector.email)[0].status_code == 200
    Project.objects.filter(code="fm-col").update(country=Country.objects.get(iso3="PER"))
    response, queries = _list(client, collector.email)
    assert response.status_code == 200
    _, kept_again = _list(client, collector.email)
    assert kept_again == queries - 3


def test_a_user_with_a_scope_reaching_other_tables_is_decided_every_time(
    client: Client, published, collector, organisation
):
    # given: the collector is also a partner's reporter: an organisation's scope reaches
    # the countries the organisation works in, a table the statement does not read
    role_assign(
        acting_user=None,
        user=collector,
        role="partner-reporter",
        scope=scope_parse(f"organisation:{organisation.acronym}"),
    )
    _, first_queries = _list(client, collector.email)
    response, second_queries = _list(client, collector.email)
    assert response.status_code == 200
    assert second_queries == first_queries
