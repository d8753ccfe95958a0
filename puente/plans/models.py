"""Response plans: the inter-agency RMRP, which partners fill with their entries per
country and sector, and agency appeals (such as IOM's) with objectives, activity areas,
and the funding each area requires in each country."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from puente.core.i18n import TranslatedNameMixin, active_language
from puente.partners.models import Organisation
from puente.reference.models import Admin1, Country, Indicator, PopulationGroup, Sector


class Plan(TranslatedNameMixin):
    class Kind(models.TextChoices):
        INTER_AGENCY = "inter-agency", _("Inter-agency plan")
        AGENCY = "agency", _("Agency appeal")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    class Split(models.TextChoices):
        """Whether the requirement and people targeted by country and activity area are
        the source's own figures, or an illustration of totals the source gives alone."""

        PUBLISHED = "published", _("Published by the source")
        ILLUSTRATIVE = "illustrative", _("Illustrative")

    code = models.SlugField(_("code"), max_length=64, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    organisation = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="plans",
        help_text=_("The appealing organisation of an agency appeal."),
    )
    part_of = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="agency_appeals",
        verbose_name=_("part of"),
        help_text=_(
            "The inter-agency plan an agency appeal is its organisation's part of: its "
            "lines meet that organisation's entries there, and money given to either is "
            "counted once."
        ),
    )
    start_year = models.PositiveSmallIntegerField(_("first year"))
    end_year = models.PositiveSmallIntegerField(_("last year"))
    countries = models.ManyToManyField(Country, related_name="plans")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    figures_as_of = models.DateField(_("figures as of"), null=True, blank=True)
    source = models.CharField(
        _("source"),
        max_length=300,
        blank=True,
        help_text=_("The document the requirement and people targeted come from."),
    )
    split = models.CharField(
        _("split by country and activity area"),
        max_length=16,
        choices=Split.choices,
        default=Split.PUBLISHED,
    )
    long_term_share = models.DecimalField(
        _("share of funding for long-term outcomes (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-start_year", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_year__gte=models.F("start_year")), name="plan_years"
            ),
            models.CheckConstraint(
                condition=Q(long_term_share__isnull=True)
                | Q(long_term_share__gte=0, long_term_share__lte=100),
                name="plan_long_term_share_percent",
            ),
        ]

    @property
    def years(self) -> range:
        return range(self.start_year, self.end_year + 1)


class Objective(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="objectives")
    number = models.PositiveSmallIntegerField()
    title_en = models.CharField(max_length=255)
    title_es = models.CharField(max_length=255, blank=True)
    title_pt = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="unique_plan_objective")
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"

    @property
    def title(self) -> str:
        return getattr(self, f"title_{active_language()}") or self.title_en


class ActivityArea(TranslatedNameMixin):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="activity_areas")
    objective = models.ForeignKey(
        Objective, null=True, blank=True, on_delete=models.SET_NULL, related_name="activity_areas"
    )
    code = models.SlugField(max_length=64)
    priority = models.BooleanField(_("priority"), default=False)
    sector = models.ForeignKey(
        Sector, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # One activity per line, in each working language.
    planned_activities = models.TextField(_("planned activities"), blank=True)
    planned_activities_es = models.TextField(blank=True)
    planned_activities_pt = models.TextField(blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "code"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "code"], name="unique_plan_activity_area")
        ]

    def activity_list(self) -> list[str]:
        language = active_language()
        text = (
            getattr(self, f"planned_activities_{language}", "") if language != "en" else ""
        ) or self.planned_activities
        return [line.strip() for line in text.splitlines() if line.strip()]


class AreaRequirement(models.Model):
    """Funding an activity area requires in a country in a year, and the people it
    targets there. A blank country is the plan's regional (multi-country) work."""

    activity_area = models.ForeignKey(
        ActivityArea, on_delete=models.CASCADE, related_name="requirements"
    )
    country = models.ForeignKey(
        Country, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField()
    requirement_usd = models.DecimalField(max_digits=16, decimal_places=2)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["activity_area", "country", "year"], name="unique_area_requirement"
            ),
            models.CheckConstraint(
                condition=Q(requirement_usd__gte=0), name="area_requirement_positive"
            ),
        ]


