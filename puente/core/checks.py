"""Production keys: a server never runs on the public development secret key, nor without
its own feedback keys.

`production_keys_problems` is the one rule. It is enforced three ways, so that every door
that serves people refuses alike: `puente runserver`, `serve`, `db_worker` and `worker`
stop at start (`refuse_to_start_without_keys`, called from CoreConfig.ready for those
commands), the WSGI
application (gunicorn) refuses to load (puente/wsgi.py), and `puente check --deploy`
reports it as an error. Debug mode (`PUENTE_DEBUG`, `make demo`) is exempt: it runs on the
development keys. Other commands (imports, shell, migrate) are operator tools and run;
tests set their own settings."""

from __future__ import annotations

import sys
from typing import Any

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

GENERATE_KEYS_HINT = (
    "Run `puente generate-keys` and put the PUENTE_SECRET_KEY=... and "
    "PUENTE_FEEDBACK_KEYS=... lines it prints in the server's environment."
)

# Management commands that serve requests or run tasks: they refuse to start.
SERVING_COMMANDS = frozenset({"runserver", "serve", "db_worker", "worker"})


def production_keys_problems() -> list[str]:
    """What keeps these settings from serving outside debug mode (empty: nothing)."""
    if settings.DEBUG:
        return []
    problems = []
    if settings.SECRET_KEY == settings.DEVELOPMENT_SECRET_KEY or not settings.SECRET_KEY:
        problems.append("PUENTE_SECRET_KEY is not set")
    if not settings.PUENTE_FEEDBACK_KEYS:
        problems.append("PUENTE_FEEDBACK_KEYS is not set")
    return problems


def refuse_to_start_without_keys() -> None:
    """Raise ImproperlyConfigured, in one line, when these settings may not serve."""
    problems = production_keys_problems()
    if problems:
        raise ImproperlyConfigured(
            f"Puente refuses to start without debug mode: {'; '.join(problems)}. "
            f"{GENERATE_KEYS_HINT}"
        )


def serving_command(argv: list[str]) -> bool:
    """Whether this process serves requests or runs tasks (any spelling of the command)."""
    if len(argv) < 2 or {"--help", "-h", "--print-config"} & set(argv[2:]):
        return False  # asking how to run it serves nothing
    return argv[1].replace("-", "_") in SERVING_COMMANDS


def refuse_serving_command_without_keys(argv: list[str] | None = None) -> None:
    """At start of a serving command: print the one line and exit with status 1."""
    if not serving_command(sys.argv if argv is None else argv):
        return
    try:
        refuse_to_start_without_keys()
    except ImproperlyConfigured as exc:
        raise SystemExit(f"puente: {exc}") from exc


@checks.register(checks.Tags.security, deploy=True)
def production_keys_check(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """`puente check --deploy`: the server has its own secret key and feedback keys."""
    return [
        checks.Error(problem, hint=GENERATE_KEYS_HINT, id="puente.E001")
        for problem in production_keys_problems()
    ]
