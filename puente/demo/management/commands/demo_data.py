from typing import Any

from django.core.management.base import CommandParser

from puente.core.commands import PuenteCommand
from puente.demo.services import DEMO_COLLECT_PROJECT, DEMO_PASSWORD, demo_data_create


class Command(PuenteCommand):
    help = "Load a realistic, deterministic demo response and print the demo logins."

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("--seed", type=int, default=2025)

    def handle(self, *args: Any, **options: Any) -> None:
        organisations, users, reports = demo_data_create(seed=options["seed"])
        self.stdout.write(f"{len(organisations)} appealing partners in the demo response.")
        self.stdout.write(
            f"{reports['rows']:,} 5W rows over {reports['months']} months "
            f"({reports['returned']} returned for correction)."
        )
        planning = reports["planning"]
        self.stdout.write(
            f"{planning['plans']} plans (IOM's appeal and the RMRP with "
            f"{planning['entries']:,} partner entries), {planning['needs']:,} people-in-need "
            f"figures, {planning['contributions']:,} contributions."
        )
        flows = reports["flows"]
        self.stdout.write(
            f"{flows['points']} flow-monitoring points with {flows['counts']:,} daily counts "
            f"and {flows['surveys']:,} surveys written, and {flows['survey_submissions']:,} "
            f"surveys and {flows['tally_sheets']:,} daily tally sheets submitted to the "
            f"data-collection project {DEMO_COLLECT_PROJECT}."
        )
        self.stdout.write("")
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD})")
        for user in users:
            line = f"  {user.email:34} {user.role:20} {user.scope}"
            if user.totp_key:
                line += f"   TOTP key: {user.totp_key}"
            self.stdout.write(line)
        self.stdout.write(
            "Roles marked with a TOTP key sign in with a second step: add the key to "
            "an authenticator app (or run `oathtool --totp -b KEY`)."
        )
