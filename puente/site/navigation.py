"""The main menu: the areas of the site a user's roles open, each a link or a group of
links. It names pages of every app, so it sits in the top layer."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from puente.accounts.permissions import Action, Actor, user_can, user_can_somewhere
from puente.collect.navigation import collect_navigation
from puente.feedback.navigation import feedback_navigation
from puente.flows.navigation import flows_navigation


def user_navigation(user: Actor) -> list[dict[str, Any]]:
    """The main menu, by area: each entry a link ({"label", "url"}) or a group of links
    ({"label", "links": [{"label", "url"}, ...]}). A user sees the areas their roles open;
    an area left with one link is that link."""
    reports = user_can_somewhere(user, Action.VIEW_REPORTS)
    entries: list[dict[str, Any]] = []

    def link(name: str, label: Any) -> dict[str, str]:
        return {"url": reverse(name), "label": str(label)}

    def group(label: Any, items: list[dict[str, str]]) -> None:
        if len(items) == 1:
            entries.append(items[0])
        elif items:
            entries.append({"label": str(label), "links": items})

    if reports:
        entries.append(link("analytics:dashboard", _("Dashboard")))
        reporting = [
            link("reporting:rows", _("5W reports")),
            link("reporting:review", _("Review")),
        ]
        if user_can_somewhere(user, Action.LOCK_PERIOD):
            reporting.append(link("reporting:locks", _("Locked months")))
        group(_("Reporting"), reporting)
        group(
            _("Planning"),
            [
                link("plans:plans", _("Plans")),
                link("needs:needs", _("Needs")),
                link("funding:funding", _("Funding")),
                link("gap", _("Gaps")),
                *flows_navigation(user),
            ],
        )
    if user_can_somewhere(user, Action.VIEW_FEEDBACK):
        group(_("Feedback"), feedback_navigation())
    collect_label, collect_links = collect_navigation(user)
    group(collect_label, collect_links)
    if user_can(user, Action.VIEW_DIRECTORY):
        group(
            _("Reference"),
            [
                link("partners:directory", _("Partners")),
                link("reference:countries", _("Countries")),
                link("reference:sectors", _("Sectors and indicators")),
            ],
        )
    if user_can_somewhere(user, Action.MANAGE_ROLES):
        group(_("Admin"), [link("accounts:users", _("Users and roles"))])
    return entries
