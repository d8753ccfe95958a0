from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser

from puente.core.commands import PuenteCommand
from puente.core.errors import ApplicationError
from puente.reference.services import boundaries_load


class Command(PuenteCommand):
    help = (
        "Replace a country's admin-1 boundaries with an official GeoJSON keyed by P-code "
        "or ISO 3166-2 code; lists the features that matched nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("file", type=Path)
        parser.add_argument("--country", required=True, help="ISO3 code of the country")
        parser.add_argument(
            "--code-field",
            required=True,
            help="Feature property holding the P-code or ISO 3166-2 code",
        )
        parser.add_argument(
            "--name-field",
            default=None,
            help="Feature property holding the area name; used to fill P-codes",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        try:
            result = boundaries_load(
                source=path,
                country_iso3=options["country"],
                code_field=options["code_field"],
                name_field=options["name_field"],
                source_label=path.name,
            )
        except ApplicationError as exc:
            for item in exc.extra.get("unmatched", []):
                self.stderr.write(
                    f"unmatched feature {item['feature']}: {item['code']} "
                    f"{item['name']} ({item['reason']})"
                )
            raise CommandError(str(exc.message)) from exc
        self.stdout.write(
            f"{len(result.matched)} boundaries loaded for {options['country'].upper()}."
        )
        for filled in result.pcodes_filled:
            self.stdout.write(f"P-code filled: {filled}")
        if result.unmatched:
            self.stdout.write(f"{len(result.unmatched)} features matched nothing:")
            for item in result.unmatched:
                self.stdout.write(
                    f"  feature {item['feature']}: code={item['code']!r} "
                    f"name={item['name']!r} ({item['reason']})"
                )
