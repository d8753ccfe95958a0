from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "puente.demo"
    label = "demo"
