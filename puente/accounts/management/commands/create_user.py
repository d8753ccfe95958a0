from typing import Any

from django.core.management.base import CommandError, CommandParser

from puente.accounts.services import scope_parse, user_role_grant
from puente.core.commands import PuenteCommand
from puente.core.errors import ApplicationError


class Command(PuenteCommand):
    help = (
        "Create a user (or reuse an existing one) and give a role over a scope: "
        "puente create-user EMAIL --role ROLE --scope KIND:CODE"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("email")
        parser.add_argument("--role", required=True)
        parser.add_argument(
            "--scope",
            required=True,
            help="region, platform:CODE, country:ISO3, sector:ISO3/SECTOR, organisation:ACRONYM",
        )
        parser.add_argument(
            "--password", default=None, help="Password; one is generated and printed when omitted."
        )
        parser.add_argument("--name", default="", help="Full name")

    def handle(self, *args: Any, **options: Any) -> None:
        # The server's operator: any role, PSEA ones included (the first PSEA coordinator
        # is created here). All or nothing: a refused grant leaves no account.
        try:
            scope = scope_parse(options["scope"])
            user, _assignment, generated = user_role_grant(
                acting_user=None,
                email=options["email"],
                role=options["role"],
                scope=scope,
                password=options["password"],
                full_name=options["name"],
            )
        except ApplicationError as exc:
            raise CommandError(str(exc.message)) from exc
        self.stdout.write(f"{user.email}: {options['role']} @ {scope.key}")
        if generated:
            self.stdout.write(f"password: {generated}")
