"""The cube's age for /metrics (docs/deploy.md, "Logs and metrics"), read when asked."""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import Max
from django.utils import timezone
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from puente.analytics.models import CubeState


class CubeAgeCollector(Collector):
    """Seconds since the cube was last refreshed, the newest refresh of any country and
    year: the time the dashboards' figures are as of. The cube is refreshed when validated
    rows change, so the oldest part only says which country's figures changed least
    lately; the newest going old while partners report says no refresh is happening."""

    def collect(self) -> Iterator[Metric]:
        latest = CubeState.objects.aggregate(latest=Max("refreshed_at"))["latest"]
        if latest is None:  # never built: no age to tell
            return
        age = GaugeMetricFamily(
            "puente_cube_age_seconds",
            "Seconds since the newest refresh of the consolidated cube.",
        )
        age.add_metric([], max(0.0, (timezone.now() - latest).total_seconds()))
        yield age