class CountryTarget(models.Model):
    """People an appeal targets in a country in a year (blank country: regionally, when
    the appeal gives only the total)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="country_targets")
    country = models.ForeignKey(
        Country, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField()
    people_targeted = models.PositiveBigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "country", "year"], name="unique_country_target"
            )
        ]


class PlanEntry(models.Model):
    """A partner's part of an inter-agency plan in one country and sector for one year."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        APPROVED = "approved", _("Approved")
        RETURNED = "returned", _("Returned")

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="entries")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    country = models.ForeignKey(Country, on_delete=models.PROTECT, related_name="+")
    sector = models.ForeignKey(Sector, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    requirement_usd = models.DecimalField(_("requirement (USD)"), max_digits=16, decimal_places=2)
    activities = models.TextField(_("activities"), blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    review_comment = models.TextField(blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["country__iso3", "sector__position", "organisation__acronym"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "organisation", "country", "sector", "year"],
                name="unique_plan_entry",
            ),
            models.CheckConstraint(condition=Q(requirement_usd__gte=0), name="plan_entry_positive"),
        ]


class EntryTarget(models.Model):
    entry = models.ForeignKey(PlanEntry, on_delete=models.CASCADE, related_name="targets")
    population_group = models.ForeignKey(
        PopulationGroup, on_delete=models.PROTECT, related_name="+"
    )
    people = models.PositiveBigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["entry", "population_group"], name="unique_entry_target"
            )
        ]


# The key of a target, before its optional admin-1 area and indicator.
TARGET_KEY = ("kind", "year", "country", "sector", "population_group")


class PlanningFigure(models.Model):
    """A target for a year, country, sector and population group, imported from a file or
    entered in the admin; for an admin-1 area of the country when `admin1` is set, and for
    one indicator of the sector when `indicator` is set. Coverage compares reach with the
    targets without an indicator; the indicator progress table with those of its
    indicator; the plan pages count the people an inter-agency plan targets from them.
    (People in need live in the needs analysis: puente.needs.)"""

    class Kind(models.TextChoices):
        TARGET = "target", "target"

    kind = models.CharField(max_length=16, choices=Kind.choices)
    year = models.PositiveSmallIntegerField()
    country = models.ForeignKey(Country, on_delete=models.CASCADE, related_name="+")
    admin1 = models.ForeignKey(
        Admin1, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    sector = models.ForeignKey(Sector, on_delete=models.CASCADE, related_name="+")
    indicator = models.ForeignKey(
        Indicator, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    population_group = models.ForeignKey(
        PopulationGroup, on_delete=models.CASCADE, related_name="+"
    )
    people = models.PositiveBigIntegerField()

    class Meta:
        # The table of its first home, analytics (migrations plans.0002, analytics.0004).
        db_table = "analytics_planningfigure"
        # One figure per key, an empty area or indicator counting as a value: one
        # constraint per combination, as NULLs are distinct in a unique constraint (and
        # SQLite has no NULLS NOT DISTINCT).
        constraints = [
            models.UniqueConstraint(
                fields=list(TARGET_KEY),
                condition=Q(admin1__isnull=True, indicator__isnull=True),
                name="unique_planning_figure",
            ),
            models.UniqueConstraint(
                fields=[*TARGET_KEY, "admin1"],
                condition=Q(admin1__isnull=False, indicator__isnull=True),
                name="unique_planning_figure_admin1",
            ),
            models.UniqueConstraint(
                fields=[*TARGET_KEY, "indicator"],
                condition=Q(admin1__isnull=True, indicator__isnull=False),
                name="unique_planning_figure_indicator",
            ),
            models.UniqueConstraint(
                fields=[*TARGET_KEY, "admin1", "indicator"],
                condition=Q(admin1__isnull=False, indicator__isnull=False),
                name="unique_planning_figure_admin1_indicator",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.year} {self.country_id}/{self.sector_id}: {self.people}"
