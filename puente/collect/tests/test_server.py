"""The OpenRosa server, rule by rule, through Django's test client (Basic credentials;
Digest has its own tests and the contract test replays ODK Collect over a real socket)."""

from __future__ import annotations

import hashlib
from xml.etree import ElementTree

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from puente.collect.models import QuarantinedSubmission, Submission
from puente.collect.openrosa import XFORMS_LIST_NS, XFORMS_MANIFEST_NS
from puente.collect.tests.conftest import DATA, basic, submission_xml

pytestmark = pytest.mark.django_db

BASE = "/collect/fm-col"
UUID1 = "uuid:11111111-1111-4111-8111-111111111111"
UUID2 = "uuid:22222222-2222-4222-8222-222222222222"


def _post(client, auth, xml: bytes, *files, path=f"{BASE}/submission", **extra):
    data = {"xml_submission_file": SimpleUploadedFile("submission.xml", xml, "text/xml")}
    for f in files:
        data[f.name] = f
    data.update(extra)
    return client.post(path, data, HTTP_X_OPENROSA_VERSION="1.0", **auth)


def _photo(content: bytes = b"\xff\xd8jpeg-bytes") -> SimpleUploadedFile:
    return SimpleUploadedFile("photo.jpg", content, "image/jpeg")


def _xml(content: bytes) -> ElementTree.Element:
    return ElementTree.fromstring(content)  # noqa: S314 (the server's own answer)


def _md5(content: bytes) -> str:
    return "md5:" + hashlib.md5(content, usedforsecurity=False).hexdigest()


def _openrosa_headers(response) -> None:
    assert response["X-OpenRosa-Version"] == "1.0"
    assert response["Date"]


def test_form_list_lists_the_current_version_with_the_hash_of_the_download(
    client: Client, published, collector
):
    # when
    response = client.get(f"{BASE}/formList?deviceID=collect:abc", **basic(collector.email))
    # then
    assert response.status_code == 200
    _openrosa_headers(response)
    root = _xml(response.content)
    ns = {"x": XFORMS_LIST_NS}
    (xform,) = root.findall("x:xform", ns)
    assert xform.findtext("x:formID", namespaces=ns) == "tiny"
    assert xform.findtext("x:name", namespaces=ns) == "Tiny survey"
    assert xform.findtext("x:version", namespaces=ns) == "1"
    download = xform.findtext("x:downloadUrl", namespaces=ns)
    assert xform.findtext("x:manifestUrl", namespaces=ns).endswith("/forms/tiny/manifest")
    body = client.get(download, **basic(collector.email)).content
    assert xform.findtext("x:hash", namespaces=ns) == _md5(body)
    assert body.startswith(b"<?xml")


def test_form_list_honours_form_id(client: Client, published, collector):
    response = client.get(f"{BASE}/formList?formID=nothing", **basic(collector.email))
    assert response.status_code == 200
    assert _xml(response.content).findall(f"{{{XFORMS_LIST_NS}}}xform") == []
    response = client.get(f"{BASE}/formList?formID=tiny", **basic(collector.email))
    assert len(_xml(response.content)) == 1


def test_a_form_without_media_has_no_manifest_url(client: Client, project, collector):
    from puente.collect.services.publishing import form_publish

    source = (DATA / "tiny.md").read_text().replace("select_one_from_file towns.csv", "text")
    form_publish(acting_user=None, project=project, name="t.md", content=source.encode())
    response = client.get(f"{BASE}/formList", **basic(collector.email))
    assert b"manifestUrl" not in response.content


def test_a_new_version_is_served_and_the_old_one_stays(client: Client, published, collector):
    from puente.collect.services.publishing import form_publish

    # when
    form_publish(
        acting_user=None,
        project=published.form.project,
        name="tiny-v2.md",
        content=(DATA / "tiny-v2.md").read_bytes(),
    )
    # then
    response = client.get(f"{BASE}/formList", **basic(collector.email))
    assert b"<version>2</version>" in response.content
    assert published.form.versions.count() == 2


