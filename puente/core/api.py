"""One JSON error shape for the whole API: {"error": {"code", "message", "detail"}}.
How API callers sign in is puente.core.authentication."""

from typing import Any

from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from puente.core.errors import ApplicationError


def error_body(code: str, message: str, detail: Any = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "detail": detail}}


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, ApplicationError):
        code = status.HTTP_403_FORBIDDEN if exc.code == "permission_denied" else 400
        return Response(error_body(exc.code, str(exc.message), exc.extra or None), status=code)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        response.data = error_body("invalid", "Invalid input.", response.data)
    elif isinstance(exc, exceptions.APIException):
        detail = exc.detail
        message = str(detail) if not isinstance(detail, dict | list) else exc.default_detail
        response.data = error_body(str(exc.default_code), str(message))
    return response
