from django.apps import AppConfig


class FlowsConfig(AppConfig):
    name = "puente.flows"
    label = "flows"
