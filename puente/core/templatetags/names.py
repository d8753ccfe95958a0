"""Lists of named things in the order people read them."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import template

from puente.core.i18n import sorted_by_name

register = template.Library()


@register.filter
def by_name(items: Iterable[Any]) -> list[Any]:
    """`{% for c in org.countries.all|by_name %}`: sorted by name in the active language,
    accents and case aside."""
    return sorted_by_name(items)
