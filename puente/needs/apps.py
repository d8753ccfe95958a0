from django.apps import AppConfig


class NeedsConfig(AppConfig):
    name = "puente.needs"
    label = "needs"