def test_manifest_and_media(client: Client, published, collector):
    response = client.get(f"{BASE}/forms/tiny/manifest", **basic(collector.email))
    assert response.status_code == 200
    _openrosa_headers(response)
    ns = {"m": XFORMS_MANIFEST_NS}
    (media,) = _xml(response.content).findall("m:mediaFile", ns)
    assert media.findtext("m:filename", namespaces=ns) == "towns.csv"
    content = (DATA / "towns.csv").read_bytes()
    assert media.findtext("m:hash", namespaces=ns) == _md5(content)
    download = client.get(media.findtext("m:downloadUrl", namespaces=ns), **basic(collector.email))
    assert b"".join(download.streaming_content) == content


def test_head_submission_answers_204_with_the_accepted_length(client: Client, collector, settings):
    settings.PUENTE_COLLECT_ACCEPT_CONTENT_LENGTH = 5_000_000
    response = client.head(f"{BASE}/submission?deviceID=x", **basic(collector.email))
    assert response.status_code == 204
    assert response["X-OpenRosa-Accept-Content-Length"] == "5000000"
    _openrosa_headers(response)


def test_a_submission_is_stored_as_sent_with_its_attachment(client: Client, published, collector):
    # given
    xml = submission_xml(UUID1)
    # when
    response = _post(client, basic(collector.email), xml, _photo())
    # then
    assert response.status_code == 201
    _openrosa_headers(response)
    assert b"OpenRosaResponse" in response.content
    submission = Submission.objects.get(instance_id=UUID1)
    assert submission.xml.encode() == xml
    assert submission.form_version == published
    assert submission.submitted_by == collector
    assert submission.status == Submission.Status.RECEIVED
    (attachment,) = submission.attachments.all()
    assert attachment.filename == "photo.jpg"
    assert attachment.file.read() == b"\xff\xd8jpeg-bytes"


def test_a_repeated_submission_is_accepted_and_nothing_doubled(
    client: Client, published, collector
):
    xml = submission_xml(UUID1)
    assert _post(client, basic(collector.email), xml, _photo()).status_code == 201
    # when
    response = _post(client, basic(collector.email), xml, _photo())
    # then
    assert response.status_code == 201
    assert Submission.objects.count() == 1
    assert Submission.objects.get().attachments.count() == 1


def test_a_submission_split_over_several_posts_is_merged(client: Client, published, collector):
    xml = submission_xml(UUID1)
    # when: the first part says more follow, the second brings the rest
    first = _post(client, basic(collector.email), xml, _photo(), **{"*isIncomplete*": "yes"})
    assert Submission.objects.get().complete is False
    second = _post(
        client,
        basic(collector.email),
        xml,
        SimpleUploadedFile("signature.png", b"png", "image/png"),
    )
    # then
    assert (first.status_code, second.status_code) == (201, 201)
    submission = Submission.objects.get()
    assert submission.complete is True
    assert sorted(submission.attachments.values_list("filename", flat=True)) == [
        "photo.jpg",
        "signature.png",
    ]


def test_the_same_instance_with_other_xml_is_a_conflict(client: Client, published, collector):
    _post(client, basic(collector.email), submission_xml(UUID1, name="Ana"))
    response = _post(client, basic(collector.email), submission_xml(UUID1, name="Otra"))
    assert response.status_code == 409
    _openrosa_headers(response)
    assert b"OpenRosaResponse" in response.content
    assert Submission.objects.get().xml.count("Ana") == 1


def test_an_edit_keeps_the_history(client: Client, published, collector):
    _post(client, basic(collector.email), submission_xml(UUID1, name="Ana"))
    # when
    response = _post(
        client, basic(collector.email), submission_xml(UUID2, name="Ana María", deprecated_id=UUID1)
    )
    # then
    assert response.status_code == 201
    old = Submission.objects.get(instance_id=UUID1)
    new = Submission.objects.get(instance_id=UUID2)
    assert old.superseded_by == new
    assert new.deprecated_id == UUID1
    assert new.root_id == old.root_id == UUID1
    assert list(Submission.objects.filter(superseded_by__isnull=True)) == [new]


