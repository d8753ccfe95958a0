"""Publishing XLSForms: versions, refusals with pyxform's sheet and row, media, the
`puente forms` command, the upload page and the quarantine's resolution."""

from __future__ import annotations

import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import translation

from puente.collect.models import Form, FormMedia, FormVersion, Project, QuarantinedSubmission
from puente.collect.services.publishing import (
    form_media_add,
    form_publish,
    xform_md5,
    xlsform_message,
)
from puente.collect.services.quarantine import quarantine_discard, quarantine_resolve
from puente.collect.services.submissions import submission_receive
from puente.collect.tests.conftest import DATA, submission_xml
from puente.core.errors import ApplicationError

pytestmark = pytest.mark.django_db

DUPLICATE_NAME = b"| survey |\n| | type | name | label |\n| | text | x | X |\n| | text | x | Y |\n"


def test_publishing_keeps_the_workbook_and_the_xform(project):
    publication = form_publish(
        acting_user=None, project=project, name="tiny.md", content=(DATA / "tiny.md").read_bytes()
    )
    version = publication.version
    assert publication.created
    assert (version.form.form_id, version.version, version.title) == ("tiny", "1", "Tiny survey")
    assert version.xlsform.read() == (DATA / "tiny.md").read_bytes()
    assert version.md5 == xform_md5(version.xml)
    assert 'id="tiny"' in version.xml and 'version="1"' in version.xml
    # pyxform's warning about images, with its row
    assert (version.warnings[0]["sheet"], version.warnings[0]["row"]) == ("survey", 4)


def test_the_same_form_again_adds_a_version_and_keeps_the_old_one(published):
    form_publish(
        acting_user=None,
        project=published.form.project,
        name="tiny-v2.md",
        content=(DATA / "tiny-v2.md").read_bytes(),
    )
    form = Form.objects.get(form_id="tiny")
    assert sorted(form.versions.values_list("version", flat=True)) == ["1", "2"]
    assert form.current_version().version == "2"


def test_the_same_version_again_changes_nothing(published):
    again = form_publish(
        acting_user=None,
        project=published.form.project,
        name="tiny.md",
        content=(DATA / "tiny.md").read_bytes(),
    )
    assert not again.created
    assert again.version == published
    assert FormVersion.objects.count() == 1


def test_the_same_version_with_other_content_is_refused(published):
    changed = (DATA / "tiny.md").read_text().replace("Tiny survey", "Changed")
    with pytest.raises(ApplicationError) as caught:
        form_publish(
            acting_user=None, project=published.form.project, name="t.md", content=changed.encode()
        )
    assert caught.value.code == "version_exists"
    assert FormVersion.objects.count() == 1


def test_a_form_id_belongs_to_one_project(published, other_project):
    with pytest.raises(ApplicationError) as caught:
        form_publish(
            acting_user=None,
            project=other_project,
            name="tiny.md",
            content=(DATA / "tiny.md").read_bytes(),
        )
    assert caught.value.code == "form_in_other_project"


def test_pyxform_errors_carry_sheet_and_row(project):
    with pytest.raises(ApplicationError) as caught:
        form_publish(acting_user=None, project=project, name="bad.md", content=DUPLICATE_NAME)
    assert caught.value.code == "xlsform_invalid"
    (error,) = caught.value.extra["errors"]
    assert (error["sheet"], error["row"]) == ("survey", 3)
    assert "'x'" in error["message"]
    assert not Form.objects.exists()


def test_not_a_workbook_is_refused(project):
    with pytest.raises(ApplicationError) as caught:
        form_publish(acting_user=None, project=project, name="form.pdf", content=b"%PDF")
    assert caught.value.code == "not_an_xlsform"


