"""Error codes: each app declares its own in `codes.py`, as an enum of `ErrorCode`
(the way Saleor keeps `error_codes.py` per domain). A member is the stable code itself (a
string: it compares equal to "unknown_country" and is written so in JSON), with its
translatable message and the HTTP status an API answer carries (as Zulip declares the
status on each error class).

    class ReferenceCode(ErrorCode):
        UNKNOWN_COUNTRY = "unknown_country", _("Unknown country “%(value)s”."), 400

    raise ReferenceCode.UNKNOWN_COUNTRY.error(value="PERU")      # an ApplicationError
    report.error(3, "country", ReferenceCode.UNKNOWN_COUNTRY, value="PERU")

The documentation test walks every app's enum: each code is documented with its status."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class ErrorCode(StrEnum):
    def __new__(cls, code: str, message: str | Promise = "", status: int = 400) -> ErrorCode:
        member = str.__new__(cls, code)
        member._value_ = code
        # Enum members take no annotated attributes: kept under private names, read
        # through the properties below.
        setattr(member, "_message", message)  # noqa: B010
        setattr(member, "_status", status)  # noqa: B010
        return member

    @property
    def message(self) -> str | Promise:
        return getattr(self, "_message")  # type: ignore[no-any-return]  # noqa: B009

    @property
    def status(self) -> int:
        return getattr(self, "_status")  # type: ignore[no-any-return]  # noqa: B009

    def text(self, **values: Any) -> str:
        """The message in the active language, with `values` put in its placeholders."""
        message = str(self.message)
        return message % values if values else message

    def error(self, extra: dict[str, Any] | None = None, **values: Any) -> Any:
        """An ApplicationError (PermissionDenied for 403, NotFound for 404) with this code
        and its message."""
        from puente.core.errors import ApplicationError, NotFound, PermissionDenied

        message = self.text(**values)
        if self.status == 403:
            return PermissionDenied(message, code=self.value)
        if self.status == 404:
            return NotFound(message, code=self.value)
        error = ApplicationError(message, code=self.value, extra=extra)
        error.status = self.status
        return error


class CoreCode(ErrorCode):
    """Codes of the shared parts: the file reader, request parsing, access."""

    PERMISSION_DENIED = "permission_denied", _("You do not have permission to do this."), 403
    NOT_FOUND = "not_found", _("Not found."), 404
    INVALID_PAGING = (
        "invalid_paging",
        _("“%(name)s” must be a whole number of at least %(low)s."),
        400,
    )
