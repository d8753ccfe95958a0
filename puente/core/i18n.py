"""Names stored in the three working languages, chosen by the active language, and the
order people expect to read them in."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from django.db import models
from django.utils import translation

T = TypeVar("T")

WORKING_LANGUAGES = ("en", "es", "pt")


def active_language() -> str:
    code = (translation.get_language() or "en").split("-")[0]
    return code if code in WORKING_LANGUAGES else "en"


class TranslatedNameMixin(models.Model):
    name_en = models.CharField(max_length=255)
    name_es = models.CharField(max_length=255, blank=True)
    name_pt = models.CharField(max_length=255, blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return getattr(self, f"name_{active_language()}") or self.name_en

    def names(self) -> list[str]:
        return [n for n in (self.name_en, self.name_es, self.name_pt) if n]


def collation_key(text: str) -> tuple[str, str]:
    """A sort key for names in Spanish, Portuguese and English: accents and case are
    ignored first ("Ébano" before "Ecuador", "Perú" beside "Peru"), then break ties, so
    the order is stable. Unlike `locale.strxfrm`, it needs no system locale installed."""
    folded = unicodedata.normalize("NFKD", text.casefold())
    base = "".join(c for c in folded if not unicodedata.combining(c))
    return base, folded


def sorted_by_name(items: Iterable[T], name: Callable[[T], str] | None = None) -> list[T]:
    """`items` in the reading order of their names in the active language."""
    get_name: Callable[[Any], str] = name or (lambda item: str(item.name))
    return sorted(items, key=lambda item: collation_key(get_name(item)))
