"""The request id, the access line and the latency of every request."""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, resolve
from django.utils.functional import SimpleLazyObject, empty

from puente.core.observability.logs import request_id_var
from puente.core.observability.metrics import REQUEST_SECONDS

REQUEST_ID_HEADER = "X-Request-ID"
# A proxy's id is kept when it is a short token of these characters (nginx's $request_id
# is 32 hex digits, a UUID 36 characters); anything else is replaced, so no client writes
# arbitrary text into the logs.
SAFE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
# URL arguments never written to the access log (a password-reset link's).
SECRET_URL_ARGUMENTS = frozenset({"token", "uidb64"})
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})

access_logger = logging.getLogger("puente.request")


def request_id_from(header: str | None) -> str:
    """The proxy's id when it is a sane token, else a new one."""
    if header and SAFE_REQUEST_ID.fullmatch(header):
        return header
    return uuid.uuid4().hex


def _route(request: HttpRequest) -> str:
    """The URL's route name ("reporting:rows"); "unmatched" for a path no URL matches.
    A request answered by a middleware before its view (a redirect to the second-factor
    page) is resolved here."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return "unmatched"
    return match.view_name or "unnamed"


def _logged_path(request: HttpRequest) -> str:
    """The path without its query string, secret URL arguments replaced."""
    path = request.path
    match = getattr(request, "resolver_match", None)
    for name, value in match.kwargs.items() if match else ():
        if name in SECRET_URL_ARGUMENTS and value:
            path = path.replace(str(value), "[redacted]")
    return path


def _user_id(request: HttpRequest) -> int | None:
    """The signed-in user's id, when the request already looked at its user: reading a
    user nobody asked for would cost a session and a database read per request."""
    user = getattr(request, "user", None)
    if isinstance(user, SimpleLazyObject) and user._wrapped is empty:  # type: ignore[attr-defined]
        return None
    if user is None or not user.is_authenticated:
        return None
    return user.pk


class ObservabilityMiddleware:
    """Early in MIDDLEWARE: the request id, the access line and the latency of every
    request, including those another middleware answers (redirects, refusals). The
    latency is the time until the response is handed to the server: a streamed export's
    body is sent after it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        request_id = request_id_from(request.META.get("HTTP_X_REQUEST_ID"))
        token = request_id_var.set(request_id)
        # Django logs a 4xx or 5xx answer (`django.request`) after the middleware has
        # returned: the log filter finds the id on the request the record carries.
        request.puente_request_id = request_id  # type: ignore[attr-defined]
        try:
            response = self.get_response(request)
            seconds = time.perf_counter() - started
            response[REQUEST_ID_HEADER] = request_id
            method = request.method if request.method in METHODS else "OTHER"
            REQUEST_SECONDS.labels(
                route=_route(request), method=method, status=f"{response.status_code // 100}xx"
            ).observe(seconds)
            path = _logged_path(request)
            duration_ms = round(seconds * 1000, 1)
            access_logger.info(
                "%s %s %s %sms",
                method,
                path,
                response.status_code,
                duration_ms,
                extra={
                    "method": method,
                    "path": path,
                    "status": response.status_code,
                    "duration_ms": duration_ms,
                    "user_id": _user_id(request),
                },
            )
            return response
        finally:
            request_id_var.reset(token)