def test_an_instance_already_replaced_cannot_be_replaced_again(
    client: Client, published, collector
):
    _post(client, basic(collector.email), submission_xml(UUID1))
    _post(client, basic(collector.email), submission_xml(UUID2, deprecated_id=UUID1))
    third = "uuid:33333333-3333-4333-8333-333333333333"
    response = _post(client, basic(collector.email), submission_xml(third, deprecated_id=UUID1))
    assert response.status_code == 409
    assert not Submission.objects.filter(instance_id=third).exists()


def test_an_attachment_over_the_limit_is_refused_whole(
    client: Client, published, collector, settings
):
    settings.PUENTE_COLLECT_MAX_ATTACHMENT_BYTES = 10
    response = _post(client, basic(collector.email), submission_xml(UUID1), _photo(b"x" * 11))
    assert response.status_code == 413
    _openrosa_headers(response)
    assert not Submission.objects.exists()


@pytest.mark.parametrize(
    "version,form_id,reason", [("9", "tiny", "unknown_version"), ("1", "ghost", "unknown_form")]
)
def test_a_submission_of_no_published_version_goes_to_quarantine(
    client: Client, published, collector, version, form_id, reason
):
    xml = submission_xml(UUID1, version=version, form_id=form_id)
    # when
    response = _post(client, basic(collector.email), xml, _photo())
    again = _post(client, basic(collector.email), xml, _photo())
    # then: the collector is told, the data is kept once
    assert response.status_code == again.status_code == 404
    assert b"OpenRosaResponse" in response.content
    item = QuarantinedSubmission.objects.get()
    assert (item.form_id, item.version, item.reason) == (form_id, version, reason)
    assert item.xml.encode() == xml
    assert item.attachments.get().filename == "photo.jpg"
    assert not Submission.objects.exists()


def test_a_version_published_after_a_submission_of_it_was_quarantined_takes_the_next(
    client: Client, published, collector
):
    from puente.collect.services.publishing import form_publish

    auth = basic(collector.email)
    # given: a submission of version 2 before it is published, one of version 1 after
    assert _post(client, auth, submission_xml(UUID1, version="2")).status_code == 404
    assert _post(client, auth, submission_xml(UUID2, version="1")).status_code == 201
    content = (DATA / "tiny.md").read_text().replace("| tiny    | 1 |", "| tiny    | 2 |")
    form_publish(
        acting_user=None, project=published.form.project, name="tiny.md", content=content.encode()
    )
    uuid3 = "uuid:33333333-3333-4333-8333-333333333333"
    # when
    second = _post(client, auth, submission_xml(uuid3, version="2"))
    first = _post(client, auth, submission_xml(UUID1.replace("1111", "4444"), version="1"))
    # then: each submission keeps the version it was filled in
    assert second.status_code == first.status_code == 201
    versions = dict(Submission.objects.values_list("instance_id", "form_version__version"))
    assert versions[uuid3] == "2"
    assert versions[UUID2] == "1"
    assert sorted(versions.values()) == ["1", "1", "2"]
    assert QuarantinedSubmission.objects.get().instance_id == UUID1


@pytest.mark.parametrize(
    "xml,code",
    [
        (b"not xml", 400),
        (b'<data id="tiny" version="1"><name>x</name></data>', 400),
        (b'<!DOCTYPE d [<!ENTITY a "b">]><data id="tiny">&a;</data>', 400),
    ],
)
def test_unreadable_submissions_are_refused(client: Client, published, collector, xml, code):
    assert _post(client, basic(collector.email), xml).status_code == code
    assert not Submission.objects.exists()


def test_a_post_without_the_xml_part_is_refused(client: Client, published, collector):
    response = client.post(
        f"{BASE}/submission",
        {"photo.jpg": _photo()},
        HTTP_X_OPENROSA_VERSION="1.0",
        **basic(collector.email),
    )
    assert response.status_code == 400


def test_a_post_without_the_openrosa_header_is_refused(client: Client, published, collector):
    # A page on another site cannot add the header to a request the browser sends with
    # credentials it holds for Puente.
    data = {"xml_submission_file": SimpleUploadedFile("s.xml", submission_xml(UUID1))}
    response = client.post(f"{BASE}/submission", data, **basic(collector.email))
    assert response.status_code == 400
    assert not Submission.objects.exists()


