"""Figures in pages: counts and money grouped the way each language writes them, and
fractions printed as percentages, one format per language.

Numbers are never grouped implicitly (`USE_THOUSAND_SEPARATOR` is off), so that years,
months and codes print as they are written ("2026", "2026-09"); a template groups a
figure only when it says so with `|figure`.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from babel import Locale
from babel.dates import format_date, format_skeleton
from babel.numbers import format_decimal, format_percent
from django import template

from puente.core.i18n import active_language

register = template.Library()

# CLDR locales of the three working languages; Spanish groups with "." as the response's
# Spanish-speaking countries write it (1.297.760), Portuguese is Brazil's.
BABEL_LOCALES = {"en": "en", "es": "es_CO", "pt": "pt_BR"}


def _decimal(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def figure_format(value: Any, decimals: int = 0, language: str | None = None) -> str:
    """1297760 -> "1,297,760" (en), "1.297.760" (es, pt). Empty for no value."""
    number = _decimal(value)
    if number is None:
        return ""
    locale = BABEL_LOCALES[language or active_language()]
    quantum = Decimal(1).scaleb(-decimals)
    number = number.quantize(quantum, rounding=ROUND_HALF_UP)
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    return format_decimal(number, format=pattern, locale=locale)


def percent_format(fraction: Any, decimals: int = 1, language: str | None = None) -> str:
    """0.292 -> "29.2%" (en), "29,2%" (es, pt): the language's own pattern, `decimals`
    digits after the separator. A fraction in, never a number already multiplied by 100."""
    number = _decimal(fraction)
    if number is None:
        return ""
    locale = BABEL_LOCALES[language or active_language()]
    pattern = Locale.parse(locale).percent_formats[None].pattern
    if decimals:
        pattern = pattern.replace("0", "0." + "0" * decimals, 1)
    quantum = Decimal(1).scaleb(-(decimals + 2))
    return format_percent(
        number.quantize(quantum, rounding=ROUND_HALF_UP), format=pattern, locale=locale
    )


@register.filter
def figure(value: Any, decimals: int = 0) -> str:
    return figure_format(value, int(decimals))


@register.filter
def percent(fraction: Any, decimals: int = 1) -> str:
    return percent_format(fraction, int(decimals))


DATE_SKELETONS = {"long": None, "month": "yMMMM", "day": "MMMMd", "short_month": "yMMM"}


def date_format_long(value: Any, kind: str = "long", language: str | None = None) -> str:
    """A date written out as each language writes it, from CLDR: "November 30, 2026",
    "30 de noviembre de 2026", "30 de novembro de 2026" (Portuguese month names are lower
    case; Django's own Portuguese catalogue capitalises them). `kind` "month" gives
    "novembro de 2026", "day" gives "30 de novembro", "short_month" "dez. de 2025" (chart
    axes). Empty for no date."""
    if not value:
        return ""
    locale = BABEL_LOCALES[language or active_language()]
    skeleton = DATE_SKELETONS[kind]
    if skeleton is None:
        return format_date(value, format="long", locale=locale)
    return format_skeleton(skeleton, value, locale=locale)


@register.filter
def long_date(value: Any, kind: str = "long") -> str:
    """`{{ plan.figures_as_of|long_date }}`; `|long_date:"month"` for a month and year."""
    return date_format_long(value, kind)


@register.filter
def per_cent(value: Any, decimals: int = 1) -> str:
    """A figure already in per cent (funding-summary's `percent_funded`, 29.2) printed as
    `|percent` prints the fraction 0.292."""
    number = _decimal(value)
    return "" if number is None else percent_format(number / 100, int(decimals))
