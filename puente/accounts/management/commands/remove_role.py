from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _

from puente.accounts.models import RoleAssignment
from puente.accounts.services import role_revoke, scope_parse
from puente.core.commands import PuenteCommand
from puente.core.errors import ApplicationError


class Command(PuenteCommand):
    help = (
        "Remove a role from a user: puente remove-role EMAIL --role ROLE --scope KIND:CODE. "
        "The server's operator may remove any role, anyone's."
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

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            scope = scope_parse(options["scope"])
        except ApplicationError as exc:
            raise CommandError(str(exc.message)) from exc
        assignment = (
            RoleAssignment.objects.select_related("user")
            .filter(
                user__email__iexact=options["email"].strip(),
                role=options["role"],
                scope_key=scope.key,
            )
            .first()
        )
        if assignment is None:
            raise CommandError(
                _("%(email)s does not hold the role %(role)s over %(scope)s.")
                % {"email": options["email"], "role": options["role"], "scope": scope.key}
            )
        role_revoke(acting_user=None, assignment=assignment)
        self.stdout.write(f"{assignment.user.email}: {options['role']} @ {scope.key} removed")
