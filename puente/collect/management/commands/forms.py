from __future__ import annotations

import argparse
import datetime as dt
import json
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.db import transaction
from django.utils.translation import gettext as _

from puente.collect.codes import CollectCode
from puente.collect.models import Form, Project, Submission
from puente.collect.services.exports import FORMATS, export_shape, form_export
from puente.collect.services.publishing import (
    XlsformMessage,
    form_media_add,
    form_publish,
    project_for_publishing,
    project_managers_change,
)
from puente.core.commands import LANGUAGES, PuenteCommand
from puente.core.errors import ApplicationError


class Command(PuenteCommand):
    help = (
        "XLSForm forms served over OpenRosa: puente forms publish FILE.xlsx --project CODE "
        "[--country ISO3] [--media FILE ...]; puente forms list [--project CODE]; "
        "puente forms managers CODE [--add EMAIL ...] [--remove EMAIL ...]; "
        "puente forms export FORM_ID --project CODE --format csv|xlsx --out DIR"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        commands = parser.add_subparsers(dest="subcommand", required=True)
        publish = commands.add_parser(
            "publish", help="Publish an XLSForm as a new version of its form."
        )
        publish.add_argument("file")
        publish.add_argument("--project", required=True, help="Project code (created when new).")
        publish.add_argument("--country", default="", help="ISO3 country of a new project.")
        publish.add_argument("--name", default="", help="Name of a new project.")
        publish.add_argument(
            "--media", nargs="*", default=[], help="Media files the form uses (CSV, images)."
        )
        listing = commands.add_parser("list", help="List the published forms.")
        listing.add_argument("--project", default=None)
        listing.add_argument("--format", choices=["text", "json"], default="text")
        managers = commands.add_parser(
            "managers", help="Show, add or remove a project's managers (they see its data)."
        )
        managers.add_argument("project")
        managers.add_argument("--add", nargs="*", default=[], metavar="EMAIL")
        managers.add_argument("--remove", nargs="*", default=[], metavar="EMAIL")
        export = commands.add_parser(
            "export",
            help="Export a form's submissions: one table for the form, one per repeat group.",
        )
        export.add_argument("form_id")
        export.add_argument("--project", required=True, help="Project code.")
        export.add_argument("--format", choices=FORMATS, default="csv", dest="file_format")
        export.add_argument("--out", required=True, help="Folder the files are written to.")
        export.add_argument(
            "--labels", default="", metavar="LANG", help="Headers in this language (es, pt, en)."
        )
        export.add_argument(
            "--status",
            nargs="*",
            default=[],
            choices=Submission.Status.values,
            help="Only submissions in these statuses (default: any).",
        )
        export.add_argument("--from", dest="received_from", default=None, metavar="DATE")
        export.add_argument("--to", dest="received_to", default=None, metavar="DATE")
        for sub in (publish, listing, managers, export):
            # Also after the subcommand: `puente forms publish F --project P --language es`.
            sub.add_argument("--language", choices=LANGUAGES, default=argparse.SUPPRESS)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "publish":
            self._publish(options)
        elif options["subcommand"] == "managers":
            self._managers(options)
        elif options["subcommand"] == "export":
            self._export(options)
        else:
            self._list(options)

    def _date(self, text: str | None, option: str) -> dt.date | None:
        if not text:
            return None
        try:
            return dt.date.fromisoformat(text)
        except ValueError as exc:
            raise CommandError(
                _("%(option)s: “%(value)s” is not a date (YYYY-MM-DD).")
                % {"option": option, "value": text}
            ) from exc

    def _export(self, options: dict[str, Any]) -> None:
        project = Project.objects.filter(code=options["project"].lower()).first()
        if project is None:
            raise CommandError(CollectCode.UNKNOWN_PROJECT.text(code=options["project"]))
        form = Form.objects.filter(project=project, form_id=options["form_id"]).first()
        if form is None:
            raise CommandError(CollectCode.UNKNOWN_FORM.text(form_id=options["form_id"]))
        received_from = self._date(options["received_from"], "--from")
        received_to = self._date(options["received_to"], "--to")
        out = Path(options["out"])
        if not out.is_dir():
            raise CommandError(_("No folder %(path)s.") % {"path": out})
        shape = export_shape(form)
        labels = options["labels"].lower()
        if labels and labels not in shape.languages:
            raise CommandError(
                _("--labels: the form has no labels in “%(language)s” (it has: %(languages)s).")
                % {"language": labels, "languages": ", ".join(shape.languages) or "-"}
            )
        paths = form_export(
            acting_user=None,
            form=form,
            file_format=options["file_format"],
            out_dir=out,
            labels=labels,
            statuses=options["status"],
            received_from=received_from,
            received_to=received_to,
            shape=shape,
        )
        for path in paths:
            self.stdout.write(str(path))

    def _managers(self, options: dict[str, Any]) -> None:
        project = Project.objects.filter(code=options["project"].lower()).first()
        if project is None:
            raise CommandError(CollectCode.UNKNOWN_PROJECT.text(code=options["project"]))
        try:
            emails = project_managers_change(
                acting_user=None, project=project, add=options["add"], remove=options["remove"]
            )
        except ApplicationError as exc:
            raise CommandError(str(exc.message)) from exc
        for email in emails:
            self.stdout.write(email)

    def _publish(self, options: dict[str, Any]) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(_("No file %(path)s.") % {"path": path})
        try:
            with transaction.atomic():
                project = project_for_publishing(
                    acting_user=None,
                    code=options["project"],
                    country_iso3=options["country"],
                    name=options["name"],
                )
                publication = form_publish(
                    acting_user=None, project=project, name=path.name, content=path.read_bytes()
                )
                for media in options["media"]:
                    media_path = Path(media)
                    form_media_add(
                        acting_user=None,
                        form=publication.version.form,
                        filename=media_path.name,
                        content=media_path.read_bytes(),
                    )
        except ApplicationError as exc:
            for item in exc.extra.get("warnings", []):
                self.stderr.write(XlsformMessage(**item).text())
            for item in exc.extra.get("errors", []):
                self.stderr.write(XlsformMessage(**item).text())
            raise CommandError(str(exc.message)) from exc
        except OSError as exc:
            raise CommandError(str(exc)) from exc
        for warning in publication.warnings:
            self.stderr.write(warning.text())
        version = publication.version
        values = {
            "form_id": version.form.form_id,
            "version": version.version,
            "project": project.code,
        }
        if publication.created:
            self.stdout.write(
                _("Form %(form_id)s version “%(version)s” published in %(project)s.") % values
            )
        else:
            self.stdout.write(
                _("Form %(form_id)s version “%(version)s” was already published.") % values
            )

    def _list(self, options: dict[str, Any]) -> None:
        forms = Form.objects.select_related("project").order_by("project__code", "form_id")
        if options["project"]:
            forms = forms.filter(project__code=options["project"].lower())
        records = []
        for form in forms:
            current = form.current_version()
            records.append(
                {
                    "project": form.project.code,
                    "form_id": form.form_id,
                    "title": form.title,
                    "version": current.version if current else None,
                    "versions": form.versions.count(),
                    "submissions": form.submissions.count(),
                }
            )
        if options["format"] == "json":
            self.stdout.write(json.dumps(records, ensure_ascii=False))
            return
        for r in records:
            self.stdout.write(
                f"{r['project']}\t{r['form_id']}\t{r['version'] or ''}\t"
                f"{r['versions']}\t{r['submissions']}\t{r['title']}"
            )
