"""The main menu groups the pages by area, as drop-downs people can open with the
keyboard, and shows each role only the areas it works in."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def _menu(page: str) -> str:
    match = re.search(r'<nav class="mainnav".*?</nav>', page, re.S)
    return match.group(0) if match else ""


def _areas(menu: str) -> list[str]:
    """The top-level entries: an area's summary, or a link on its own."""
    entries = re.findall(
        r"<summary>([^<]+)</summary>|^\s*<li[^>]*><a [^>]*>([^<]+)</a>", menu, re.M
    )
    return [summary or link for summary, link in entries]


def _links(menu: str) -> list[str]:
    return re.findall(r'<a href="([^"]+)"', menu)


def test_regional_admin_menu_is_grouped_by_area(client, make_user):
    client.force_login(make_user("regional-admin", "region"))
    menu = _menu(client.get(reverse("home")).content.decode())
    assert _areas(menu) == [
        "Dashboard",
        "Reporting",
        "Planning",
        "Feedback",
        "Data collection",
        "Reference",
        "Users and roles",
    ]
    assert menu.count("<details>") == 5
    links = _links(menu)
    for name in (
        "reporting:rows",
        "reporting:review",
        "reporting:locks",
        "plans:plans",
        "needs:needs",
        "funding:funding",
        "gap",
        "feedback:list",
        "collect:projects",
        "collect:publish",
        "collect:quarantine",
        "partners:directory",
        "reference:countries",
        "reference:sectors",
        "accounts:users",
    ):
        assert reverse(name) in links


def test_partner_reporter_sees_no_locks_feedback_or_users(client, make_user, organisation):
    client.force_login(make_user("partner-reporter", f"organisation:{organisation.acronym}"))
    menu = _menu(client.get(reverse("home")).content.decode())
    assert _areas(menu) == ["Dashboard", "Reporting", "Planning", "Reference"]
    links = _links(menu)
    assert reverse("reporting:review") in links
    for hidden in ("reporting:locks", "feedback:list", "accounts:users"):
        assert reverse(hidden) not in links


def test_cfm_operator_menu(client, make_user):
    client.force_login(make_user("cfm-operator", "country:COL"))
    menu = _menu(client.get(reverse("home")).content.decode())
    assert _areas(menu) == ["Feedback", "Reference"]
    assert reverse("reporting:rows") not in _links(menu)


def test_anonymous_visitors_get_no_menu(client):
    assert _menu(client.get(reverse("home")).content.decode()) == ""


def test_the_page_shown_is_marked_current_with_its_area(client, make_user):
    client.force_login(make_user("regional-admin", "region"))
    menu = _menu(client.get(reverse("reference:countries")).content.decode())
    assert f'<a href="{reverse("reference:countries")}" aria-current="page">' in menu
    assert menu.count('aria-current="page"') == 1
    assert '<li class="navgroup current"><details>\n        <summary>Reference</summary>' in menu
