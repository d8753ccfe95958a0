"""Menu entries of the feedback pages (their labels live in this app's catalogue);
`puente.site.navigation.user_navigation` decides who sees them."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _


def feedback_navigation() -> list[dict[str, str]]:
    return [
        {"url": reverse("feedback:list"), "label": _("Feedback")},
        {"url": reverse("feedback:dashboard"), "label": _("Feedback dashboard")},
    ]
