from django.db import models
from django.utils.translation import gettext_lazy as _

from puente.core.i18n import active_language
from puente.reference.models import Country


class Organisation(models.Model):
    class Type(models.TextChoices):
        UN_AGENCY = "un-agency", _("UN agency")
        INGO = "ingo", _("International NGO")
        NATIONAL_NGO = "national-ngo", _("National NGO/CSO")
        FAITH_BASED = "faith-based", _("Faith-based organisation")
        REFUGEE_MIGRANT_LED = "refugee-migrant-led", _("Refugee/migrant-led organisation")
        RED_CROSS = "red-cross", _("Red Cross/Red Crescent")
        ACADEMIA = "academia", _("Academia")
        IFI = "ifi", _("International financial institution")
        GOVERNMENT = "government", _("Government")
        PRIVATE_SECTOR = "private-sector", _("Private sector")

    # National/local actors for the localisation figures (docs/methodology.md).
    NATIONAL_TYPES = frozenset({Type.NATIONAL_NGO, Type.REFUGEE_MIGRANT_LED})

    # `name` is the name the organisation registered with (the import's key besides the
    # acronym, searched and exported as is); `name_es` and `name_pt` are its names in
    # Spanish and Portuguese where it has them (IOM: OIM, UNHCR: ACNUR). Pages show
    # `display_name`. Not TranslatedNameMixin: `name` is a stored column queries use.
    name = models.CharField(_("name"), max_length=255)
    name_es = models.CharField(_("name in Spanish"), max_length=255, blank=True)
    name_pt = models.CharField(_("name in Portuguese"), max_length=255, blank=True)
    acronym = models.CharField(_("acronym"), max_length=64, unique=True)
    type = models.CharField(_("type"), max_length=32, choices=Type.choices)
    migrant_led = models.BooleanField(_("refugee/migrant-led"), default=False)
    women_led = models.BooleanField(_("women-led"), default=False)
    appealing = models.BooleanField(_("appealing"), default=False)
    countries = models.ManyToManyField(
        Country, related_name="organisations", verbose_name=_("countries of operation")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["acronym"]
        verbose_name = _("organisation")
        indexes = [models.Index(fields=["type"]), models.Index(fields=["appealing"])]

    def __str__(self) -> str:
        return self.acronym

    @property
    def display_name(self) -> str:
        """The name in the active language, else the registered name."""
        language = active_language()
        translated = getattr(self, f"name_{language}", "") if language != "en" else ""
        return translated or self.name

    def names(self) -> list[str]:
        return [n for n in (self.name, self.name_es, self.name_pt) if n]

    @property
    def is_national(self) -> bool:
        return self.type in self.NATIONAL_TYPES or self.migrant_led
