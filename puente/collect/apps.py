from django.apps import AppConfig


class CollectConfig(AppConfig):
    name = "puente.collect"
    label = "collect"
