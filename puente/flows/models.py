"""Flow monitoring: the points where people on the move are counted, the daily counts of
entries and exits there, and a summary of each survey answered at a point.

Counts and survey summaries come from two doors: a spreadsheet import and the forms
field teams send from ODK Collect or Enketo. Both go through `services.py`; a record a
form created carries the form's instance id (`submission_id`), so that an edited
submission replaces what the first one wrote."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from puente.reference.models import Admin1, Country


class PointKind(models.TextChoices):
    BORDER_CROSSING = "border-crossing", _("Border crossing")
    BUS_TERMINAL = "bus-terminal", _("Bus terminal")
    ROUTE_POINT = "route-point", _("Route point")
    OTHER = "other", pgettext_lazy("flow-monitoring point kind", "Other")


class Direction(models.TextChoices):
    ENTRY = "entry", _("Entry")
    EXIT = "exit", _("Exit")


class Sex(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    UNKNOWN = "unknown", pgettext_lazy("sex", "Not recorded")


class AgeGroup(models.TextChoices):
    CHILDREN = "0-17", _("Children (0-17)")
    ADULTS = "18-59", _("Adults (18-59)")
    OLDER = "60+", _("Older people (60+)")
    UNKNOWN = "unknown", pgettext_lazy("age group", "Not recorded")


class Transport(models.TextChoices):
    WALKING = "walking", _("On foot")
    BUS = "bus", _("Bus")
    CAR = "car", _("Car or taxi")
    TRUCK = "truck", _("Truck")
    MOTORCYCLE = "motorcycle", _("Motorcycle")
    BOAT = "boat", _("Boat")
    PLANE = "plane", _("Plane")
    OTHER = "other", pgettext_lazy("means of transport", "Other")
    UNKNOWN = "unknown", pgettext_lazy("means of transport", "Not recorded")


class Need(models.TextChoices):
    """The needs a survey asks about (select_multiple `needs`), each served by a sector."""

    FOOD = "food", _("Food")
    WATER = "water", _("Drinking water")
    HYGIENE = "hygiene", _("Hygiene items and sanitation")
    SHELTER = "shelter", _("Shelter for the night")
    HEALTH = "health", _("Health care")
    TRANSPORT = "transport", _("Transport")
    CASH = "cash", _("Money")
    INFORMATION = "information", _("Information on the route and services")
    DOCUMENTATION = "documentation", _("Documents or regularisation")
    LEGAL = "legal", _("Legal assistance")
    EMPLOYMENT = "employment", _("Work")
    COMMUNICATION = "communication", _("Phone or internet")
    NONE = "none", pgettext_lazy("needs", "No needs")


# The RMRP sector whose help answers each need (docs/methodology.md, people in transit).
NEED_SECTORS: dict[str, str] = {
    Need.FOOD: "FSC",
    Need.WATER: "WSH",
    Need.HYGIENE: "WSH",
    Need.SHELTER: "SHE",
    Need.HEALTH: "HEA",
    Need.TRANSPORT: "HTR",
    Need.CASH: "MPC",
    Need.INFORMATION: "PRO",
    Need.DOCUMENTATION: "PRO",
    Need.LEGAL: "PRO",
    Need.EMPLOYMENT: "INT",
    Need.COMMUNICATION: "INT",
}


class Incident(models.TextChoices):
    """Protection incidents suffered on the way (select_multiple `incidents`)."""

    THEFT = "theft", _("Theft or robbery")
    FRAUD = "fraud", _("Fraud or deception")
    EXTORTION = "extortion", _("Extortion or demands for money")
    THREATS = "threats", _("Threats or intimidation")
    PHYSICAL_VIOLENCE = "physical-violence", _("Physical violence")
    SEXUAL_VIOLENCE = "sexual-violence", _("Sexual violence")
    DETENTION = "detention", _("Detention")
    FORCED_RETURN = "forced-return", _("Forced return or pushback")
    FORCED_LABOUR = "forced-labour", _("Work without pay or forced work")
    DISCRIMINATION = "discrimination", _("Discrimination")
    NONE = "none", pgettext_lazy("incidents", "No incident")
    NO_ANSWER = "no-answer", _("Prefers not to answer")


class Document(models.TextChoices):
    """The identity or stay document a respondent carries (select_one `documentation`)."""

    PASSPORT = "passport", _("Passport")
    NATIONAL_ID = "national-id", _("National identity card")
    BIRTH_CERTIFICATE = "birth-certificate", _("Birth certificate only")
    RESIDENCE_PERMIT = "residence-permit", _("Residence or stay permit")
    ASYLUM = "asylum", _("Asylum claim or refugee document")
    NONE = "none", _("No document")


class FlowPoint(models.Model):
    """A place where a team counts people on the move: a border crossing, a bus terminal,
    a point along a route. `public`: the point's aggregates may be published (its
    monitoring project says so)."""

    code = models.SlugField(_("code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=32, choices=PointKind.choices)
    country = models.ForeignKey(Country, on_delete=models.PROTECT, related_name="+")
    admin1 = models.ForeignKey(
        Admin1, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    admin2 = models.CharField(_("admin-2 area"), max_length=200, blank=True)
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    public = models.BooleanField(_("public aggregates"), default=False)
    # The code of the data-collection project whose teams count here (puente.collect),
    # empty when none: `flow_points_publish` sets `public` from the project's choice.
    project = models.CharField(_("project"), max_length=64, blank=True, db_index=True)

    class Meta:
        ordering = ["country__iso3", "name"]
        verbose_name = _("flow-monitoring point")

    def __str__(self) -> str:
        return self.name


class Source(models.TextChoices):
    IMPORT = "import", _("Spreadsheet import")
    FORM = "form", _("Form")
    DEMO = "demo", _("Demo")


class FlowCount(models.Model):
    """People counted at a point on one day, going one way, of one nationality, sex, age
    group and means of transport. One figure per key: a later import or form of the same
    key replaces it."""

    point = models.ForeignKey(FlowPoint, on_delete=models.PROTECT, related_name="counts")
    date = models.DateField(_("date"))
    direction = models.CharField(_("direction"), max_length=8, choices=Direction.choices)
    # ISO 3166-1 alpha-3 of any country (Venezuela is not one of the response's countries).
    nationality = models.CharField(_("nationality"), max_length=3)
    sex = models.CharField(_("sex"), max_length=8, choices=Sex.choices, default=Sex.UNKNOWN)
    age_group = models.CharField(
        _("age group"), max_length=8, choices=AgeGroup.choices, default=AgeGroup.UNKNOWN
    )
    transport = models.CharField(
        _("means of transport"),
        max_length=16,
        choices=Transport.choices,
        default=Transport.UNKNOWN,
    )
    people = models.PositiveIntegerField(_("people"))
    source = models.CharField(max_length=8, choices=Source.choices, default=Source.IMPORT)
    # The OpenRosa instanceID of the form that wrote the figure (empty for imports).
    submission_id = models.CharField(max_length=100, blank=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["date", "point_id", "direction"]
        indexes = [models.Index(fields=["point", "date"]), models.Index(fields=["date"])]
        constraints = [
            models.UniqueConstraint(
                fields=[
                    "point",
                    "date",
                    "direction",
                    "nationality",
                    "sex",
                    "age_group",
                    "transport",
                ],
                name="unique_flow_count",
            )
        ]


class SurveySummary(models.Model):
    """What one flow-monitoring survey says, as the dashboards and the planning figures
    read it: who answered, for how many people travelling together, where they go, what
    they need, what happened to them on the way. The form's full answers stay with the
    submission; this is the part read across submissions."""

    point = models.ForeignKey(FlowPoint, on_delete=models.PROTECT, related_name="surveys")
    date = models.DateField(_("date"))
    submission_id = models.CharField(max_length=100, blank=True)
    source = models.CharField(max_length=8, choices=Source.choices, default=Source.FORM)
    # ISO3; empty for a nationality the form lists as "another country".
    nationality = models.CharField(_("nationality"), max_length=3, blank=True)
    sex = models.CharField(_("sex"), max_length=8, choices=Sex.choices, default=Sex.UNKNOWN)
    age_group = models.CharField(
        _("age group"), max_length=8, choices=AgeGroup.choices, default=AgeGroup.UNKNOWN
    )
    group_size = models.PositiveSmallIntegerField(_("people travelling together"), default=1)
    transport = models.CharField(
        _("means of transport"),
        max_length=16,
        choices=Transport.choices,
        default=Transport.UNKNOWN,
    )
    # ISO3 of the country the respondent means to reach; empty when undecided.
    destination = models.CharField(_("intended destination"), max_length=3, blank=True)
    documentation = models.CharField(
        _("documentation"), max_length=32, choices=Document.choices, blank=True
    )
    # Codes of Need and Incident (select_multiple answers).
    needs = models.JSONField(_("needs"), default=list, blank=True)
    incidents = models.JSONField(_("protection incidents"), default=list, blank=True)

    class Meta:
        ordering = ["date", "point_id"]
        indexes = [models.Index(fields=["point", "date"])]
        constraints = [
            models.UniqueConstraint(
                fields=["submission_id"],
                condition=~models.Q(submission_id=""),
                name="unique_survey_submission",
            )
        ]
