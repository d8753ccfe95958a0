"""Menu entries of the data-collection pages (their labels live in this app's catalogue);
`puente.site.navigation.user_navigation` places them."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from puente.accounts.models import User
from puente.accounts.permissions import Action, Actor, user_can_somewhere


def collect_navigation(user: Actor) -> tuple[str, list[dict[str, str]]]:
    """The menu group of data collection for `user`: ("", []) when they see none of it.
    Shown to those who see collected data by scope or manage a project."""
    manages = user_can_somewhere(user, Action.MANAGE_FORMS)
    sees = (
        manages
        or user_can_somewhere(user, Action.VIEW_COLLECTED)
        or (isinstance(user, User) and user.managed_collect_projects.exists())
    )
    if not sees:
        return "", []
    links = [{"url": reverse("collect:projects"), "label": _("Forms")}]
    if manages:
        links.append({"url": reverse("collect:publish"), "label": _("Publish a form")})
        links.append({"url": reverse("collect:quarantine"), "label": _("Quarantine")})
    return _("Data collection"), links
