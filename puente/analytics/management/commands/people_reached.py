from typing import Any

from django.core.management.base import CommandError, CommandParser

from puente.analytics.dashboard import ReachQueryInvalid, grouping_parse, reach_query_parse
from puente.analytics.selectors import (
    APART_MEASURES,
    GROUPINGS,
    figures_apart_records,
    people_reached,
)
from puente.core.commands import PuenteCommand

APART = APART_MEASURES

# Options read as the reach query's parameters of the same name.
QUERY_OPTIONS = ("year", "through", "country", "admin1", "sector", "population_group", "org")


class Command(PuenteCommand):
    help = (
        "People reached without double counting: monthly and consolidated (year to date) "
        "figures, by country, admin1, sector and/or population group; --measure shows "
        "people trained, outputs per unit or stocks instead, each apart."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("--year", required=True, help="YYYY")
        parser.add_argument("--through", required=True, help="YYYY-MM, a month of --year")
        parser.add_argument("--country", default=None, help="ISO3")
        parser.add_argument("--admin1", default=None, help="ISO 3166-2")
        parser.add_argument("--sector", default=None, help="sector code")
        parser.add_argument("--population-group", default=None, help="population group code")
        parser.add_argument("--org", default=None, help="appealing organisation's acronym")
        parser.add_argument("--by", default="", help=f"comma separated: {','.join(GROUPINGS)}")
        parser.add_argument(
            "--measure",
            choices=["people-reached", *APART],
            default="people-reached",
            help="people-reached (the rule), people-trained, outputs (per unit) or stocks",
        )
        parser.add_argument("--format", choices=["csv", "json"], default="csv")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            query = reach_query_parse(
                {name: options.get(name) for name in QUERY_OPTIONS}, period_required=True
            )
            by = grouping_parse(options["by"])
        except ReachQueryInvalid as error:
            # One line per wrong option, named as typed on the command line.
            raise CommandError(
                "\n".join(
                    f"--{name.replace('_', '-')}: {message}"
                    for name, message in error.messages().items()
                )
            ) from error
        measure = options["measure"]
        if measure in APART:
            if by:
                raise CommandError("--by: only people reached are grouped.")
            self._apart(query, measure, options["format"])
            return
        rows = people_reached(year=query.year, month=query.month, by=by, filters=query.filters())
        records = [
            {
                **{b: row[b] for b in by},
                "monthly": row["monthly"],
                "consolidated": row["consolidated"],
            }
            for row in rows
        ]
        self.print_records(
            records, fieldnames=[*by, "monthly", "consolidated"], output_format=options["format"]
        )

    def _apart(self, query: Any, measure: str, output_format: str) -> None:
        records = figures_apart_records(
            measure, year=query.year, month=query.month, filters=query.filters()
        )
        self.print_records(records, fieldnames=APART[measure], output_format=output_format)
