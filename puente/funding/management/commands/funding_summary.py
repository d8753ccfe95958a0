from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _

from puente.core.commands import PuenteCommand
from puente.core.filters import year_parse
from puente.funding.selectors import GROUPINGS, funding_summary
from puente.plans.models import Plan

MEASURES = ["requirement_usd", "funded_usd", "pledged_usd", "percent_funded"]


class Command(PuenteCommand):
    help = (
        "Funding against requirement of a plan, pass-through flows counted once: "
        "by country, sector and/or organisation."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("--plan", required=True, help="the plan's code")
        parser.add_argument("--by", default="", help=f"comma separated: {','.join(GROUPINGS)}")
        parser.add_argument("--year", default=None, help="one year of the plan (YYYY)")
        parser.add_argument("--format", choices=["csv", "json"], default="csv")

    def handle(self, *args: Any, **options: Any) -> None:
        plan = Plan.objects.filter(code__iexact=options["plan"]).first()
        if plan is None:
            codes = ", ".join(Plan.objects.order_by("code").values_list("code", flat=True))
            raise CommandError(
                _("Unknown plan %(plan)s. Plans: %(codes)s.")
                % {"plan": options["plan"], "codes": codes or _("none yet")}
            )
        by = [b.strip() for b in options["by"].split(",") if b.strip()]
        unknown = set(by) - set(GROUPINGS)
        if unknown:
            raise CommandError(
                f"--by takes {', '.join(GROUPINGS)}; not {', '.join(sorted(unknown))}"
            )
        try:
            year = year_parse(options["year"]) if options["year"] else None
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        rows = funding_summary(plan, by=by, year=year)
        self.print_records(rows, fieldnames=[*by, *MEASURES], output_format=options["format"])
