"""The 5W monthly activity report: one row per month, place, organisations, indicator,
activity, modality and population group."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from puente.core.imports import ImportPolicy
from puente.partners.models import Organisation
from puente.reference.models import Admin1, Admin2, Country, Indicator, PopulationGroup, Sector


class Modality(models.TextChoices):
    IN_KIND = "in-kind", _("In-kind")
    CVA = "cva", _("Cash and voucher assistance")
    SERVICE = "service", _("Service")
    CAPACITY_BUILDING = "capacity-building", _("Capacity building")
    OTHER = "other", _("Other")


class RowStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    VALIDATED = "validated", _("Validated")
    RETURNED = "returned", _("Returned")


class ImportBatch(models.Model):
    """One uploaded file (or API submission) and what became of it. The file is kept:
    nothing a user submitted is lost, whatever the outcome."""

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        REJECTED = "rejected", _("Rejected")
        FAILED = "failed", _("Failed")

    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    filename = models.CharField(max_length=255)
    file = models.FileField(upload_to="imports/%Y/%m/", blank=True)
    source = models.CharField(max_length=16, default="file")  # file, api, form, cli, demo
    policy = models.CharField(max_length=16, default=ImportPolicy.REJECT_FILE)
    target_status = models.CharField(
        max_length=16, choices=RowStatus.choices, default=RowStatus.SUBMITTED
    )
    dry_run = models.BooleanField(default=False)
    language = models.CharField(max_length=8, default="en")
    state = models.CharField(max_length=16, choices=State.choices, default=State.QUEUED)
    rows = models.PositiveIntegerField(default=0)
    imported = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    report = models.JSONField(default=dict, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("import")

    def __str__(self) -> str:
        return f"import {self.pk} ({self.filename})"


class ActivityRow(models.Model):
    # A 128-bit hash of the fields that identify a row (month, place, organisations,
    # indicator, activity, modality, population group): a native uuid on PostgreSQL.
    # Unique with the month (Meta), which it hashes: the same rule as unique alone, in the
    # form PostgreSQL asks of a table partitioned by month (puente/reporting/partitions.py).
    row_key = models.UUIDField()
    month = models.DateField()
    # Foreign keys covered by the composite indexes below, or never filtered alone, carry
    # no index of their own: each index costs time on every bulk import. They carry no
    # database constraint either: the importer resolves every reference from the tables it
    # read in the same transaction, and PROTECT is enforced by Django when a referenced row
    # is deleted. Constraint checks at commit doubled the time of a million-row import
    # (docs/performance.md).
    country = models.ForeignKey(
        Country, on_delete=models.PROTECT, related_name="+", db_index=False, db_constraint=False
    )
    admin1 = models.ForeignKey(
        Admin1, on_delete=models.PROTECT, related_name="+", db_index=False, db_constraint=False
    )
    admin2 = models.CharField(max_length=128, blank=True)
    # The admin-2 area `admin2` names, in a country with a list of them (puente load-areas);
    # None elsewhere, where `admin2` stays the text as written.
    admin2_area = models.ForeignKey(
        Admin2,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    appealing_org = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    implementing_org = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    indicator = models.ForeignKey(
        Indicator, on_delete=models.PROTECT, related_name="+", db_index=False, db_constraint=False
    )
    sector = models.ForeignKey(
        Sector,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The indicator's sector or sub-sector, kept for queries",
    )
    activity = models.CharField(max_length=500, blank=True)
    rmrp_activity = models.BooleanField(default=True)
    modality = models.CharField(max_length=20, choices=Modality.choices)
    cva_value_usd = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    delivery_mechanism = models.CharField(max_length=128, blank=True)
    # codes of the lists in services/columns.py (Conditionality, Restriction)
    conditionality = models.CharField(max_length=32, blank=True)
    restriction = models.CharField(max_length=32, blank=True)
    population_group = models.ForeignKey(
        PopulationGroup, on_delete=models.PROTECT, related_name="+"
    )
    quantity = models.BigIntegerField(null=True, blank=True)
    total_monthly = models.BigIntegerField(null=True, blank=True)
    new_beneficiaries = models.BigIntegerField(null=True, blank=True)
    girls = models.BigIntegerField(null=True, blank=True)
    boys = models.BigIntegerField(null=True, blank=True)
    women = models.BigIntegerField(null=True, blank=True)
    men = models.BigIntegerField(null=True, blank=True)
    other = models.BigIntegerField(null=True, blank=True)
    disability = models.BigIntegerField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=RowStatus.choices, default=RowStatus.DRAFT)
    review_comment = models.TextField(blank=True)
    created_batch = models.ForeignKey(
        ImportBatch, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField()

    class Meta:
        verbose_name = _("5W row")
        indexes = [
            # consolidation: validated rows of a year, by country and month
            models.Index(fields=["status", "month", "country"], name="row_status_month_country"),
            models.Index(fields=["country", "month"], name="row_country_month"),
            models.Index(fields=["appealing_org", "month"], name="row_org_month"),
        ]
        constraints = [
            # Also the index of lookups by key alone (its first column).
            models.UniqueConstraint(fields=["row_key", "month"], name="row_key_month_unique")
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.country_id} {self.indicator_id}"


class RowChange(models.Model):
    """Who changed a row, when, and what (field -> [old, new])."""

    # No database constraint: PostgreSQL cannot refer to a row of the table partitioned
    # by month by its id alone. Django deletes a row's changes with it.
    row = models.ForeignKey(
        ActivityRow, on_delete=models.CASCADE, related_name="changes", db_constraint=False
    )
    batch = models.ForeignKey(
        ImportBatch, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField()
    action = models.CharField(max_length=32)
    changes = models.JSONField(default=dict, blank=True)
    comment = models.TextField(blank=True)

    class Meta:
        ordering = ["changed_at", "id"]


class PeriodLock(models.Model):
    """A month closed for a country: no row of it may be added or changed."""

    country = models.ForeignKey(Country, on_delete=models.CASCADE, related_name="+")
    month = models.DateField()
    locked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    locked_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["country", "month"], name="unique_lock")]
        ordering = ["-month"]


class ReviewDecision(models.Model):
    """A sector coordinator's decision on one organisation's rows of a month and sector."""

    appealing_org = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    country = models.ForeignKey(Country, on_delete=models.CASCADE, related_name="+")
    sector = models.ForeignKey(Sector, on_delete=models.CASCADE, related_name="+")
    month = models.DateField()
    decision = models.CharField(max_length=16, choices=RowStatus.choices)
    comment = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(auto_now_add=True)
    rows = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-decided_at"]
