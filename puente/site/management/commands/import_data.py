import sys
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.db import InterfaceError, OperationalError
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from puente.core.commands import PuenteCommand
from puente.core.imports import ImportPolicy

# `puente import KIND FILE`: each kind is a service taking (source, filename, dry_run).
IMPORTERS = {
    "indicators": "puente.reference.services.indicators_import",
    "partners": "puente.partners.services.organisations_import",
    "5w": "puente.reporting.services.imports.file_import",
    "targets": "puente.plans.targets.targets_import",
    "pin": "puente.needs.services.needs_import",
    "needs": "puente.needs.services.needs_import",
    "population": "puente.needs.services.population_import",
    "plan": "puente.plans.services.imports.plan_import",
    "plan-entries": "puente.plans.services.entry_imports.plan_entries_import",
    "funding": "puente.funding.services.contributions_import",
    "rates": "puente.funding.services.exchange_rates_import",
    "flows-points": "puente.flows.services.flow_points_import",
    "flows-counts": "puente.flows.services.flow_counts_import",
}
# Kinds whose importer takes a policy, a target status and reports progress.
ROW_IMPORTS = {"5w"}
# Kinds whose importer takes a policy alone.
POLICY_IMPORTS = {"flows-counts"}


class Command(PuenteCommand):
    help = "Import a CSV/XLSX/XLS/ODS file: puente import KIND FILE"

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("kind", choices=sorted(IMPORTERS))
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--dry-run", action="store_true", help="Validate and report without writing anything."
        )
        parser.add_argument("--format", choices=["text", "json"], default="text")
        parser.add_argument(
            "--policy",
            choices=list(ImportPolicy),
            default=ImportPolicy.REJECT_FILE,
            help="5w, flows-counts: reject the whole file on any error (default), or keep "
            "the good rows and report the others.",
        )
        parser.add_argument(
            "--status",
            choices=["submitted", "validated"],
            default="submitted",
            help="5w: status of the imported rows; validated is for loading "
            "already-reviewed history.",
        )
        parser.add_argument(
            "--progress",
            action="store_true",
            help="Draw a progress bar on stderr (default when it is a terminal).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        importer = import_string(IMPORTERS[options["kind"]])
        kwargs: dict[str, Any] = {
            "source": path,
            "filename": path.name,
            "dry_run": options["dry_run"],
        }
        if options["kind"] in ROW_IMPORTS:
            kwargs.update(policy=options["policy"], status=options["status"])
            if options["progress"] or sys.stderr.isatty():
                kwargs["progress"] = self.draw_progress
        elif options["kind"] in POLICY_IMPORTS:
            kwargs["policy"] = options["policy"]
        try:
            report = importer(**kwargs)
        except (OperationalError, InterfaceError) as exc:
            # The database went away (restarted, the network cut): the import's one
            # transaction was rolled back with the connection.
            if "progress" in kwargs:
                self.stderr.write("")
            raise CommandError(
                _(
                    "The connection to the database was lost during the import (%(error)s). "
                    "Nothing of this file was written: an import is written in one "
                    "transaction. Run the same command again once the database answers."
                )
                % {"error": " ".join(str(exc).split())}
            ) from exc
        if "progress" in kwargs:
            self.stderr.write("")
        self.print_report(report, output_format=options["format"])

    def draw_progress(self, phase: str, done: int, total: int) -> None:
        width = 30
        filled = int(width * done / total) if total else 0
        percent = int(100 * done / total) if total else 0
        self.stderr.write(
            f"\r{phase:10} [{'#' * filled}{'.' * (width - filled)}] {percent:3d}% "
            f"{done:,}/{total:,}",
            ending="",
        )
        self.stderr.flush()
