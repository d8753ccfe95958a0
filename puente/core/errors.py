"""Expected failures: one exception type with a stable machine code."""

from typing import Any

from django.utils.functional import Promise


class ApplicationError(Exception):
    """A failure the user can act on. `code` is stable; `message` may be lazy-translated."""

    def __init__(self, message: str | Promise, *, code: str, extra: dict[str, Any] | None = None):
        super().__init__(str(message))
        self.message = message
        self.code = code
        self.extra = extra or {}

    def __str__(self) -> str:
        return str(self.message)


class PermissionDenied(ApplicationError):
    def __init__(self, message: str | Promise = "", *, code: str = "permission_denied"):
        super().__init__(message or "You do not have permission to do this.", code=code)