def test_a_message_place_is_written_in_the_users_language():
    message = xlsform_message("[row : 7] On the 'choices' sheet, the 'name' value is invalid.")
    assert (message.sheet, message.row) == ("choices", 7)
    with translation.override("es"):
        assert message.text().startswith("Hoja choices, fila 7: ")
    with translation.override("pt"):
        assert message.text().startswith("Planilha choices, linha 7: ")


def test_media_of_the_same_name_is_replaced(published):
    form = published.form
    before = FormMedia.objects.get(form=form, filename="towns.csv").md5
    form_media_add(acting_user=None, form=form, filename="towns.csv", content=b"name,label\n")
    after = FormMedia.objects.get(form=form, filename="towns.csv")
    assert after.md5 != before
    assert FormMedia.objects.filter(form=form).count() == 1


def test_the_command_publishes_and_creates_the_project(db, settings, tmp_path):
    out = io.StringIO()
    call_command(
        "forms",
        "publish",
        str(DATA / "tiny.md"),
        "--project",
        "FM-ECU",
        "--country",
        "ECU",
        "--media",
        str(DATA / "towns.csv"),
        stdout=out,
    )
    assert "published in fm-ecu" in out.getvalue()
    project = Project.objects.get(code="fm-ecu")
    assert project.country.iso3 == "ECU"
    assert FormMedia.objects.get().filename == "towns.csv"
    listing = io.StringIO()
    call_command("forms", "list", "--format", "json", stdout=listing)
    (record,) = json.loads(listing.getvalue())
    assert (record["project"], record["form_id"], record["version"]) == ("fm-ecu", "tiny", "1")


def test_the_command_needs_a_country_for_a_new_project(db):
    with pytest.raises(CommandError):
        call_command("forms", "publish", str(DATA / "tiny.md"), "--project", "fm-new")
    assert not Project.objects.exists()


def test_the_command_prints_pyxform_errors_with_their_row(project, tmp_path):
    bad = tmp_path / "bad.md"
    bad.write_bytes(DUPLICATE_NAME)
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command(
            "forms", "publish", str(bad), "--project", "fm-col", "--language", "es", stderr=err
        )
    assert "Hoja survey, fila 3:" in err.getvalue()


def test_the_upload_page_publishes_for_an_im_officer(client: Client, make_user, project):
    officer = make_user("platform-im-officer", "country:COL")
    client.force_login(officer)
    response = client.post(
        "/forms/publish/",
        {
            "project": project.pk,
            "xlsform": SimpleUploadedFile("tiny.md", (DATA / "tiny.md").read_bytes()),
            "media_files": [SimpleUploadedFile("towns.csv", (DATA / "towns.csv").read_bytes())],
        },
    )
    assert response.status_code == 302
    assert FormVersion.objects.get().created_by == officer
    assert FormMedia.objects.get().filename == "towns.csv"
    page = client.get("/forms/")
    assert b"/collect/fm-col/" in page.content


def test_the_upload_page_shows_pyxform_errors(client: Client, make_user, project):
    client.force_login(make_user("platform-im-officer", "country:COL"))
    response = client.post(
        "/forms/publish/",
        {"project": project.pk, "xlsform": SimpleUploadedFile("bad.md", DUPLICATE_NAME)},
        HTTP_ACCEPT_LANGUAGE="es",
    )
    assert response.status_code == 200
    assert "Hoja survey, fila 3:" in response.content.decode()
    assert not Form.objects.exists()


def test_the_upload_page_refuses_a_project_outside_the_scope(
    client: Client, make_user, project, other_project
):
    client.force_login(make_user("platform-im-officer", "country:COL"))
    response = client.post(
        "/forms/publish/",
        {
            "project": other_project.pk,
            "xlsform": SimpleUploadedFile("tiny.md", (DATA / "tiny.md").read_bytes()),
        },
    )
    # Not among the choices the officer is offered.
    assert response.status_code == 200
    assert not Form.objects.exists()


