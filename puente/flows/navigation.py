"""Menu entries of the flow-monitoring pages (their labels live in this app's catalogue);
`puente.site.navigation.user_navigation` decides who sees them."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from puente.accounts.permissions import Actor, user_can_somewhere
from puente.flows.access import VIEW_FLOWS


def flows_navigation(user: Actor) -> list[dict[str, str]]:
    """The flows dashboard, for those who may read flow monitoring somewhere."""
    if not user_can_somewhere(user, VIEW_FLOWS):
        return []
    return [{"url": reverse("flows:dashboard"), "label": _("Flow monitoring")}]
