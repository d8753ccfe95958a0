"""Expected failures: one exception type with a stable machine code, and the HTTP
status each kind answers with (as Zulip declares it on each error class).

`PermissionDenied` and `NotFound` are also Django's own `PermissionDenied` and `Http404`:
raised anywhere below a view, Django answers 403 or 404 and the API its error shape
with the same status, without a view converting them."""

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from django.utils.functional import Promise

from puente.core.codes import CoreCode


class ApplicationError(Exception):
    """A failure the user can act on. `code` is stable; `message` may be lazy-translated."""

    status = 400

    def __init__(self, message: str | Promise, *, code: str, extra: dict[str, Any] | None = None):
        super().__init__(str(message))
        self.message = message
        self.code = code
        self.extra = extra or {}

    def __str__(self) -> str:
        return str(self.message)


class PermissionDenied(ApplicationError, DjangoPermissionDenied):
    """The user may not do this at all (a page or an action their roles do not give)."""

    status = 403

    def __init__(self, message: str | Promise = "", *, code: str = CoreCode.PERMISSION_DENIED):
        super().__init__(message or CoreCode.PERMISSION_DENIED.message, code=code)


class NotFound(ApplicationError, Http404):
    """What the `access_*` fetchers raise both for an object that does not exist and for
    one outside the user's scope: nobody learns that an object they may not see exists."""

    status = 404

    def __init__(self, message: str | Promise = "", *, code: str = CoreCode.NOT_FOUND):
        super().__init__(message or CoreCode.NOT_FOUND.message, code=code)
