from django.db import models
from django.utils.translation import gettext_lazy as _

from puente.core.i18n import TranslatedNameMixin


class Country(TranslatedNameMixin):
    iso2 = models.CharField(max_length=2, unique=True)
    iso3 = models.CharField(max_length=3, unique=True)

    class Meta:
        ordering = ["name_en"]
        verbose_name = _("country")
        verbose_name_plural = _("countries")


class Platform(TranslatedNameMixin):
    class Kind(models.TextChoices):
        REGIONAL = "regional", _("Regional")
        NATIONAL = "national", _("National")
        SUBREGIONAL = "subregional", _("Sub-regional")

    code = models.SlugField(max_length=64, unique=True)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    countries = models.ManyToManyField(Country, related_name="platforms")

    class Meta:
        ordering = ["kind", "name_en"]
        verbose_name = _("platform")


# What ISO 3166-2 calls the first-level subdivisions of the plan's countries, as pages
# show it; a kind not listed here is shown as stored.
ADMIN1_KINDS = {
    "Borough": _("Borough"),
    "Capital": _("Capital"),
    "Capital district": _("Capital district"),
    "City": _("City"),
    "Country": _("Country"),
    "Department": _("Department"),
    "District": _("District"),
    "Federal district": _("Federal district"),
    "Federal entity": _("Federal entity"),
    "Indigenous region": _("Indigenous region"),
    "Municipality": _("Municipality"),
    "Province": _("Province"),
    "Region": _("Region"),
    "State": _("State"),
    "Ward": _("Ward"),
}

# Units of the default indicators (reference/data/indicators.csv), as pages show them; a
# unit not listed here is shown as stored.
INDICATOR_UNITS = {
    "people": _("people"),
    "activities": _("activities"),
    "consultations": _("consultations"),
    "doses": _("doses"),
    "facilities": _("facilities"),
    "kits": _("kits"),
    "meals": _("meals"),
    "spaces": _("spaces"),
    "USD": _("USD"),
}


class Admin1(models.Model):
    """A first-level subdivision: an ISO 3166-2 code, a P-code when known, a parent."""

    country = models.ForeignKey(Country, on_delete=models.CASCADE, related_name="admin1_areas")
    iso_code = models.CharField(max_length=16, unique=True)
    pcode = models.CharField(max_length=32, blank=True, db_index=True)
    name = models.CharField(max_length=255)
    kind = models.CharField(max_length=64, blank=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children"
    )

    class Meta:
        ordering = ["country__name_en", "name"]
        verbose_name = _("admin-1 area")

    def __str__(self) -> str:
        return self.name

    @property
    def kind_label(self) -> str:
        return str(ADMIN1_KINDS.get(self.kind, self.kind))


class Admin2(models.Model):
    """A second-level subdivision (municipality, province, canton) known by its P-code,
    inside one admin-1 area. A country has admin-2 areas only once a list is loaded for
    it (`puente load-areas`); 5W rows of such a country name one of them."""

    country = models.ForeignKey(Country, on_delete=models.CASCADE, related_name="admin2_areas")
    admin1 = models.ForeignKey(Admin1, on_delete=models.CASCADE, related_name="admin2_areas")
    pcode = models.CharField(_("P-code"), max_length=32, unique=True)
    name = models.CharField(max_length=255)

    class Meta:
        ordering = ["country__name_en", "admin1__name", "name"]
        verbose_name = _("admin-2 area")
        verbose_name_plural = _("admin-2 areas")

    def __str__(self) -> str:
        return self.name


class Boundary(models.Model):
    """A simplified polygon for choropleth maps (GeoJSON geometry, WGS84)."""

    admin1 = models.OneToOneField(Admin1, on_delete=models.CASCADE, related_name="boundary")
    geometry = models.JSONField()
    source = models.CharField(max_length=255)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("boundary")


class Sector(TranslatedNameMixin):
    code = models.CharField(max_length=16, unique=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="subsectors"
    )
    position = models.PositiveSmallIntegerField(default=0)
    # Common Services (coordination, information management, communication, AAP, PSEA)
    # serve the response, not people: they have no people in need and stay out of every
    # inter-sector figure (people in need, targets, people reached; docs/methodology.md).
    in_intersector = models.BooleanField(
        _("counted in inter-sector figures"),
        default=True,
        help_text=_(
            "Off for sectors without people in need of their own (Common Services): they "
            "take no people in need and stay out of inter-sector figures."
        ),
    )

    class Meta:
        ordering = ["position", "code"]
        verbose_name = _("sector")


class PopulationGroup(TranslatedNameMixin):
    code = models.SlugField(max_length=32, unique=True)
    position = models.PositiveSmallIntegerField(default=0)
    # Where the group applies (group_countries): people in transit everywhere but the
    # Caribbean, Colombian returnees in Colombia. A group with no country applies nowhere.
    countries = models.ManyToManyField(
        Country, blank=True, related_name="population_groups", verbose_name=_("countries")
    )

    class Meta:
        ordering = ["position"]
        verbose_name = _("population group")


class Measure(models.TextChoices):
    """What an indicator counts (docs/methodology.md, "What is counted"): people reached
    (the people-reached rule), people trained (staff, teachers, officials: summed apart,
    never people reached), an output in its unit (kits, meals, US$: summed within one
    unit), or a stock (a level at a date, such as support spaces operating: its latest
    value in a period, never a sum over months)."""

    PEOPLE_REACHED = "people-reached", _("People reached")
    PEOPLE_TRAINED = "people-trained", _("People trained")
    OUTPUT = "output", _("Output")
    STOCK = "stock", _("Stock")


class Indicator(TranslatedNameMixin):
    code = models.CharField(max_length=32, unique=True)
    sector = models.ForeignKey(Sector, on_delete=models.PROTECT, related_name="indicators")
    subsector = models.ForeignKey(
        Sector, null=True, blank=True, on_delete=models.PROTECT, related_name="subsector_indicators"
    )
    unit = models.CharField(max_length=64)
    measure = models.CharField(
        _("measure"), max_length=16, choices=Measure.choices, default=Measure.PEOPLE_REACHED
    )
    # In force (in_force_years): from first_year to last_year (None: open-ended), in the
    # countries listed and those of the platforms listed (neither listed: everywhere).
    first_year = models.PositiveSmallIntegerField(_("first year"), null=True, blank=True)
    last_year = models.PositiveSmallIntegerField(_("last year"), null=True, blank=True)
    countries = models.ManyToManyField(
        Country, blank=True, related_name="indicators", verbose_name=_("countries")
    )
    platforms = models.ManyToManyField(
        Platform, blank=True, related_name="indicators", verbose_name=_("platforms")
    )

    class Meta:
        ordering = ["sector__position", "code"]
        verbose_name = _("indicator")

    @property
    def unit_label(self) -> str:
        return str(INDICATOR_UNITS.get(self.unit, self.unit))

    @property
    def counts_people(self) -> bool:
        """Its figures are people (reached or trained): a 5W row gives people, not a
        quantity. Only people reached enter the people-reached rule."""
        return self.measure in (Measure.PEOPLE_REACHED, Measure.PEOPLE_TRAINED)

    @property
    def reporting_sector(self) -> Sector:
        """The sector figures are consolidated under: the sub-sector when there is one."""
        return self.subsector or self.sector
