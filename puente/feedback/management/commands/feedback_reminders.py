from typing import Any

from django.core.management.base import CommandParser
from django.utils.translation import gettext as _

from puente.core.commands import PuenteCommand
from puente.feedback.services.reminders import feedback_reminders_send


class Command(PuenteCommand):
    help = "E-mail the handlers of overdue feedback (run it regularly, e.g. hourly)."

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--dry-run", action="store_true", help="List what would be sent, send nothing."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        reminders = feedback_reminders_send(dry_run=options["dry_run"])
        for reminder in reminders:
            recipients = ", ".join(reminder.recipients) or _("nobody in scope")
            self.stdout.write(f"#{reminder.feedback_id}: {recipients}")
        message = _("%(count)s overdue item(s) reminded.") % {"count": len(reminders)}
        if options["dry_run"]:
            message += " " + _("Dry run: nothing was sent.")
        self.stdout.write(message)
