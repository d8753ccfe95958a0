import json
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _

from puente.core.commands import PuenteCommand
from puente.core.errors import ApplicationError
from puente.core.filters import year_parse
from puente.core.templatetags.figures import figure_format, percent_format
from puente.flows.planning import (
    flows_planning_compute,
    flows_planning_write,
    month_parse,
)
from puente.reference.selectors import country_lookup


class Command(PuenteCommand):
    help = (
        "Planning figures for people in transit computed from a period of flow monitoring: "
        "population, people in need per sector and, with --target-share, targets; printed, "
        "and written to the needs analysis and targets with --write (docs/methodology.md)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("--country", required=True, help="ISO3 code, e.g. COL")
        parser.add_argument(
            "--from", dest="start", required=True, help="first month counted (YYYY-MM)"
        )
        parser.add_argument("--to", dest="end", required=True, help="last month counted (YYYY-MM)")
        parser.add_argument(
            "--year", default=None, help="the plan year (YYYY; default: the year after --to)"
        )
        parser.add_argument(
            "--target-share",
            default=None,
            help="share of people in need the plan targets (0 to 1, e.g. 0.6): targets too",
        )
        parser.add_argument(
            "--write",
            action="store_true",
            help="write the figures to the needs analysis (and targets)",
        )
        parser.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args: Any, **options: Any) -> None:
        country = country_lookup().get(options["country"].strip().lower())
        if country is None:
            raise CommandError(
                _("“%(value)s” is not one of the response's countries.")
                % {"value": options["country"]}
            )
        target_share = None
        if options["target_share"] is not None:
            try:
                target_share = Decimal(options["target_share"].replace(",", "."))
            except InvalidOperation:
                target_share = None
            if target_share is None or not Decimal(0) <= target_share <= Decimal(1):
                raise CommandError(
                    _("--target-share takes a share from 0 to 1, e.g. 0.6; not %(value)s.")
                    % {"value": options["target_share"]}
                )
        try:
            start = month_parse(options["start"])
            end = month_parse(options["end"], last_day=True)
            year = year_parse(options["year"]) if options["year"] else end.year + 1
            planning = flows_planning_compute(
                country=country, start=start, end=end, year=year, target_share=target_share
            )
            if options["write"]:
                flows_planning_write(planning=planning, acting_user=None)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        except ApplicationError as exc:
            raise CommandError(f"{exc.message} ({exc.code})") from exc
        if options["format"] == "json":
            self.stdout.write(json.dumps({**planning.as_dict(), "written": options["write"]}))
            return
        self._print(planning, written=options["write"])

    def _print(self, planning: Any, *, written: bool) -> None:
        lines = [
            _("People in transit in %(country)s, plan year %(year)s, from %(start)s to %(end)s")
            % {
                "country": planning.country.name,
                "year": planning.year,
                "start": planning.start.isoformat(),
                "end": planning.end.isoformat(),
            },
            _(
                "Entries at %(points)s border crossings: %(entries)s over %(days)s days counted "
                "(%(nationals)s nationals left out)"
            )
            % {
                "points": figure_format(planning.points),
                "entries": figure_format(planning.entries),
                "days": figure_format(planning.count_days),
                "nationals": figure_format(planning.nationals),
            },
            _("Average daily entries: %(average)s")
            % {"average": figure_format(planning.average_daily, 2)},
            _("Transit share: %(share)s of %(people)s people surveyed (%(surveys)s surveys)")
            % {
                "share": percent_format(planning.transit_share),
                "people": figure_format(planning.surveyed_people),
                "surveys": figure_format(planning.surveys),
            },
            _("People in transit: %(population)s")
            % {"population": figure_format(planning.population)},
        ]
        for sector, people in planning.people_in_need.items():
            line = _("People in need, %(sector)s: %(people)s (%(share)s)") % {
                "sector": sector,
                "people": figure_format(people),
                "share": percent_format(planning.need_shares[sector]),
            }
            if sector in planning.targets:
                line += " · " + _("target %(target)s") % {
                    "target": figure_format(planning.targets[sector])
                }
            lines.append(line)
        if written:
            lines.append(_("Written to the needs analysis and targets."))
        else:
            lines.append(_("Nothing written (add --write to write the figures)."))
        self.stdout.write("\n".join(lines))
