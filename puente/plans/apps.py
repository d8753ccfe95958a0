from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "puente.plans"
    label = "plans"
