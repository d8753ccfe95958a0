from django.apps import AppConfig


class FeedbackConfig(AppConfig):
    name = "puente.feedback"
    label = "feedback"
