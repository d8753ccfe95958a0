from typing import Any

from django.apps import AppConfig
from django.core import checks


class FeedbackConfig(AppConfig):
    name = "puente.feedback"
    label = "feedback"

    def ready(self) -> None:
        checks.register(feedback_keys_check, checks.Tags.security, deploy=True)


def feedback_keys_check(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """`puente check --deploy`: a server needs its own feedback keys."""
    from django.conf import settings

    from puente.core.errors import ApplicationError
    from puente.feedback.services.crypto import feedback_fernet

    if not settings.PUENTE_FEEDBACK_KEYS:
        return [
            checks.Warning(
                "PUENTE_FEEDBACK_KEYS is not set: feedback cannot be stored on a server.",
                hint="Set one or more Fernet keys (docs/feedback.md).",
                id="feedback.W001",
            )
        ]
    try:
        feedback_fernet()
    except ApplicationError:
        return [
            checks.Error(
                "PUENTE_FEEDBACK_KEYS holds a key that is not a Fernet key.",
                id="feedback.E001",
            )
        ]
    return []
