"""The OpenRosa server at /collect/<project>/ (docs/collect.md): the form list, form and
media downloads, the manifest and submissions, for ODK Collect and Enketo.

Credentials come only from the `Authorization` header (Digest or Basic), on every request:
a browser's session cookie is ignored, these views are exempt from CSRF (there is no
session to forge a request with) and from the two-factor middleware (data collectors
have no second factor; docs/security.md)."""

from __future__ import annotations

import base64
import io
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.http.multipartparser import MultiPartParser, MultiPartParserError
from django.urls import reverse
from django.utils.http import http_date
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from puente.accounts.models import User
from puente.accounts.permissions import Action, requires_two_factor
from puente.collect import identity, openrosa
from puente.collect.codes import CollectCode
from puente.collect.models import Project
from puente.collect.selectors import (
    access_project,
    form_media_file,
    form_media_list,
    form_published,
    forms_published,
)
from puente.collect.services.submissions import submission_receive
from puente.core.errors import ApplicationError, NotFound

XML = "text/xml; charset=utf-8"


def _headers(response: HttpResponseBase) -> HttpResponseBase:
    response["X-OpenRosa-Version"] = "1.0"
    response["Date"] = http_date()
    return response


def _message(text: str, status: int, *, nature: str = "error") -> HttpResponse:
    return HttpResponse(openrosa.response_xml(text, nature=nature), status=status, content_type=XML)


def _unauthorized(*, stale: bool = False) -> HttpResponse:
    response = _message(_("Sign in with your Puente e-mail address and password."), 401)
    response["WWW-Authenticate"] = openrosa.authenticate_challenge(stale=stale)
    return response


def _basic_user(request: HttpRequest, header: str) -> User | None:
    try:
        decoded = base64.b64decode(header.split(" ", 1)[1].strip(), validate=True).decode("utf-8")
    except (ValueError, IndexError, UnicodeDecodeError):
        return None
    email, sep, password = decoded.partition(":")
    if not sep:
        return None
    try:
        # django-axes counts the failures and locks the address and e-mail out.
        user = authenticate(request, username=email.strip().lower(), password=password)
    except DjangoPermissionDenied:
        return None
    return user if isinstance(user, User) else None


def collector_authenticate(
    request: HttpRequest, code: str
) -> tuple[User | None, bool, identity.Rows | None]:
    """Who the `Authorization` header proves: with Basic, the user; with Digest, the rows a
    decision on project `code` rests on (puente.collect.identity), the user being read
    only when no decision is kept for them. Also whether a Digest nonce was only stale (the
    client then retries with the new one without asking the person)."""
    header = request.META.get("HTTP_AUTHORIZATION", "")
    scheme = header.split(" ", 1)[0].lower()
    if scheme == "basic":
        return _basic_user(request, header), False, None
    if scheme != "digest":
        return None, False, None
    params = openrosa.digest_params(header[len("digest") :])
    rows = identity.rows_read(params.get("username", ""), code)
    if rows is None or not rows.active:
        return None, False, None
    state = openrosa.digest_check(
        params, ha1=rows.digest_ha1, method=request.method or "GET", path=request.get_full_path()
    )
    if state != "valid":
        return None, state == "stale", None
    return None, False, rows


View = Callable[..., HttpResponseBase]


def openrosa_view(action: Action = Action.COLLECT_DATA) -> Callable[[View], View]:
    """Authenticate from the header, load the project the user may `action`, answer with
    the OpenRosa headers; expected failures become OpenRosaResponse messages."""

    def decorate(view: View) -> View:
        @csrf_exempt
        @wraps(view)
        def wrapper(request: HttpRequest, project: str, **kwargs: Any) -> HttpResponseBase:
            user, stale, rows = collector_authenticate(request, project)
            kept = identity.decision_kept(action, rows) if rows is not None else None
            if kept is not None:
                user, project_object = kept
            elif rows is not None:
                user = User.objects.filter(pk=rows.user_id, is_active=True).order_by().first()
            if user is None:
                return _headers(_unauthorized(stale=stale))
            if kept is None and settings.PUENTE_REQUIRE_2FA and requires_two_factor(user):
                # The second factor cannot be asked here; such accounts do not collect.
                code = CollectCode.TWO_FACTOR_ACCOUNT
                return _headers(_message(code.text(), code.status))
            # The view sees this user, never one of a session cookie.
            request.user = user
            try:
                if kept is None:
                    project_object = access_project(user, project, action)
                    if rows is not None:
                        identity.decision_keep(action, rows.email, project, user, project_object)
                response = view(request, project_object, **kwargs)
            except ApplicationError as exc:
                response = _message(str(exc.message), exc.status)
            except Http404:
                response = _message(str(NotFound().message), 404)
            return _headers(response)

        return wrapper

    return decorate


def _absolute(request: HttpRequest, name: str, **kwargs: str) -> str:
    return request.build_absolute_uri(reverse(name, kwargs=kwargs))


