from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "puente.reporting"
    label = "reporting"
