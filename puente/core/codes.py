"""Error codes: each app declares its own in `codes.py`, as an enum of `ErrorCode`
(the way Saleor keeps `error_codes.py` per domain). A member is the stable code itself (a
string: it compares equal to "unknown_country" and is written so in JSON), with its
translatable message and the HTTP status an API answer carries (as Zulip declares the
status on each error class).

    class ReferenceCode(ErrorCode):
        UNKNOWN_COUNTRY = (
            "unknown_country", _("“%(value)s” is not one of the response's countries."), 400
        )

    raise ReferenceCode.UNKNOWN_COUNTRY.error(value="PERU")      # an ApplicationError
    code = ReferenceCode.UNKNOWN_COUNTRY
    cells.error("country", code, code.text(value="PERU"), "PERU")  # a row of an import

A code several apps use is declared once, in the lowest app that owns the concept, and
imported by the others. A call site whose situation needs other words passes its own
message with the same code (`.error(message=...)`, or its own text to `cells.error`).
The documentation test (core/tests/test_docs.py) walks every app's enum: each code is
documented, with the status docs/api.md gives, and none is written as a bare string."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


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
    def message(self) -> StrOrPromise:
        return getattr(self, "_message")  # type: ignore[no-any-return]  # noqa: B009

    @property
    def status(self) -> int:
        return getattr(self, "_status")  # type: ignore[no-any-return]  # noqa: B009

    def text(self, **values: Any) -> str:
        """The message in the active language, with `values` put in its placeholders."""
        message = str(self.message)
        return message % values if values else message

    def error(
        self,
        extra: dict[str, Any] | None = None,
        *,
        message: str | Promise | None = None,
        **values: Any,
    ) -> Any:
        """An ApplicationError (PermissionDenied for 403, NotFound for 404) with this code
        and its message; `message`: a wording of its own for a call site that needs one."""
        from puente.core.errors import ApplicationError, NotFound, PermissionDenied

        if message is None:
            # Without values the message stays lazy: rendered in the language of the answer.
            message = self.text(**values) if values else self.message
        if self.status == 403:
            return PermissionDenied(message, code=self.value)
        if self.status == 404:
            return NotFound(message, code=self.value)
        error = ApplicationError(message, code=self.value, extra=extra)
        error.status = self.status
        return error


class CoreCode(ErrorCode):
    """Codes of the shared parts: the file reader, the import contract, request parsing,
    access."""

    # Access and requests (docs/api.md)
    PERMISSION_DENIED = "permission_denied", _("You do not have permission to do this."), 403
    NOT_FOUND = "not_found", _("Not found."), 404
    # Raised by REST framework itself: its message, in its own translations.
    NOT_AUTHENTICATED = (
        "not_authenticated",
        exceptions.NotAuthenticated.default_detail,
        401,
    )
    AUTHENTICATION_FAILED = (
        "authentication_failed",
        exceptions.AuthenticationFailed.default_detail,
        401,
    )
    BAD_REQUEST = "bad_request", _("Bad request."), 400
    INVALID = "invalid", _("Invalid input."), 400
    INVALID_PAGING = (
        "invalid_paging",
        _("“%(name)s” must be a whole number of at least %(low)s."),
        400,
    )
    INVALID_GROUPING = (
        "invalid_grouping",
        _("by takes %(groupings)s; not %(unknown)s."),
        400,
    )
    INVALID_YEAR = "invalid_year", _("“%(value)s” is not a year (YYYY)."), 400
    INVALID_MONTH = "invalid_month", _("“%(value)s” is not a month (YYYY-MM)."), 400

    # Reading a file (docs/imports.md)
    FILE_TOO_LARGE = (
        "file_too_large",
        _("The file is larger than the limit of %(megabytes)s MB."),
        400,
    )
    UNREADABLE_FILE = (
        "unreadable_file",
        _("The file is not readable text. Save it as CSV (UTF-8) or as an Excel workbook."),
        400,
    )
    NOT_A_WORKBOOK = (
        "not_a_workbook",
        _("The file cannot be opened as a spreadsheet workbook (XLSX, XLS or ODS)."),
        400,
    )
    WORKBOOK_TOO_LARGE = (
        "workbook_too_large",
        _(
            "The workbook expands to more than %(megabytes)s MB when opened "
            "(PUENTE_IMPORT_MAX_UNCOMPRESSED_BYTES). Save it as CSV or split it."
        ),
        400,
    )
    WORKBOOK_TOO_LARGE_FOR_PAGE = (
        "workbook_too_large_for_page",
        _(
            "This workbook expands to more than %(megabytes)s MB when opened "
            "(PUENTE_INLINE_IMPORT_BYTES), too large to read while the page waits. "
            "Save it as CSV, which is read row by row whatever its size, or import it "
            "with the puente import command."
        ),
        400,
    )
    COMPRESSION_RATIO = (
        "compression_ratio",
        _(
            "A part of the workbook (%(member)s) expands %(ratio)s times when "
            "opened; the limit is %(limit)s (PUENTE_IMPORT_MAX_COMPRESSION_RATIO)."
        ),
        400,
    )
    SHEET_TOO_LARGE = (
        "sheet_too_large",
        _(
            "The sheet spans %(rows)s rows by %(columns)s columns; the limit is "
            "%(max_columns)s columns (PUENTE_IMPORT_MAX_COLUMNS) and %(max_cells)s cells "
            "(PUENTE_IMPORT_MAX_CELLS). Delete the empty rows and columns after the data "
            "or split the file."
        ),
        400,
    )
    CELL_TOO_LARGE = (
        "cell_too_large",
        _(
            "This cell holds %(length)s characters; a cell may hold at most "
            "%(limit)s (PUENTE_IMPORT_MAX_CELL_CHARS)."
        ),
        400,
    )
    EMPTY_FILE = "empty_file", _("The file is empty."), 400
    UNKNOWN_HEADER = "unknown_header", _("Unknown column “%(header)s”."), 400
    DUPLICATE_HEADER = "duplicate_header", _("The column “%(header)s” appears twice."), 400
    MISSING_HEADER = "missing_header", _("The required column “%(column)s” is missing."), 400

    # The import contract: rows and cells (docs/imports.md)
    IMPORT_NOT_ALLOWED = (
        "import_not_allowed",
        _("Your roles do not allow this import."),
        403,
    )
    MISSING_REQUIRED = "missing_required", _("The column “%(column)s” is required."), 400
    DUPLICATE_ROW = "duplicate_row", _("The same figure is already in row %(row)s."), 400
    NOT_A_NUMBER = "not_a_number", _("“%(value)s” is not a number."), 400
    NEGATIVE_NUMBER = "negative_number", _("A number of %(column)s cannot be negative."), 400
    NOT_AN_INTEGER = "not_an_integer", _("%(column)s must be a whole number."), 400
    OUT_OF_RANGE = "out_of_range", _("“%(value)s” must be between %(low)s and %(high)s."), 400
    NEGATIVE_AMOUNT = "negative_amount", _("“%(value)s”: an amount cannot be negative."), 400
    INVALID_YES_NO = (
        "invalid_yes_no",
        _("“%(value)s” is not yes or no (sí/no, sim/não are accepted)."),
        400,
    )
    INVALID_DATE = (
        "invalid_date",
        _("“%(value)s” is not a date (use 2025-03-17 or 17/03/2025)."),
        400,
    )
