"""Countries of the world by ISO 3166-1 code, for nationalities and intended destinations:
people counted at a point come from, and go to, countries beyond the response's 17
(Venezuela first of all). Names in English, Spanish and Portuguese come from the CLDR
(babel); codes from pycountry."""

from __future__ import annotations

from functools import cache

import pycountry
from babel import Locale

from puente.core.i18n import active_language
from puente.core.tabular import normalize_value

LOCALES = {"en": "en", "es": "es", "pt": "pt_BR"}


@cache
def _names(language: str) -> dict[str, str]:
    """ISO3 -> the country's name in `language`."""
    territories = Locale.parse(LOCALES.get(language, "en")).territories
    names = {}
    for country in pycountry.countries:
        names[country.alpha_3] = territories.get(country.alpha_2) or country.name
    return names


@cache
def nation_table() -> dict[str, str]:
    """Normalised text -> ISO3: the alpha-3 and alpha-2 codes, and the names in English
    (pycountry's official, common and short ones, and the CLDR's), Spanish and Portuguese."""
    table: dict[str, str] = {}
    for country in pycountry.countries:
        for text in (
            country.alpha_3,
            country.alpha_2,
            country.name,
            getattr(country, "common_name", ""),
            getattr(country, "official_name", ""),
        ):
            if text:
                table.setdefault(normalize_value(text), country.alpha_3)
    for language in LOCALES:
        for iso3, name in _names(language).items():
            table.setdefault(normalize_value(name), iso3)
    return table


def nation_code(text: str) -> str | None:
    """'Venezuela', 'VE', 'ven', 'Venezuela, Bolivarian Republic of' -> 'VEN'."""
    return nation_table().get(normalize_value(text))


def nation_name(iso3: str) -> str:
    """The country's name in the active language ('Brasil' in es, 'Brazil' in en)."""
    return _names(active_language()).get(iso3, iso3)
