from django.apps import AppConfig


class PartnersConfig(AppConfig):
    name = "puente.partners"
    label = "partners"
