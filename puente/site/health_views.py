"""`/healthz` and `/readyz` (docs/deploy.md): JSON, no session, no cache."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from puente.core.health import readiness


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """The process answers; nothing else is asked."""
    return JsonResponse({"status": "alive"})


@never_cache
@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    """200 when the database answers, every migration is applied and a worker was seen
    lately; 503 with the failing check otherwise."""
    result = readiness()
    return JsonResponse(result.as_dict(), status=200 if result.ready else 503)
