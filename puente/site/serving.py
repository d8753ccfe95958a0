"""The production web server's settings: gunicorn, configured from the environment.

`puente serve` runs gunicorn with them; `deploy/gunicorn.conf.py` reads the same function
for those who start gunicorn themselves, so there is one set of defaults.

Defaults suit a server behind a reverse proxy (docs/deploy.md): it listens on loopback,
runs threaded workers (a request waiting on the database does not hold a process), and
recycles each worker after some thousands of requests, so a slow leak never grows.
"""

from __future__ import annotations

import copy
import os
from typing import Any

from django.conf import settings


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


def default_web_workers() -> int:
    """One process per core, at least two (one can be restarted while the other serves)."""
    return max(2, os.cpu_count() or 1)


def _logging_with_gunicorn() -> dict[str, Any]:
    """Puente's LOGGING, with gunicorn's loggers writing through its console handler."""
    config: dict[str, Any] = copy.deepcopy(settings.LOGGING)
    config["loggers"] = {
        **config.get("loggers", {}),
        "gunicorn.error": {"level": "INFO", "handlers": ["console"], "propagate": False},
        "gunicorn.access": {"level": "INFO", "handlers": ["console"], "propagate": False},
    }
    return config


def gunicorn_settings(**overrides: Any) -> dict[str, Any]:
    """gunicorn's settings by name; `overrides` (the command line) win over the environment."""
    threads = _env_int("PUENTE_WEB_THREADS", 4)
    options: dict[str, Any] = {
        "bind": os.environ.get("PUENTE_BIND", "127.0.0.1:8000"),
        "workers": _env_int("PUENTE_WEB_WORKERS", default_web_workers()),
        "threads": threads,
        "worker_class": "gthread",
        # A request longer than this is killed: the largest synchronous work (an inline
        # import, a dashboard export) stays well below it; larger imports run in the worker.
        "timeout": _env_int("PUENTE_WEB_TIMEOUT", 120),
        "graceful_timeout": 30,
        "keepalive": 5,
        "max_requests": _env_int("PUENTE_WEB_MAX_REQUESTS", 2000),
        "max_requests_jitter": 200,
        # The proxy's X-Forwarded-Proto is believed only from these addresses (the same
        # list gives rate limits the client's address: puente.core.forwarded).
        "forwarded_allow_ips": ",".join(settings.PUENTE_TRUSTED_PROXIES) or "127.0.0.1",
        # One line per request is logged by Puente itself, with its request id.
        "accesslog": None,
        "errorlog": "-",
        # gunicorn's own lines (workers booted, timed out, restarted) in Puente's format:
        # JSON outside debug mode, like every other line of the process.
        "logconfig_dict": _logging_with_gunicorn(),
        "proc_name": "puente",
    }
    # The heartbeat files, off a slow disk, where the process may write there (a
    # container's /dev/shm may be read-only or not its own).
    if os.access("/dev/shm", os.W_OK | os.X_OK):  # noqa: S108
        options["worker_tmp_dir"] = "/dev/shm"  # noqa: S108
    options.update({key: value for key, value in overrides.items() if value is not None})
    # Each process holds at most this many connections, kept-alive ones included. Without a
    # bound, the process that accepts first gathers most of the clients that keep their
    # connection (ODK Collect, API scripts): measured with 32 collectors on two processes,
    # 28 waited on one while the other idled. Beyond the bound, a connection is closed after
    # its answer ("Connection: close"), and the client's next one goes to a process with room.
    options.setdefault(
        "worker_connections", _env_int("PUENTE_WEB_CONNECTIONS", 4 * int(options["threads"]))
    )
    return options
