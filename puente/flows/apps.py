from django.apps import AppConfig


class FlowsConfig(AppConfig):
    name = "puente.flows"
    label = "flows"

    def ready(self) -> None:
        # The collection server (a layer below) announces submissions; flows listens.
        from puente.collect.signals import submission_changed
        from puente.flows.receivers import submission_changed_receive

        submission_changed.connect(
            submission_changed_receive, dispatch_uid="flows.submission_changed"
        )
