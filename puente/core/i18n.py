"""Names stored in the three working languages, chosen by the active language."""

from django.db import models
from django.utils import translation

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
