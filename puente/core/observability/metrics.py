"""Prometheus metrics: those counted as things happen, in this process (or in
PROMETHEUS_MULTIPROC_DIR), and those read from the database when /metrics is asked."""

from __future__ import annotations

import functools
import logging
import os
import time
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, ParamSpec

from django.conf import settings
from django.db import DatabaseError
from django.db.models import Count, Min
from django.utils import timezone
from prometheus_client import (
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

if TYPE_CHECKING:
    from puente.core.imports import ImportReport

logger = logging.getLogger("puente.metrics")

REQUEST_SECONDS = Histogram(
    "puente_http_request_duration_seconds",
    "Time from a request's arrival to its response, by route name, method and status class.",
    ["route", "method", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60),
)
IMPORT_ROWS = Counter(
    "puente_import_rows",
    "Rows of finished imports (dry runs aside), by kind of file and outcome.",
    ["kind", "outcome"],
)
IMPORT_SECONDS = Histogram(
    "puente_import_duration_seconds",
    "Time of each finished import (dry runs aside): reading, validating and writing.",
    ["kind"],
    buckets=(0.1, 0.5, 1, 5, 10, 30, 60, 120, 300, 600, 1800, 3600),
)

P = ParamSpec("P")


def import_metered(
    kind: str,
) -> Callable[[Callable[P, ImportReport]], Callable[P, ImportReport]]:
    """Count the rows and the time of every import the decorated service finishes (dry
    runs aside): rows per second is rate(puente_import_rows_total) over
    rate(puente_import_duration_seconds_sum). An import that raises is not counted."""

    def decorate(service: Callable[P, ImportReport]) -> Callable[P, ImportReport]:
        @functools.wraps(service)
        def metered(*args: P.args, **kwargs: P.kwargs) -> ImportReport:
            started = time.perf_counter()
            report = service(*args, **kwargs)
            if not report.dry_run:
                import_record(kind=kind, report=report, seconds=time.perf_counter() - started)
            return report

        return metered

    return decorate


def import_record(*, kind: str, report: ImportReport, seconds: float) -> None:
    written = report.imported + report.updated + report.unchanged
    outcomes = {
        "imported": report.imported,
        "updated": report.updated,
        "unchanged": report.unchanged,
        # Rows read but not written: their own errors, or the file's under reject-file.
        "not_written": max(0, report.rows - written),
    }
    for outcome, rows in outcomes.items():
        IMPORT_ROWS.labels(kind=kind, outcome=outcome).inc(rows)
    IMPORT_SECONDS.labels(kind=kind).observe(seconds)


class TaskQueueCollector(Collector):
    """Tasks waiting in each queue of the database backend, and how long the oldest has
    waited. Read when /metrics is asked."""

    def collect(self) -> Iterator[Metric]:
        from django_tasks_db.models import DBTaskResult

        depth = GaugeMetricFamily(
            "puente_task_queue_depth",
            "Background tasks waiting to run (READY), by queue.",
            labels=["queue"],
        )
        oldest = GaugeMetricFamily(
            "puente_task_queue_oldest_seconds",
            "How long the oldest waiting task of each queue has waited (0: none waits).",
            labels=["queue"],
        )
        queues: dict[str, tuple[int, float]] = {}
        for config in settings.TASKS.values():
            for name in config.get("QUEUES", ["default"]):
                queues[name] = (0, 0.0)
        now = timezone.now()
        waiting = (
            DBTaskResult.objects.filter(status="READY")
            .values("queue_name")
            .annotate(count=Count("id"), oldest=Min("enqueued_at"))
            .order_by()
        )
        for row in waiting:
            age = (now - row["oldest"]).total_seconds() if row["oldest"] else 0.0
            queues[row["queue_name"]] = (row["count"], max(0.0, age))
        for name, (count, age) in sorted(queues.items()):
            depth.add_metric([name], count)
            oldest.add_metric([name], age)
        yield depth
        yield oldest


class _ProcessMetrics(Collector):
    """This process's own metrics (the default registry), inside a scrape's registry."""

    def collect(self) -> Iterable[Metric]:
        return REGISTRY.collect()


class _Guarded(Collector):
    """A collector that cannot read the database yields nothing (and logs why): the
    other metrics are still served."""

    def __init__(self, collector: Collector):
        self.collector = collector

    def collect(self) -> Iterator[Metric]:
        try:
            metrics = list(self.collector.collect())
        except DatabaseError:
            logger.warning(
                "Metrics collector %s could not read the database",
                self.collector.__class__.__name__,
                exc_info=True,
            )
            return
        yield from metrics


def multiprocess_dir() -> str | None:
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR") or None


def metrics_exposition(collectors: Iterable[Collector] = ()) -> bytes:
    """The text exposition of every metric: this process's (in multiprocess mode, those
    of every process writing to the folder) and those the collectors read now."""
    registry = CollectorRegistry()
    if multiprocess_dir():
        multiprocess.MultiProcessCollector(registry)
    else:
        registry.register(_ProcessMetrics())
    for collector in (TaskQueueCollector(), *collectors):
        registry.register(_Guarded(collector))
    return generate_latest(registry)
