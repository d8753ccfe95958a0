"""The rate limit of the public form and the status check, per client address (see
`puente.core.ratelimit` for how requests are counted)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

from puente.core.ratelimit import client_address, over_limit


def rate_limited(request: HttpRequest, scope: str, *, factor: int = 1) -> bool:
    """Count this request; True when the address went over the limit in this window."""
    return over_limit(
        f"feedback:{scope}",
        client_address(request),
        limit=settings.PUENTE_FEEDBACK_FORM_LIMIT * factor,
        window=settings.PUENTE_FEEDBACK_FORM_WINDOW,
    )
