from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "puente.core"
    label = "core"
    verbose_name = "Puente core"

    def ready(self) -> None:
        from puente.core import checks

        checks.refuse_serving_command_without_keys()
