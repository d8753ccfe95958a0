from typing import Any

from django.utils.translation import gettext as _

from puente.core.commands import PuenteCommand
from puente.feedback.services.keys import feedback_keys_rotate


class Command(PuenteCommand):
    help = (
        "Re-encrypt every feedback item and attachment with the first key of PUENTE_FEEDBACK_KEYS."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        count = feedback_keys_rotate()
        self.stdout.write(
            _("%(count)s feedback item(s) re-encrypted with the first key.") % {"count": count}
        )
