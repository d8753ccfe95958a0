from django.apps import AppConfig


class FundingConfig(AppConfig):
    name = "puente.funding"
    label = "funding"
