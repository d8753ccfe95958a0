"""`puente restore DIR [--force]`: a backup of `puente backup` into this server's database
and media folder, checked against its manifest (docs/deploy.md, "Backups")."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _

from puente.core.commands import PuenteCommand
from puente.site.backup import BackupError, backup_restore, restore_summary


class Command(PuenteCommand):
    help = (
        "Restore a backup into an empty database (--force: replace what the database holds), "
        "then rebuild the cube and its columnar copy."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("folder", help="a folder written by puente backup")
        parser.add_argument(
            "--force", action="store_true", help="replace a database that holds tables"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = backup_restore(Path(options["folder"]), force=options["force"])
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(restore_summary(report))
        if not report.complaints_open:
            raise CommandError(
                _(
                    "The feedback keys of this server do not open the restored complaints: set "
                    "PUENTE_FEEDBACK_KEYS to the keys of the server that sealed them."
                )
            )
        if report.complaints_checked:
            self.stdout.write(
                _("%(count)s complaints open with this server's feedback keys.")
                % {"count": report.complaints_checked}
            )
