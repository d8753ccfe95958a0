"""What plans announce to the apps above them."""

from django.dispatch import Signal

# Sent after a commit that changed targets (PlanningFigure): the dashboards read them
# (analytics connects its cache version in AnalyticsConfig.ready). Sender: PlanningFigure.
targets_changed = Signal()
