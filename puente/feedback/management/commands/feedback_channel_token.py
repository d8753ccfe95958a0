from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _

from puente.core.commands import PuenteCommand
from puente.feedback.models import FeedbackChannel
from puente.feedback.services.channels import channel_token_create


class Command(PuenteCommand):
    help = "Create a new API token for a feedback channel and print it once."

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("channel", help="Channel code, e.g. whatsapp")

    def handle(self, *args: Any, **options: Any) -> None:
        channel = FeedbackChannel.objects.filter(code=options["channel"]).first()
        if channel is None:
            codes = ", ".join(FeedbackChannel.objects.values_list("code", flat=True))
            raise CommandError(
                _("Unknown channel %(code)s. Channels: %(codes)s")
                % {"code": options["channel"], "codes": codes}
            )
        token = channel_token_create(acting_user=None, channel=channel)
        self.stderr.write(
            _("New token of channel %(code)s (the previous one no longer works):")
            % {"code": channel.code}
        )
        self.stdout.write(token)
