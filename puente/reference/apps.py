from django.apps import AppConfig


class ReferenceConfig(AppConfig):
    name = "puente.reference"
    label = "reference"
