"""Money for the response: contributions from donors to appealing organisations, in the
currency given and in US dollars at a stored rate."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from puente.partners.models import Organisation
from puente.reference.models import Country, Sector


class ExchangeRate(models.Model):
    """US dollars for one unit of a currency, valid from a date until the next rate."""

    currency = models.CharField(max_length=3)
    valid_from = models.DateField()
    usd_per_unit = models.DecimalField(max_digits=20, decimal_places=10)

    class Meta:
        ordering = ["currency", "-valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["currency", "valid_from"], name="unique_exchange_rate"),
            models.CheckConstraint(condition=Q(usd_per_unit__gt=0), name="exchange_rate_positive"),
        ]


class Contribution(models.Model):
    class Status(models.TextChoices):
        PLEDGED = "pledged", _("Pledged")
        COMMITTED = "committed", _("Committed")
        PAID = "paid", _("Paid")

    # Committed and paid money is funding; a pledge is a promise, shown apart.
    FUNDED_STATUSES = (Status.COMMITTED, Status.PAID)

    donor = models.CharField(_("donor"), max_length=255)
    donor_organisation = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="contributions_given",
        help_text=_("Set when the donor is itself an appealing organisation."),
    )
    recipient = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="contributions_received"
    )
    plan = models.ForeignKey(
        "plans.Plan", null=True, blank=True, on_delete=models.PROTECT, related_name="contributions"
    )
    country = models.ForeignKey(
        Country, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    sector = models.ForeignKey(
        Sector, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    amount = models.DecimalField(_("amount"), max_digits=18, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3)
    exchange_rate = models.DecimalField(max_digits=20, decimal_places=10)
    amount_usd = models.DecimalField(_("amount (USD)"), max_digits=18, decimal_places=2)
    date = models.DateField(_("date"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices)
    # From one appealing organisation to another: the money is counted at its last
    # holder only (docs/methodology.md).
    pass_through = models.BooleanField(_("pass-through"), default=False)
    source = models.CharField(_("source"), max_length=64)
    source_id = models.CharField(_("source id"), max_length=128)
    description = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "source", "source_id"]
        indexes = [models.Index(fields=["plan", "date"])]
        constraints = [
            models.UniqueConstraint(fields=["source", "source_id"], name="unique_contribution"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="contribution_positive"),
        ]