def test_quarantine_is_resolved_once_the_version_is_published(published, collector):
    # given: a submission of version 2, not yet published
    xml = submission_xml("uuid:q1", version="2")
    photo = SimpleUploadedFile("photo.jpg", b"jpeg", "image/jpeg")
    submission_receive(
        acting_user=collector, project=published.form.project, xml=xml, files=[photo]
    )
    item = QuarantinedSubmission.objects.get()
    with pytest.raises(ApplicationError) as caught:
        quarantine_resolve(acting_user=None, item=item)
    assert caught.value.code == "still_unpublished"
    # when
    form_publish(
        acting_user=None,
        project=published.form.project,
        name="tiny-v2.md",
        content=(DATA / "tiny-v2.md").read_bytes(),
    )
    submission = quarantine_resolve(acting_user=None, item=item)
    # then
    item.refresh_from_db()
    assert item.status == "resolved" and item.submission == submission
    assert submission.form_version.version == "2"
    assert submission.submitted_by == collector
    assert submission.attachments.get().file.read() == b"jpeg"
    with pytest.raises(ApplicationError):
        quarantine_discard(acting_user=None, item=item)


def test_the_quarantine_page_discards_in_scope_only(
    client: Client, make_user, published, collector, other_project
):
    submission_receive(
        acting_user=collector,
        project=published.form.project,
        xml=submission_xml("uuid:q2", version="7"),
        files=[],
    )
    item = QuarantinedSubmission.objects.get()
    client.force_login(make_user("platform-im-officer", "country:PER"))
    assert client.post(f"/forms/quarantine/{item.pk}/", {"action": "discard"}).status_code == 404
    client.force_login(make_user("platform-im-officer", "country:COL"))
    assert b"uuid:q2" in client.get("/forms/quarantine/").content
    response = client.post(f"/forms/quarantine/{item.pk}/", {"action": "discard"})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == "discarded"


def test_managers_are_set_from_the_command_and_see_the_data(
    client: Client, make_user, organisation, published
):
    # given: a partner reporter with no right on the project by role
    manager = make_user("partner-reporter", "organisation:FPRU", email="lead@example.org")
    client.force_login(manager)
    assert client.get("/forms/").status_code == 403
    # when
    out = io.StringIO()
    call_command("forms", "managers", "fm-col", "--add", "Lead@example.org", stdout=out)
    # then
    assert out.getvalue().split() == ["lead@example.org"]
    page = client.get("/forms/")
    assert page.status_code == 200
    assert b"/collect/fm-col/" in page.content
    # and removed again
    call_command("forms", "managers", "fm-col", "--remove", "lead@example.org", stdout=out)
    assert client.get("/forms/").status_code == 403


def test_an_unknown_manager_is_refused(published):
    with pytest.raises(CommandError):
        call_command("forms", "managers", "fm-col", "--add", "nobody@example.org")
    assert not published.form.project.managers.exists()


def test_the_upload_page_creates_a_project_in_the_officers_country(client: Client, make_user, db):
    client.force_login(make_user("platform-im-officer", "country:COL"))
    from puente.reference.models import Country

    colombia = Country.objects.get(iso3="COL")
    response = client.post(
        "/forms/publish/",
        {
            "new_code": "fm-nuevo",
            "new_name": "Nuevo",
            "new_country": colombia.pk,
            "xlsform": SimpleUploadedFile("tiny.md", (DATA / "tiny.md").read_bytes()),
        },
    )
    assert response.status_code == 302
    assert Project.objects.get(code="fm-nuevo").country == colombia
    # A country outside the officer's scope is not among the choices.
    peru = Country.objects.get(iso3="PER")
    response = client.post(
        "/forms/publish/",
        {
            "new_code": "fm-peru",
            "new_country": peru.pk,
            "xlsform": SimpleUploadedFile("tiny.md", (DATA / "tiny.md").read_bytes()),
        },
    )
    assert response.status_code == 200
    assert not Project.objects.filter(code="fm-peru").exists()
