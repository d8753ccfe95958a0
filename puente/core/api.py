"""One JSON error shape for the whole API: {"error": {"code", "message", "detail"}}.
How API callers sign in is puente.accounts.authentication."""

from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views.defaults import bad_request as django_bad_request
from django.views.defaults import page_not_found
from rest_framework import exceptions, pagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from puente.core.codes import CoreCode
from puente.core.errors import ApplicationError


def error_body(code: str, message: str, detail: Any = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "detail": detail}}


def form_invalid(form: Any) -> ApplicationError:
    """The 400 of a query or body a page's form refused: `invalid`, each wrong parameter
    named in `detail` with the page's own messages (raise it)."""
    detail = {name: [str(m) for m in messages] for name, messages in form.errors.items()}
    error: ApplicationError = CoreCode.INVALID.error(extra=detail)
    return error


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, ApplicationError):
        return Response(
            error_body(exc.code, str(exc.message), exc.extra or None), status=exc.status
        )
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, Http404):  # get_object_or_404 in a view: DRF answers {"detail"}
        response.data = error_body(CoreCode.NOT_FOUND, CoreCode.NOT_FOUND.text())
    elif isinstance(exc, DjangoPermissionDenied):
        response.data = error_body(CoreCode.PERMISSION_DENIED, CoreCode.PERMISSION_DENIED.text())
    elif isinstance(exc, exceptions.ValidationError):
        response.data = error_body(CoreCode.INVALID, CoreCode.INVALID.text(), response.data)
    elif isinstance(exc, exceptions.APIException):
        detail = exc.detail
        message = str(detail) if not isinstance(detail, dict | list) else exc.default_detail
        response.data = error_body(str(exc.default_code), str(message))
    return response


class Pagination(pagination.LimitOffsetPagination):
    """`?limit=&offset=`, strictly: each a whole number written in digits (limit at least
    1, offset at least 0), else `invalid_paging` (400). A limit above
    PUENTE_API_MAX_PAGE_SIZE is cut to it, so no answer is larger than one page."""

    @property
    def max_limit(self) -> int:  # type: ignore[override]
        return int(settings.PUENTE_API_MAX_PAGE_SIZE)

    def _whole_number(self, request: Request, name: str, default: int, low: int) -> int:
        raw = request.query_params.get(name)
        if raw is None:
            return default
        text = raw
        # The digits are counted before int() converts them: a number of many thousand
        # digits costs time to convert, and any number above the page size is cut anyway.
        if not (text.isascii() and text.isdigit()) or len(text) > 18 or int(text) < low:
            raise CoreCode.INVALID_PAGING.error(extra={name: raw[:50]}, name=name, low=low)
        return int(text)

    def get_limit(self, request: Request) -> int:
        return min(
            self._whole_number(request, self.limit_query_param, self.default_limit or 100, 1),
            self.max_limit,
        )

    def get_offset(self, request: Request) -> int:
        return self._whole_number(request, self.offset_query_param, 0, 0)

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            name = parameter["name"]
            low = 1 if name == self.limit_query_param else 0
            parameter["schema"] = {"type": "integer", "minimum": low, "maximum": 10**18 - 1}
            if name == self.limit_query_param:
                parameter["description"] = (
                    "Rows per page; above PUENTE_API_MAX_PAGE_SIZE (1000 by default) it is "
                    "cut to it."
                )
        return parameters


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """handler404: under /api/ the API's one error shape in JSON, elsewhere the page."""
    if request.path.startswith("/api/"):
        return JsonResponse(error_body(CoreCode.NOT_FOUND, CoreCode.NOT_FOUND.text()), status=404)
    return page_not_found(request, exception)  # type: ignore[arg-type]


ERROR_STATUSES = {
    "400": "Invalid input, a filter or paging parameter that names nothing",
    "401": "Not signed in, or a token that is not valid",
    "403": "The user's roles do not allow this",
    "404": "No such object, or not visible to the user",
}


def schema_error_responses(result: dict[str, Any], **_kwargs: Any) -> dict[str, Any]:
    """drf-spectacular hook: every operation documents the API's one error shape for the
    error statuses any endpoint may answer, so the schema describes every answer."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas["Error"] = {
        "type": "object",
        "required": ["error"],
        "properties": {
            "error": {
                "type": "object",
                "required": ["code", "message", "detail"],
                "properties": {
                    "code": {"type": "string"},
                    "message": {"type": "string"},
                    "detail": {"nullable": True},
                },
            }
        },
    }
    error = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            for code, description in ERROR_STATUSES.items():
                responses.setdefault(code, {"description": description, "content": error})
    return result


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """handler400 (a request Django refuses before any view, e.g. too many fields): under
    /api/ the API's one error shape in JSON, elsewhere the page."""
    if request.path.startswith("/api/"):
        return JsonResponse(
            error_body(CoreCode.BAD_REQUEST, CoreCode.BAD_REQUEST.text()), status=400
        )
    return django_bad_request(request, exception)  # type: ignore[arg-type]
