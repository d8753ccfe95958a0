from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser

from puente.core.commands import PuenteCommand
from puente.reference.areas import AREA_LEVELS, areas_load


class Command(PuenteCommand):
    help = (
        "Add or update admin-2 areas from a common operational dataset table (P-code, name, "
        "parent admin-1 P-code or ISO 3166-2 code): the whole file or nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("file", type=Path)
        parser.add_argument("--level", type=int, choices=AREA_LEVELS, required=True)
        parser.add_argument(
            "--country", default=None, help="ISO3 code: refuse parents of any other country"
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Validate and report without writing anything."
        )
        parser.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        report = areas_load(
            source=path,
            filename=path.name,
            level=options["level"],
            country_iso3=options["country"],
            dry_run=options["dry_run"],
        )
        self.print_report(report, output_format=options["format"])
