from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "puente.analytics"
    label = "analytics"
