"""Shared behaviour of Puente's management commands: the language of messages and the
report printing every import uses."""

from __future__ import annotations

import csv
import io
import json
import os
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from puente.core.exports import json_number
from puente.core.imports import ImportReport, RowError
from puente.core.templatetags.figures import figure_format

LANGUAGES = ("en", "es", "pt")


def default_language() -> str:
    """PUENTE_LANGUAGE, else the language of the terminal (LANG=es_CO.UTF-8 -> es)."""
    for name in ("PUENTE_LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        code = os.environ.get(name, "")[:2].lower()
        if code in LANGUAGES:
            return code
    return "en"


class PuenteCommand(BaseCommand):
    leave_locale_alone = True

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--language",
            choices=LANGUAGES,
            default=None,
            help="Language of messages (default: PUENTE_LANGUAGE or LANG).",
        )

    def execute(self, *args: Any, **options: Any) -> Any:
        with translation.override(options.get("language") or default_language()):
            return super().execute(*args, **options)

    def print_records(
        self, records: list[dict[str, Any]], *, fieldnames: list[str], output_format: str
    ) -> None:
        """A list of figures as JSON or as CSV with a header row."""
        if output_format == "json":
            self.stdout.write(json.dumps(records, ensure_ascii=False, default=json_number))
            return
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=fieldnames, lineterminator="\n")
        writer.writeheader()
        writer.writerows(records)
        self.stdout.write(buffer.getvalue(), ending="")

    def print_report(self, report: ImportReport, *, output_format: str) -> None:
        """Print an import report and exit 1 when anything was rejected."""
        if output_format == "json":
            self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False))
        else:
            for error in report.errors:
                self.stderr.write(report_line(error))
            for warning in report.warnings:
                self.stderr.write(report_line(warning))
            if report.errors:
                count = len(report.errors)
                self.stderr.write(
                    ngettext(
                        "%(count)s error: nothing was written.",
                        "%(count)s errors: nothing was written.",
                        count,
                    )
                    % {"count": figure_format(count)}
                )
            else:
                message = ngettext(
                    "%(rows)s row read: %(imported)s created, %(updated)s updated.",
                    "%(rows)s rows read: %(imported)s created, %(updated)s updated.",
                    report.rows,
                ) % {
                    "rows": figure_format(report.rows),
                    "imported": figure_format(report.imported),
                    "updated": figure_format(report.updated),
                }
                if report.unchanged:
                    message += " " + ngettext(
                        "%(unchanged)s row was already up to date: nothing written for it.",
                        "%(unchanged)s rows were already up to date: nothing written for them.",
                        report.unchanged,
                    ) % {"unchanged": figure_format(report.unchanged)}
                if report.dry_run:
                    message += " " + _("Dry run: nothing was written.")
                self.stdout.write(message)
        if report.errors:
            sys.exit(1)


def report_line(error: RowError) -> str:
    """One error or warning of a report: "row 3, column month: message (code) [value]";
    a file-level one (no row, no column) is the message alone."""
    where = []
    if error.row is not None:
        where.append(_("row %(row)s") % {"row": error.row})
    if error.column:
        where.append(_("column %(column)s") % {"column": error.column})
    prefix = ", ".join(where) + ": " if where else ""
    value = f" [{error.value}]" if error.value else ""
    return f"{prefix}{error.message} ({error.code}){value}"
