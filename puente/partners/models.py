from django.db import models
from django.utils.translation import gettext_lazy as _

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

    name = models.CharField(_("name"), max_length=255)
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
    def is_national(self) -> bool:
        return self.type in self.NATIONAL_TYPES or self.migrant_led
