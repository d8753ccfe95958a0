"""The contract with ODK Collect: Puente runs under `puente serve` (gunicorn) on loopback,
with its own database in a temporary folder, and this test replays what Collect does, with
`requests` and its Digest authentication: the form list, the form download (hash checked), the
manifest and a media file, HEAD then POST of a submission with an attachment, a chunked
POST, a duplicate, a conflicting duplicate and an edit.

The server is a separate process: the database is read back with sqlite3 to see that
nothing was doubled."""

from __future__ import annotations

import hashlib
import os
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest
import requests
from requests.auth import HTTPBasicAuth, HTTPDigestAuth
from urllib3 import encode_multipart_formdata

from puente.collect.openrosa import XFORMS_LIST_NS, XFORMS_MANIFEST_NS
from puente.collect.tests.conftest import DATA, PASSWORD, submission_xml

BIN = Path(sys.executable).parent
EMAIL = "collector@example.org"
OPENROSA = {"X-OpenRosa-Version": "1.0"}

SETUP = f"""
from pathlib import Path
from puente.accounts.services import role_assign, scope_parse, user_create
from puente.collect.services.publishing import form_media_add, form_publish, project_create
from puente.reference.models import Country

data = Path({str(DATA)!r})
colombia = Country.objects.create(iso2="CO", iso3="COL", name_en="Colombia")
peru = Country.objects.create(iso2="PE", iso3="PER", name_en="Peru")
col = project_create(acting_user=None, code="fm-col", name="Colombia", country=colombia)
per = project_create(acting_user=None, code="fm-per", name="Peru", country=peru)
version = form_publish(
    acting_user=None, project=col, name="tiny.md", content=(data / "tiny.md").read_bytes()
).version
form_media_add(
    acting_user=None, form=version.form, filename="towns.csv",
    content=(data / "towns.csv").read_bytes(),
)
other = (data / "tiny.md").read_text().replace("| tiny    |", "| other   |")
form_publish(acting_user=None, project=per, name="other.md", content=other.encode())
user, _generated = user_create(acting_user=None, email={EMAIL!r}, password={PASSWORD!r})
role_assign(acting_user=None, user=user, role="data-collector", scope=scope_parse("project:fm-col"))
"""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait(url: str, process: subprocess.Popen[bytes], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("puente serve exited")
        try:
            requests.head(url, timeout=10)
            return
        except (requests.ConnectionError, requests.Timeout):
            time.sleep(0.2)
    raise RuntimeError("puente serve did not answer")


@pytest.fixture(scope="module")
def server(tmp_path_factory: Any) -> Iterator[dict[str, Any]]:
    folder = tmp_path_factory.mktemp("openrosa")
    database = folder / "puente.sqlite3"
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{database}",
        "PUENTE_MEDIA_ROOT": str(folder / "media"),
        "PUENTE_CACHE_DIR": str(folder / "cache"),
        "PUENTE_COLUMNAR_DIR": str(folder / "columnar"),
        "PUENTE_DEBUG": "0",
        "PUENTE_ALLOWED_HOSTS": "127.0.0.1",
        "PUENTE_LOGIN_FAILURE_LIMIT": "1000",
        "PUENTE_COLLECT_MAX_ATTACHMENT_BYTES": "100000",
        "PUENTE_SECRET_KEY": "contract-test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "DJANGO_SETTINGS_MODULE": "puente.settings",
    }
    env.pop("PUENTE_REQUIRE_2FA", None)
    keys = subprocess.run(
        [BIN / "puente", "generate-keys"], env=env, capture_output=True, text=True, check=True
    ).stdout
    env.update(line.split("=", 1) for line in keys.splitlines() if "=" in line)
    subprocess.run([BIN / "puente", "migrate", "--no-input", "-v", "0"], env=env, check=True)
    subprocess.run([BIN / "puente", "shell", "-c", SETUP], env=env, check=True)
    port = _free_port()
    log = (folder / "gunicorn.log").open("wb")
    process = subprocess.Popen(
        [BIN / "puente", "serve", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait(f"{base}/collect/fm-col/formList", process)
        yield {"base": base, "url": f"{base}/collect/fm-col/", "database": database}
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


@pytest.fixture(scope="module")
def collect(server: dict[str, Any]) -> requests.Session:
    """A client as ODK Collect is: Digest credentials, the OpenRosa header, a device ID."""
    session = requests.Session()
    session.auth = HTTPDigestAuth(EMAIL, PASSWORD)
    session.headers.update(OPENROSA)
    return session


def _count(server: dict[str, Any], sql: str, *args: Any) -> int:
    with sqlite3.connect(server["database"]) as db:
        return int(db.execute(sql, args).fetchone()[0])


def _answer_ok(response: requests.Response, status: int) -> None:
    assert response.status_code == status, response.text
    assert response.headers["X-OpenRosa-Version"] == "1.0"
    assert response.headers["Date"]


def _xml(content: bytes) -> ElementTree.Element:
    return ElementTree.fromstring(content)  # noqa: S314 (the server under test's answer)


def _md5(content: bytes) -> str:
    return "md5:" + hashlib.md5(content, usedforsecurity=False).hexdigest()


def _post(
    collect: requests.Session, url: str, xml: bytes, *attachments: tuple[str, bytes]
) -> requests.Response:
    files: dict[str, Any] = {"xml_submission_file": ("submission.xml", xml, "text/xml")}
    for name, content in attachments:
        files[name] = (name, content, "image/jpeg")
    return collect.post(f"{url}submission?deviceID=collect:contract", files=files, timeout=30)


def test_form_list_download_manifest_and_media(server, collect):
    # the form list
    response = collect.get(f"{server['url']}formList?deviceID=collect:contract", timeout=30)
    _answer_ok(response, 200)
    ns = {"x": XFORMS_LIST_NS}
    (xform,) = _xml(response.content).findall("x:xform", ns)
    assert xform.findtext("x:formID", namespaces=ns) == "tiny"
    assert xform.findtext("x:version", namespaces=ns) == "1"
    # the form, whose bytes have the announced hash
    form = collect.get(xform.findtext("x:downloadUrl", namespaces=ns), timeout=30)
    _answer_ok(form, 200)
    assert _md5(form.content) == xform.findtext("x:hash", namespaces=ns)
    assert b'id="tiny"' in form.content
    # the manifest and its media file
    manifest = collect.get(xform.findtext("x:manifestUrl", namespaces=ns), timeout=30)
    _answer_ok(manifest, 200)
    mns = {"m": XFORMS_MANIFEST_NS}
    (media,) = _xml(manifest.content).findall("m:mediaFile", mns)
    assert media.findtext("m:filename", namespaces=mns) == "towns.csv"
    csv = collect.get(media.findtext("m:downloadUrl", namespaces=mns), timeout=30)
    _answer_ok(csv, 200)
    assert csv.content == (DATA / "towns.csv").read_bytes()
    assert _md5(csv.content) == media.findtext("m:hash", namespaces=mns)


def test_form_id_filter(server, collect):
    response = collect.get(f"{server['url']}formList?formID=nothing", timeout=30)
    _answer_ok(response, 200)
    assert _xml(response.content).findall(f"{{{XFORMS_LIST_NS}}}xform") == []


def test_head_then_post_with_an_attachment_a_duplicate_a_conflict_and_an_edit(server, collect):
    url = server["url"]
    first, edit = "uuid:c0000001-0000-4000-8000-000000000001", "uuid:c0000001-0000-4000-8000-2"
    # HEAD: where and how much
    head = collect.head(f"{url}submission?deviceID=collect:contract", timeout=30)
    _answer_ok(head, 204)
    assert int(head.headers["X-OpenRosa-Accept-Content-Length"]) > 0
    # POST with an attachment
    xml = submission_xml(first)
    posted = _post(collect, url, xml, ("photo.jpg", b"\xff\xd8photo"))
    _answer_ok(posted, 201)
    assert b"OpenRosaResponse" in posted.content
    # the same again (a retry): accepted, nothing doubled
    again = _post(collect, url, xml, ("photo.jpg", b"\xff\xd8photo"))
    _answer_ok(again, 201)
    sql = "select count(*) from collect_submission where instance_id = ?"
    assert _count(server, sql, first) == 1
    assert _count(server, "select count(*) from collect_submissionattachment") == 1
    # the same instance with other XML: a conflict
    conflict = _post(collect, url, submission_xml(first, name="Otra"))
    _answer_ok(conflict, 409)
    # an edit names the instance it replaces; both stay
    edited = _post(collect, url, submission_xml(edit, name="Ana María", deprecated_id=first))
    _answer_ok(edited, 201)
    assert _count(server, "select count(*) from collect_submission where root_id = ?", first) == 2
    assert (
        _count(server, "select count(*) from collect_submission where superseded_by_id is null")
        == 1
    )


def test_a_chunked_post(server, collect):
    # given: the session's Digest nonce, primed by a request
    collect.head(f"{server['url']}submission", timeout=30)
    instance = "uuid:c0000002-0000-4000-8000-000000000001"
    body, content_type = encode_multipart_formdata(
        {
            "xml_submission_file": ("submission.xml", submission_xml(instance), "text/xml"),
            "photo.jpg": ("photo.jpg", b"\xff\xd8" + b"x" * 5000, "image/jpeg"),
        }
    )
    # when: a body without Content-Length, sent in pieces
    response = collect.post(
        f"{server['url']}submission",
        data=iter([body[:1000], body[1000:3000], body[3000:]]),
        headers={"Content-Type": content_type},
        timeout=30,
    )
    # then
    assert response.request.headers.get("Transfer-Encoding") == "chunked"
    _answer_ok(response, 201)
    sql = "select count(*) from collect_submission where instance_id = ?"
    assert _count(server, sql, instance) == 1


def test_a_split_submission_is_merged(server, collect):
    url = server["url"]
    instance = "uuid:c0000003-0000-4000-8000-000000000001"
    xml = submission_xml(instance)
    part = {"*isIncomplete*": (None, "yes")}
    files = {"xml_submission_file": ("submission.xml", xml, "text/xml"), **part}
    files["photo.jpg"] = ("photo.jpg", b"one", "image/jpeg")
    _answer_ok(collect.post(f"{url}submission", files=files, timeout=30), 201)
    _answer_ok(_post(collect, url, xml, ("signature.jpg", b"two")), 201)
    sql = (
        "select count(*) from collect_submissionattachment a join collect_submission s"
        " on s.id = a.submission_id where s.instance_id = ?"
    )
    assert _count(server, sql, instance) == 2


def test_too_large_and_unknown_version(server, collect):
    url = server["url"]
    big = _post(collect, url, submission_xml("uuid:c4"), ("photo.jpg", b"x" * 100_001))
    _answer_ok(big, 413)
    unknown = _post(collect, url, submission_xml("uuid:c5", version="99"))
    _answer_ok(unknown, 404)
    assert b"OpenRosaResponse" in unknown.content
    sql = "select count(*) from collect_quarantinedsubmission where instance_id = ?"
    assert _count(server, sql, "uuid:c5") == 1


def test_credentials(server):
    url = server["url"]
    # none: both schemes offered
    anonymous = requests.get(f"{url}formList", headers=OPENROSA, timeout=30)
    _answer_ok(anonymous, 401)
    challenge = anonymous.headers["WWW-Authenticate"]
    assert challenge.startswith("Digest ") and "Basic realm=" in challenge
    # wrong
    wrong = requests.get(
        f"{url}formList", auth=HTTPDigestAuth(EMAIL, "not-it"), headers=OPENROSA, timeout=30
    )
    _answer_ok(wrong, 401)
    # Basic works too
    basic = requests.get(
        f"{url}formList", auth=HTTPBasicAuth(EMAIL, PASSWORD), headers=OPENROSA, timeout=30
    )
    _answer_ok(basic, 200)
    # another project's forms
    other = requests.get(
        f"{server['base']}/collect/fm-per/formList",
        auth=HTTPDigestAuth(EMAIL, PASSWORD),
        headers=OPENROSA,
        timeout=30,
    )
    _answer_ok(other, 403)
