"""The needs analysis (RMNA) of a year: how many refugees and migrants live in each
country, with what status, and how many of them are in need, where, of what."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from puente.reference.models import Admin1, Country, PopulationGroup, Sector


class PopulationFigure(models.Model):
    """People of a population group living in (or moving through) a country in a year;
    of them, how many hold a regular status and how many do not, where known."""

    year = models.PositiveSmallIntegerField(_("year"))
    country = models.ForeignKey(Country, on_delete=models.CASCADE, related_name="+")
    population_group = models.ForeignKey(
        PopulationGroup, on_delete=models.CASCADE, related_name="+"
    )
    population = models.PositiveBigIntegerField(_("population"))
    regular = models.PositiveBigIntegerField(_("regular status"), null=True, blank=True)
    irregular = models.PositiveBigIntegerField(_("irregular status"), null=True, blank=True)

    class Meta:
        ordering = ["year", "country__iso3", "population_group__position"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "country", "population_group"], name="unique_population_figure"
            )
        ]


class NeedFigure(models.Model):
    """People in need of one sector's help, in a country (admin1 empty: the country as a
    whole) and population group, with the severity of their needs from 1 to 5."""

    year = models.PositiveSmallIntegerField(_("year"))
    country = models.ForeignKey(Country, on_delete=models.CASCADE, related_name="+")
    admin1 = models.ForeignKey(
        Admin1, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    sector = models.ForeignKey(Sector, on_delete=models.CASCADE, related_name="+")
    population_group = models.ForeignKey(
        PopulationGroup, on_delete=models.CASCADE, related_name="+"
    )
    people_in_need = models.PositiveBigIntegerField(_("people in need"))
    severity = models.PositiveSmallIntegerField(
        _("severity"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )

    class Meta:
        ordering = ["year", "country__iso3", "admin1__iso_code", "sector__position"]
        indexes = [models.Index(fields=["year", "country"])]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "country", "admin1", "sector", "population_group"],
                condition=Q(admin1__isnull=False),
                name="unique_need_figure_admin1",
            ),
            models.UniqueConstraint(
                fields=["year", "country", "sector", "population_group"],
                condition=Q(admin1__isnull=True),
                name="unique_need_figure_country",
            ),
            models.CheckConstraint(
                condition=Q(severity__isnull=True) | Q(severity__gte=1, severity__lte=5),
                name="need_severity_1_to_5",
            ),
        ]
