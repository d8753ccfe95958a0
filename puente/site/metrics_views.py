"""`/metrics` (docs/deploy.md, "Logs and metrics"): Prometheus' text exposition, for the
bearer of PUENTE_METRICS_TOKEN only; no session, no cache."""

from __future__ import annotations

import hmac

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.views.decorators.cache import never_cache
from prometheus_client import CONTENT_TYPE_LATEST

from puente.analytics.metrics import CubeAgeCollector
from puente.core.observability.metrics import metrics_exposition


def _bearer_matches(request: HttpRequest, token: str) -> bool:
    scheme, _space, given = request.headers.get("Authorization", "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(
        given.strip().encode(), token.encode()
    )


@never_cache
def metrics(request: HttpRequest) -> HttpResponse:
    """Not found while no token is set; 403 without the token. A loopback address proves
    nothing behind a reverse proxy on the same machine, so only the token opens it."""
    token = settings.PUENTE_METRICS_TOKEN
    if not token:
        raise Http404
    if not _bearer_matches(request, token):
        return HttpResponse(status=403)
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    return HttpResponse(metrics_exposition([CubeAgeCollector()]), content_type=CONTENT_TYPE_LATEST)
