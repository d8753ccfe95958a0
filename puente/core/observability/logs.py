"""The request's (or the task's) id on every log line, and the two line formats:
JSON for a server, text for a terminal (PUENTE_LOG_FORMAT). Imported by the logging
configuration before the apps are loaded: no model may be imported here."""

from __future__ import annotations

import contextvars
import datetime as dt
import json
import logging
from typing import Any

from django.dispatch import receiver
from django_tasks.signals import log_task_started, task_finished, task_started

request_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "puente_request_id", default=None
)
task_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "puente_task_id", default=None
)

# What every LogRecord has; anything else on a record came from `extra=`.
_RECORD_FIELDS = frozenset(logging.makeLogRecord({}).__dict__) | {
    "message",
    "asctime",
    "context",
    "request_id",
    "task_id",
    # Django's request loggers pass the request object itself: not a log field.
    "request",
}


@receiver(task_started, dispatch_uid="puente-log-task-id")
def _task_started(sender: Any, task_result: Any, **kwargs: Any) -> None:
    task_id_var.set(str(task_result.id))


# django-tasks' own "started" line comes after the id is set: its receiver is moved behind.
task_started.disconnect(log_task_started)
task_started.connect(log_task_started)


@receiver(task_finished, dispatch_uid="puente-log-task-id-end")
def _task_finished(sender: Any, task_result: Any, **kwargs: Any) -> None:
    # Connected after django-tasks' own receiver: its "finished" line still has the id.
    task_id_var.set(None)


class LogContextFilter(logging.Filter):
    """Puts `request_id` and `task_id` (None outside a request or a task) on every record
    a handler writes. Django's own line about a 4xx or 5xx answer (`django.request`) is
    written once the request has left the middleware; it carries the request, which
    carries its id."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get() or getattr(
            getattr(record, "request", None), "puente_request_id", None
        )
        record.task_id = task_id_var.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (ISO 8601, UTC), level, logger, message,
    request_id, task_id when in a task, exception text when any, then the fields given
    with `extra=`."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": dt.datetime.fromtimestamp(record.created, tz=dt.UTC)
            .isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None),
        }
        task_id = getattr(record, "task_id", None)
        if task_id:
            entry["task_id"] = task_id
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        for key, value in record.__dict__.items():
            if key not in _RECORD_FIELDS and not key.startswith("_"):
                entry.setdefault(key, value)
        return json.dumps(entry, default=str, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    """`time level logger [request id]: message`, for a terminal."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s%(context)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        ids = [getattr(record, "request_id", None), getattr(record, "task_id", None)]
        record.context = "".join(f" [{i}]" for i in ids if i)
        return super().format(record)