@openrosa_view()
def form_list(request: HttpRequest, project: Project) -> HttpResponse:
    """The xformsList of the project's forms, their current versions; `formID` filters.
    `deviceID`, `verbose` and `listAllVersions` are accepted and change nothing."""
    if request.method not in ("GET", "HEAD"):
        return HttpResponse(status=405)
    form_id = request.GET.get("formID") or None
    entries = []
    for published in forms_published(project, form_id=form_id):
        args = {"project": project.code, "form_id": published.form.form_id}
        entries.append(
            openrosa.FormListEntry(
                form_id=published.form.form_id,
                name=published.version.title,
                version=published.version.version,
                md5=published.version.md5,
                download_url=_absolute(request, "collect:form_xml", **args),
                manifest_url=(
                    _absolute(request, "collect:manifest", **args) if published.has_media else None
                ),
            )
        )
    return HttpResponse(openrosa.form_list_xml(entries), content_type=XML)


@openrosa_view()
def form_xml(request: HttpRequest, project: Project, form_id: str) -> HttpResponse:
    """Exactly the bytes whose md5 the form list announces."""
    published = form_published(project, form_id)
    body = published.version.xml.encode("utf-8")
    response = HttpResponse(body, content_type=XML)
    response["Content-Disposition"] = f'attachment; filename="{form_id}.xml"'
    return response


@openrosa_view()
def manifest(request: HttpRequest, project: Project, form_id: str) -> HttpResponse:
    published = form_published(project, form_id)
    entries = [
        openrosa.ManifestEntry(
            filename=media.filename,
            md5=media.md5,
            download_url=_absolute(
                request,
                "collect:media",
                project=project.code,
                form_id=form_id,
                filename=media.filename,
            ),
        )
        for media in form_media_list(published.form)
    ]
    return HttpResponse(openrosa.manifest_xml(entries), content_type=XML)


@openrosa_view()
def media(request: HttpRequest, project: Project, form_id: str, filename: str) -> HttpResponseBase:
    published = form_published(project, form_id)
    item = form_media_file(published.form, filename)
    return FileResponse(
        item.file.open("rb"),
        as_attachment=True,
        filename=item.filename,
        content_type=item.content_type or "application/octet-stream",
    )


Parts = list[tuple[str, UploadedFile]]


def _chunked_files(request: HttpRequest) -> tuple[dict[str, Any], Parts]:
    """A chunked body (no Content-Length) that the WSGI server has already de-chunked
    (gunicorn, uWSGI): Django reads no body without a length, so read it here, up to the
    largest POST the server accepts, and parse the multipart ourselves."""
    limit = (
        max(
            settings.PUENTE_COLLECT_ACCEPT_CONTENT_LENGTH,
            settings.PUENTE_COLLECT_MAX_ATTACHMENT_BYTES,
        )
        + 1024 * 1024
    )
    stream = request.META["wsgi.input"]
    body = io.BytesIO()
    while True:
        chunk = stream.read(64 * 1024)
        if not chunk:
            break
        body.write(chunk)
        if body.tell() > limit:
            raise CollectCode.ATTACHMENT_TOO_LARGE.error(name="(request)", limit=limit)
    meta = {**request.META, "CONTENT_LENGTH": str(body.tell())}
    body.seek(0)
    data, files = MultiPartParser(meta, body, request.upload_handlers, request.encoding).parse()
    return dict(data.items()), [(name, f) for name in files for f in files.getlist(name)]


def _parts(request: HttpRequest) -> tuple[dict[str, Any], Parts]:
    """The form fields and the file parts (field name, file) of a POST."""
    chunked = "chunked" in request.META.get("HTTP_TRANSFER_ENCODING", "").lower()
    if chunked and not request.META.get("CONTENT_LENGTH"):
        return _chunked_files(request)
    files = request.FILES
    return dict(request.POST.items()), [(name, f) for name in files for f in files.getlist(name)]


@openrosa_view()
def submission(request: HttpRequest, project: Project) -> HttpResponse:
    """HEAD (and GET): 204 with the size a POST may have. POST: one submission, in a
    multipart body with an `xml_submission_file` part; 201 when stored or held already."""
    if request.method in ("HEAD", "GET"):
        response = HttpResponse(status=204)
        response["X-OpenRosa-Accept-Content-Length"] = str(
            settings.PUENTE_COLLECT_ACCEPT_CONTENT_LENGTH
        )
        return response
    if request.method != "POST":
        return HttpResponse(status=405)
    if not request.headers.get("X-OpenRosa-Version"):
        # A browser cannot add it to a cross-site request (docs/security.md).
        code = CollectCode.OPENROSA_HEADER_REQUIRED
        return _message(code.text(), code.status)
    try:
        fields, files = _parts(request)
    except MultiPartParserError:
        return _message(CollectCode.NO_SUBMISSION_FILE.text(), 400)
    xml_parts = [f for name, f in files if name == "xml_submission_file"]
    if len(xml_parts) != 1:
        return _message(CollectCode.NO_SUBMISSION_FILE.text(), 400)
    xml = xml_parts[0].read()
    attachments = [f for name, f in files if name != "xml_submission_file"]
    receipt = submission_receive(
        acting_user=request.user,
        project=project,
        xml=xml,
        files=attachments,
        device_id=request.GET.get("deviceID", "")[:255],
        complete=str(fields.get("*isIncomplete*", "")).lower() != "yes",
    )
    if receipt.outcome == "quarantined":
        meta = receipt.meta
        return _message(
            CollectCode.FORM_NOT_PUBLISHED.text(
                form_id=meta.form_id if meta else "", version=meta.version if meta else ""
            ),
            CollectCode.FORM_NOT_PUBLISHED.status,
        )
    return _message(_("Thank you: your submission was received."), 201, nature="submit_success")
