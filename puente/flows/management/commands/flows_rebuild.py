import json
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _

from puente.core.commands import PuenteCommand
from puente.core.errors import ApplicationError
from puente.core.templatetags.figures import figure_format
from puente.flows.submissions import flows_rebuild


class Command(PuenteCommand):
    help = (
        "Read every current, non-rejected submission of the flow-monitoring survey and "
        "daily tally sheet again into survey summaries and daily counts, and withdraw the "
        "figures of submissions that no longer count. Running it again changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("--project", default=None, help="one data-collection project's code")
        parser.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = flows_rebuild(project=options["project"], acting_user=None)
        except ApplicationError as exc:
            raise CommandError(f"{exc.message} ({exc.code})") from exc
        figures = report.as_dict()
        if options["format"] == "json":
            self.stdout.write(json.dumps(figures))
            return
        self.stdout.write(
            _(
                "%(submissions)s submissions read: %(summaries)s survey summaries, "
                "%(tally_sheets)s daily tally sheets, %(without)s without figures (no "
                "consent, no point of the project, or answers that are not codes); figures "
                "of %(withdrawn)s submissions that no longer count withdrawn."
            )
            % {
                "submissions": figure_format(figures["submissions"]),
                "summaries": figure_format(figures["summaries"]),
                "tally_sheets": figure_format(figures["tally_sheets"]),
                "without": figure_format(figures["without_figures"]),
                "withdrawn": figure_format(figures["withdrawn"]),
            }
        )