def test_accounts_with_a_second_factor_are_refused(client: Client, published, make_user, settings):
    # given: an IM officer who also holds the collector role, 2FA on
    settings.PUENTE_REQUIRE_2FA = True
    officer = make_user("platform-im-officer", "country:COL")
    from puente.accounts.services import role_assign, scope_parse

    role_assign(
        acting_user=None, user=officer, role="data-collector", scope=scope_parse("project:fm-col")
    )
    officer.set_password("office-pass-1")
    officer.save()
    # when
    response = client.get(f"{BASE}/formList", **basic(officer.email, "office-pass-1"))
    # then
    assert response.status_code == 403
    assert b"second factor" in response.content


def test_without_credentials_the_answer_offers_digest_and_basic(client: Client, published):
    response = client.get(f"{BASE}/formList")
    assert response.status_code == 401
    _openrosa_headers(response)
    challenge = response["WWW-Authenticate"]
    assert challenge.startswith("Digest ")
    assert 'qop="auth"' in challenge and "nonce=" in challenge
    assert ", Basic realm=" in challenge


def test_wrong_credentials_are_401(client: Client, published, collector):
    response = client.get(f"{BASE}/formList", **basic(collector.email, "wrong-password"))
    assert response.status_code == 401
    assert "WWW-Authenticate" in response


def test_a_session_cookie_is_not_credentials(client: Client, published, collector):
    client.force_login(collector)
    assert client.get(f"{BASE}/formList").status_code == 401
    assert client.post(f"{BASE}/submission").status_code == 401


def test_another_projects_forms_are_403(client: Client, published, collector, other_project):
    for path in ("formList", "submission", "forms/tiny/form.xml"):
        response = client.get(f"/collect/fm-per/{path}", **basic(collector.email))
        assert response.status_code == 403, path
        _openrosa_headers(response)


def test_an_unknown_project_or_form_is_404(client: Client, published, collector):
    assert client.get("/collect/nowhere/formList", **basic(collector.email)).status_code == 404
    assert client.get(f"{BASE}/forms/ghost/form.xml", **basic(collector.email)).status_code == 404
    assert client.get(f"{BASE}/forms/tiny/media/x.csv", **basic(collector.email)).status_code == 404


@pytest.mark.parametrize("role,scope", [("platform-im-officer", "country:COL"), (None, None)])
def test_only_collectors_submit(client: Client, published, make_user, role, scope):
    user = make_user(role, scope)
    user.set_password("other-pass-1")
    user.save()
    response = _post(client, basic(user.email, "other-pass-1"), submission_xml(UUID1))
    assert response.status_code == 403
    assert not Submission.objects.exists()


def test_the_server_needs_no_csrf_token(published, collector):
    client = Client(enforce_csrf_checks=True)
    response = _post(client, basic(collector.email), submission_xml(UUID1))
    assert response.status_code == 201


def test_a_collector_reaches_no_page(client: Client, collector):
    client.force_login(collector)
    for path in ("/forms/", "/partners/", "/reporting/", "/forms/publish/"):
        assert client.get(path).status_code in (302, 403), path


def test_the_form_list_costs_the_same_queries_for_more_forms(
    client: Client, published, collector, django_assert_max_num_queries
):
    from puente.collect.services.publishing import form_publish

    # given: one more form
    other = (DATA / "tiny.md").read_text().replace("| tiny    |", "| other   |")
    form_publish(
        acting_user=None, project=published.form.project, name="o.md", content=other.encode()
    )
    # then: the user, their roles and the project a role names, the project, its forms
    # with their versions; nothing per form
    with django_assert_max_num_queries(7):
        response = client.get(f"{BASE}/formList", **basic(collector.email))
    assert response.content.count(b"<xform>") == 2


def test_the_menu_shows_data_collection_to_officers_not_to_collectors(
    client: Client, make_user, collector
):
    client.force_login(collector)
    assert b"/forms/" not in client.get("/").content
    client.force_login(make_user("platform-im-officer", "country:COL"))
    assert b'href="/forms/publish/"' in client.get("/").content
