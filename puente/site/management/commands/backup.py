"""`puente backup --out DIR`: the database, the uploaded files and a manifest with their
checksums (docs/deploy.md, "Backups"); never the feedback keys."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _

from puente.core.commands import PuenteCommand
from puente.site.backup import BackupError, backup_create


class Command(PuenteCommand):
    help = "Back up the database and the uploaded files into a new folder, with a manifest."

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("--out", required=True, help="a new or empty folder")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            manifest = backup_create(Path(options["out"]))
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            _(
                "Backed up %(tables)s tables (%(rows)s rows) and %(files)s files into "
                "%(folder)s; the feedback keys are not in it."
            )
            % {
                "tables": len(manifest["tables"]),
                "rows": f"{sum(manifest['tables'].values()):,}",
                "files": len(manifest["files"]),
                "folder": options["out"],
            }
        )
