"""`puente serve`: the production web server (gunicorn), with Puente's defaults.

It refuses to start on unsafe settings, as `puente worker` and the WSGI application do
(puente.core.checks): without real keys, in debug mode, or when `puente check --deploy`
finds an error. Warnings of that check are printed and do not stop it.
"""

from __future__ import annotations

import sys
from typing import Any

from django.conf import settings
from django.core import checks
from django.core.management.base import BaseCommand, CommandError, CommandParser

from puente.site.serving import gunicorn_settings


def serve_refusals() -> list[str]:
    """Why these settings may not serve (empty: they may)."""
    if settings.DEBUG:
        return [
            "PUENTE_DEBUG is on: debug mode shows tracebacks and settings to anyone; "
            "use `puente runserver` on a laptop"
        ]
    found = checks.run_checks(include_deployment_checks=True)
    return [f"{m.id}: {m.msg}" for m in found if m.level >= checks.ERROR]


def deploy_warnings() -> list[str]:
    found = checks.run_checks(include_deployment_checks=True)
    return [f"{m.id}: {m.msg}" for m in found if checks.WARNING <= m.level < checks.ERROR]


class Command(BaseCommand):
    help = (
        "Run the production web server (gunicorn) with Puente's defaults; it refuses "
        "unsafe settings. Settings: PUENTE_BIND, PUENTE_WEB_WORKERS, PUENTE_WEB_THREADS."
    )
    requires_system_checks: list[str] = []  # run below, with the deployment checks

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--bind", help="Address to listen on (default PUENTE_BIND).")
        parser.add_argument("--workers", type=int, help="Processes (PUENTE_WEB_WORKERS).")
        parser.add_argument("--threads", type=int, help="Threads each (PUENTE_WEB_THREADS).")
        parser.add_argument(
            "--print-config",
            action="store_true",
            help="Print the server's settings and exit, starting nothing.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        config = gunicorn_settings(
            bind=options["bind"], workers=options["workers"], threads=options["threads"]
        )
        if options["print_config"]:
            for key in sorted(config):
                if key != "logconfig_dict":  # Puente's LOGGING (docs/deploy.md)
                    self.stdout.write(f"{key} = {config[key]!r}")
            return
        refusals = serve_refusals()
        if refusals:
            raise CommandError(
                "Puente refuses to serve on these settings:\n- " + "\n- ".join(refusals)
            )
        for warning in deploy_warnings():
            sys.stderr.write(f"warning: {warning}\n")
        _server(config).run()


def _server(config: dict[str, Any]):  # type: ignore[no-untyped-def]
    from gunicorn.app.base import BaseApplication

    class PuenteServer(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            for key, value in config.items():
                self.cfg.set(key, value)

        def load(self):  # type: ignore[no-untyped-def]
            from puente.wsgi import application

            return application

    return PuenteServer()
