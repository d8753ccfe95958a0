"""`{% debug_banner %}`: every page of a server in debug mode says so."""

from __future__ import annotations

from django import template
from django.conf import settings
from django.utils.html import format_html
from django.utils.translation import gettext

register = template.Library()


@register.simple_tag
def debug_banner() -> str:
    if not settings.DEBUG:
        return ""
    return format_html(
        '<div class="debug-banner" role="alert">{}</div>',
        gettext(
            "Debug mode: this server runs on development keys and shows errors in detail. "
            "Do not enter real data."
        ),
    )
