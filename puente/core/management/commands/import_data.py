from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils.module_loading import import_string

from puente.core.commands import PuenteCommand

# `puente import KIND FILE`: each kind is a service taking (source, filename, dry_run).
IMPORTERS = {
    "indicators": "puente.reference.services.indicators_import",
    "partners": "puente.partners.services.organisations_import",
}


class Command(PuenteCommand):
    help = "Import a CSV/XLSX file: puente import {indicators,partners} FILE"

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("kind", choices=sorted(IMPORTERS))
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--dry-run", action="store_true", help="Validate and report without writing anything."
        )
        parser.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        importer = import_string(IMPORTERS[options["kind"]])
        report = importer(source=path, filename=path.name, dry_run=options["dry_run"])
        self.print_report(report, output_format=options["format"])
