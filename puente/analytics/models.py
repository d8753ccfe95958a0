"""The consolidated cube: people reached without double counting, kept current per
country and month as 5W rows are validated, replaced or imported. Dashboards, the API and
the CLI read it; nobody scans the raw 5W table per request."""

from django.db import models

from puente.reference.models import Admin1, Country, PopulationGroup, Sector


class ReachCell(models.Model):
    """Consolidated figures of one country, admin-1 area, sector and population group for
    the months of `year` up to and including `month`.

    `sector` empty is the inter-sector figure X(c,a,g); otherwise S(c,a,s,g), where a parent
    sector (Protection) holds the combination over itself and its sub-sectors."""

    year = models.PositiveSmallIntegerField()
    month = models.PositiveSmallIntegerField()
    country = models.ForeignKey(Country, on_delete=models.CASCADE, related_name="+")
    admin1 = models.ForeignKey(Admin1, on_delete=models.CASCADE, related_name="+")
    sector = models.ForeignKey(
        Sector, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    population_group = models.ForeignKey(
        PopulationGroup, on_delete=models.CASCADE, related_name="+"
    )
    consolidated = models.BigIntegerField(default=0)
    monthly = models.BigIntegerField(default=0)
    # Sums of the sex/age breakdown of the contributing rows, for proportional splits.
    girls = models.BigIntegerField(default=0)
    boys = models.BigIntegerField(default=0)
    women = models.BigIntegerField(default=0)
    men = models.BigIntegerField(default=0)
    other = models.BigIntegerField(default=0)
    cva_value_usd = models.DecimalField(max_digits=16, decimal_places=2, default=0)

    class Meta:
        indexes = [
            models.Index(fields=["year", "month", "country"], name="cube_period_country"),
            models.Index(fields=["year", "month", "sector"], name="cube_period_sector"),
        ]

    def __str__(self) -> str:
        return f"{self.year}-{self.month:02d} {self.country_id}/{self.admin1_id}"


class CubeState(models.Model):
    """When each country's part of the cube was last rebuilt, and from which month."""

    country = models.ForeignKey(Country, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    refreshed_at = models.DateTimeField(auto_now=True)
    rows = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["country", "year"], name="unique_cube_state")
        ]
