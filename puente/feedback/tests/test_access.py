"""Who reads sensitive complaints: the PSEA focal points of the scope, nobody else,
administrators and superusers included. Every read is in the audit trail."""

import pytest
from django.urls import reverse

from puente.core.errors import NotFound, PermissionDenied
from puente.core.models import AuditRecord
from puente.feedback.selectors import access_feedback, feedback_contents_read, feedback_list
from puente.partners.models import Organisation

pytestmark = pytest.mark.django_db

# subject -> (may read a sensitive complaint about FPRU in Colombia,
#             may read an ordinary question in Colombia)
SUBJECTS = {
    "psea-focal-point country:COL": (True, True),
    "psea-focal-point region": (True, True),
    "psea-focal-point platform:colombia": (True, True),
    "psea-focal-point organisation:FPRU": (True, True),
    "psea-focal-point country:ARG": (False, False),
    "psea-focal-point organisation:OTHR": (False, False),
    "cfm-operator country:COL": (False, True),
    "cfm-operator organisation:FPRU": (False, True),
    "platform-im-officer country:COL": (False, True),
    "regional-admin region": (False, True),
    "sector-coordinator sector:COL/HEA": (False, False),
    "partner-reporter organisation:FPRU": (False, False),
    "partner-viewer organisation:FPRU": (False, False),
    "superuser": (False, True),
    "no role": (False, False),
}
# Subjects who read no feedback anywhere: the pages answer 403. The others get 404 for an
# item they may not read, as for one that does not exist.
READS_NO_FEEDBACK = {
    "sector-coordinator sector:COL/HEA",
    "partner-reporter organisation:FPRU",
    "partner-viewer organisation:FPRU",
    "no role",
}


@pytest.fixture
def items(make_feedback, organisation):
    other = Organisation.objects.create(name="Otra", acronym="OTHR", type="ingo")
    other.countries.set([])
    sensitive, _code = make_feedback(
        "sensitive",
        organisation=organisation,
        text="El coordinador pidió favores a cambio de la ayuda.",
        sensitive_category="sea",
    )
    ordinary, _code = make_feedback("question", organisation=organisation)
    return sensitive, ordinary


def _subject(make_user, subject):
    if subject == "superuser":
        return make_user(is_superuser=True, is_staff=True)
    if subject == "no role":
        return make_user()
    role, scope = subject.split(" ")
    return make_user(role, scope)


@pytest.mark.parametrize("subject", list(SUBJECTS))
def test_access_matrix(make_user, items, client, subject):
    # given
    sensitive, ordinary = items
    user = _subject(make_user, subject)
    may_read_sensitive, may_read_ordinary = SUBJECTS[subject]
    client.force_login(user)
    # when / then: the permission-scoped fetch
    for item, allowed in ((sensitive, may_read_sensitive), (ordinary, may_read_ordinary)):
        refused = PermissionDenied if subject in READS_NO_FEEDBACK else NotFound
        if allowed:
            assert access_feedback(user, item.pk) == item
        else:
            with pytest.raises(refused):
                access_feedback(user, item.pk)
        # the item page
        response = client.get(reverse("feedback:item", args=[item.pk]))
        assert response.status_code == (200 if allowed else refused.status)
    # the list
    visible = set(feedback_list(user=user))
    assert (sensitive in visible) == may_read_sensitive
    assert (ordinary in visible) == may_read_ordinary
    # the contents never appear on a page the subject may not read
    page = client.get(reverse("feedback:list")).content.decode()
    assert "favores" not in page


def test_every_read_of_a_sensitive_complaint_is_audited(make_user, items, client):
    # given
    sensitive, ordinary = items
    focal_point = make_user("psea-focal-point", "country:COL")
    client.force_login(focal_point)
    # when
    first = client.get(reverse("feedback:item", args=[sensitive.pk]))
    second = client.get(reverse("feedback:item", args=[sensitive.pk]))
    client.get(reverse("feedback:item", args=[ordinary.pk]))
    # then
    assert "favores a cambio" in first.content.decode()
    assert second.status_code == 200
    # the item's history shows both reads, by whom
    history = second.content.decode().split('<ol class="history">')[1]
    assert history.count(f"· read · {focal_point.email}") == 2
    reads = AuditRecord.objects.filter(
        action="feedback.read_sensitive", target_id=str(sensitive.pk)
    )
    assert reads.count() == 2
    assert {r.actor_id for r in reads} == {focal_point.pk}
    assert not AuditRecord.objects.filter(
        action="feedback.read_sensitive", target_id=str(ordinary.pk)
    ).exists()


def test_contents_read_checks_access_itself(make_user, items):
    sensitive, _ordinary = items
    operator = make_user("cfm-operator", "country:COL")
    with pytest.raises(NotFound):
        feedback_contents_read(user=operator, item=sensitive)
    assert not AuditRecord.objects.filter(action="feedback.read_sensitive").exists()


def test_list_shows_no_text_of_sensitive_items_even_to_focal_points(make_user, items, client):
    client.force_login(make_user("psea-focal-point", "country:COL"))
    page = client.get(reverse("feedback:list")).content.decode()
    assert "favores" not in page
    assert "vacunar" in page
    assert not AuditRecord.objects.filter(action="feedback.read_sensitive").exists()


def test_attachment_of_a_sensitive_complaint(make_feedback, make_user, client, organisation):
    from puente.feedback.services.intake import Upload

    png = b"\x89PNG\r\n\x1a\n" + b"0" * 100
    item, _code = make_feedback(
        "sensitive", organisation=organisation, attachments=[Upload("foto.png", png)]
    )
    attachment = item.attachments.get()
    url = reverse("feedback:attachment", args=[attachment.pk])
    client.force_login(make_user("regional-admin", "region"))
    assert client.get(url).status_code == 404
    client.force_login(make_user("psea-focal-point", "country:COL"))
    response = client.get(url)
    assert response.status_code == 200
    assert response.content == png
    assert response["Content-Disposition"].startswith("attachment;")
    assert AuditRecord.objects.filter(action="feedback.read_sensitive").count() == 1
