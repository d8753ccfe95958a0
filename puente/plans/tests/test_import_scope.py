"""A plan is loaded only by a role that manages plans over all its countries (regional
administrators); a loaded plan is audited (who, file name, counts)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from puente.core.models import AuditRecord
from puente.core.testing import csv_bytes
from puente.plans.models import Plan
from puente.plans.services.imports import plan_import
from puente.plans.tests.test_plan_import import HEADER, line

pytestmark = pytest.mark.django_db

PLAN = csv_bytes([HEADER, line(1, "health", "Health", "yes", "HEA", 2025, "COL", "1000", 300)])


def _upload(client):
    upload = SimpleUploadedFile("appeal.csv", PLAN, content_type="text/csv")
    return client.post(reverse("plans:upload"), {"file": upload})


def test_a_regional_admin_loads_a_plan_and_it_is_audited(iom, client, make_user):
    admin = make_user("regional-admin", "region")
    client.force_login(admin)
    assert _upload(client).status_code == 302
    assert Plan.objects.filter(code="demo-appeal").exists()
    record = AuditRecord.objects.get(action="import.plan")
    assert record.actor == admin
    assert (record.data["via"], record.data["file"], record.data["imported"]) == (
        "web",
        "appeal.csv",
        1,
    )


def test_a_country_officer_cannot_load_a_plan_on_the_page(iom, client, make_user):
    client.force_login(make_user("platform-im-officer", "platform:colombia"))
    assert _upload(client).status_code == 403
    assert not Plan.objects.exists()
    assert not AuditRecord.objects.filter(action="import.plan").exists()


def test_the_plan_service_refuses_a_user_without_the_plans_role(iom, make_user):
    officer = make_user("platform-im-officer", "platform:colombia")
    report = plan_import(source=PLAN, filename="appeal.csv", acting_user=officer)
    assert [e.code for e in report.errors] == ["import_not_allowed"]
    assert not Plan.objects.exists()
