"""What the needs analysis announces to the apps above it."""

from django.dispatch import Signal

# Sent after a commit that changed people in need (NeedFigure): the dashboards read them
# (analytics connects its cache version in AnalyticsConfig.ready). Sender: NeedFigure.
needs_changed = Signal()
