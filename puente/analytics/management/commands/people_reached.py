from typing import Any

from django.core.management.base import CommandError, CommandParser

from puente.analytics.selectors import GROUPINGS, ReachFilters, people_reached
from puente.core.commands import PuenteCommand
from puente.reference.models import Country
from puente.reporting.services.validation import parse_month


class Command(PuenteCommand):
    help = (
        "People reached without double counting: monthly and consolidated (year to date) "
        "figures, by country, admin1, sector and/or population group."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--through", required=True, help="YYYY-MM, a month of --year")
        parser.add_argument("--country", default=None, help="ISO3")
        parser.add_argument("--by", default="", help=f"comma separated: {','.join(GROUPINGS)}")
        parser.add_argument("--format", choices=["csv", "json"], default="csv")

    def handle(self, *args: Any, **options: Any) -> None:
        month = parse_month(options["through"])
        if month is None or month.year != options["year"]:
            raise CommandError("--through must be a month (YYYY-MM) of --year")
        by = [b.strip() for b in options["by"].split(",") if b.strip()]
        unknown = set(by) - set(GROUPINGS)
        if unknown:
            raise CommandError(
                f"--by takes {', '.join(GROUPINGS)}; not {', '.join(sorted(unknown))}"
            )
        filters = ReachFilters()
        if options["country"]:
            country = Country.objects.filter(iso3=options["country"].upper()).first()
            if country is None:
                raise CommandError(f"Unknown country {options['country']}")
            filters = ReachFilters(country_ids=(country.pk,))
        rows = people_reached(year=options["year"], month=month.month, by=by, filters=filters)
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
