from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.db import transaction

from puente.accounts.services import role_assign, scope_parse, user_create
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
        try:
            with transaction.atomic():
                scope = scope_parse(options["scope"])
                user, generated = user_create(
                    acting_user=None,
                    email=options["email"],
                    password=options["password"],
                    full_name=options["name"],
                )
                role_assign(acting_user=None, user=user, role=options["role"], scope=scope)
        except ApplicationError as exc:
            raise CommandError(str(exc.message)) from exc
        self.stdout.write(f"{user.email}: {options['role']} @ {scope.key}")
        if generated:
            self.stdout.write(f"password: {generated}")
