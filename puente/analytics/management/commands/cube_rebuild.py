from typing import Any

from django.core.management.base import CommandParser

from puente.analytics.services.cube import cube_refresh
from puente.core.commands import PuenteCommand
from puente.reference.models import Country


class Command(PuenteCommand):
    help = "Rebuild the consolidated cube of a year for every country (or one)."

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--country", default=None, help="ISO3")

    def handle(self, *args: Any, **options: Any) -> None:
        countries = Country.objects.all()
        if options["country"]:
            countries = countries.filter(iso3=options["country"].upper())
        cells = cube_refresh(
            country_ids=list(countries.values_list("id", flat=True)), year=options["year"]
        )
        self.stdout.write(f"{cells} cells written for {options['year']}.")
