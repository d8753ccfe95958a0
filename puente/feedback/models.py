"""Community feedback: the configurable code list (types, channels) and the items people
send, with their workflow from new to closed.

Invariant: the free text, the person's name and contact and the answer given are stored
only as Fernet tokens (`*_sealed`); no column holds them in plain text.

Invariant: whether an item is sensitive is fixed on the item when it arrives (or when it is
coded as a sensitive type) and never undone; a type that has items never stops being
sensitive. `save()` refuses either change and database triggers (migration 0003) refuse it
from any other write, on SQLite and PostgreSQL alike."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from puente.core.i18n import TranslatedNameMixin
from puente.feedback.codes import FeedbackCode
from puente.partners.models import Organisation
from puente.reference.models import Admin1, Country, PopulationGroup, Sector


class FeedbackType(TranslatedNameMixin):
    """One entry of the code list. Deadlines left empty take the defaults of the settings
    (PUENTE_FEEDBACK_SENSITIVE_ACK_HOURS, PUENTE_FEEDBACK_RESPOND_DAYS)."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    sensitive = models.BooleanField(
        _("sensitive"),
        default=False,
        help_text=_("Readable by PSEA focal points only; never exported."),
    )
    acknowledge_within_hours = models.PositiveIntegerField(
        _("acknowledge within (hours)"), null=True, blank=True
    )
    respond_within_days = models.PositiveIntegerField(
        _("respond within (days)"), null=True, blank=True
    )
    public = models.BooleanField(_("offered on the public form"), default=True)
    active = models.BooleanField(_("active"), default=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "code"]
        verbose_name = _("feedback type")

    def save(self, *args: object, **kwargs: object) -> None:
        if self.loses_sensitive_in_use():
            raise ValidationError(SENSITIVE_TYPE_IN_USE, code=FeedbackCode.SENSITIVE_TYPE_IN_USE)
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def loses_sensitive_in_use(self) -> bool:
        """True when this change would take `sensitive` off a type that has items."""
        if self.pk is None or self.sensitive:
            return False
        stored = FeedbackType.objects.filter(pk=self.pk, sensitive=True)
        return stored.exists() and Feedback.objects.filter(type_id=self.pk).exists()

    def clean(self) -> None:
        super().clean()
        if self.loses_sensitive_in_use():
            raise ValidationError(
                {"sensitive": SENSITIVE_TYPE_IN_USE}, code=FeedbackCode.SENSITIVE_TYPE_IN_USE
            )


SENSITIVE_TYPE_IN_USE = FeedbackCode.SENSITIVE_TYPE_IN_USE.message
SENSITIVE_ITEM = FeedbackCode.SENSITIVE_ITEM.message


class FeedbackChannel(TranslatedNameMixin):
    """Where feedback comes in. A channel with a token accepts messages over the API;
    only the SHA-256 of the token is kept."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    country = models.ForeignKey(
        Country,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        verbose_name=_("default country"),
    )
    default_type = models.ForeignKey(
        FeedbackType,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        verbose_name=_("default type"),
    )
    token_hash = models.CharField(max_length=64, blank=True, editable=False)
    active = models.BooleanField(_("active"), default=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "code"]
        verbose_name = _("feedback channel")


class FeedbackStatus(models.TextChoices):
    NEW = "new", pgettext_lazy("feedback status", "New")
    ACKNOWLEDGED = "acknowledged", pgettext_lazy("feedback status", "Acknowledged")
    REFERRED = "referred", pgettext_lazy("feedback status", "Referred")
    RESPONDED = "responded", pgettext_lazy("feedback status", "Responded")
    CLOSED = "closed", pgettext_lazy("feedback status", "Closed")


class SensitiveCategory(models.TextChoices):
    SEXUAL_EXPLOITATION_ABUSE = "sea", _("Sexual exploitation and abuse")
    FRAUD = "fraud", _("Fraud")
    STAFF_MISCONDUCT = "misconduct", _("Staff misconduct")
    OTHER = "other", _("Other")


class Sex(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    OTHER = "other", _("Other")


class Consent(models.TextChoices):
    NOT_ASKED = "", _("Not asked yet")
    GIVEN = "given", _("Given")
    REFUSED = "refused", _("Refused")


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", _("Satisfied")
    PARTLY = "partly", _("Partly satisfied")
    NOT_SATISFIED = "not-satisfied", _("Not satisfied")


class Feedback(models.Model):
    receipt_hash = models.CharField(max_length=64, unique=True, editable=False)
    channel = models.ForeignKey(FeedbackChannel, on_delete=models.PROTECT, related_name="items")
    external_id = models.CharField(max_length=128, blank=True)
    type = models.ForeignKey(FeedbackType, on_delete=models.PROTECT, related_name="items")
    sensitive = models.BooleanField(default=False, editable=False)
    sensitive_category = models.CharField(
        _("sensitive category"), max_length=16, choices=SensitiveCategory.choices, blank=True
    )
    status = models.CharField(
        max_length=16, choices=FeedbackStatus.choices, default=FeedbackStatus.NEW
    )
    language = models.CharField(max_length=8, blank=True)
    # Coding
    country = models.ForeignKey(Country, on_delete=models.PROTECT, related_name="feedback")
    admin1 = models.ForeignKey(Admin1, on_delete=models.PROTECT, null=True, blank=True)
    sector = models.ForeignKey(Sector, on_delete=models.PROTECT, null=True, blank=True)
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="feedback",
        verbose_name=_("organisation concerned"),
    )
    population_group = models.ForeignKey(
        PopulationGroup, on_delete=models.PROTECT, null=True, blank=True
    )
    sex = models.CharField(max_length=8, choices=Sex.choices, blank=True)
    age = models.PositiveSmallIntegerField(null=True, blank=True)
    anonymous = models.BooleanField(default=False)
    # Contents, sealed (Fernet tokens); "" when not given.
    text_sealed = models.TextField(editable=False)
    name_sealed = models.TextField(blank=True, editable=False)
    contact_sealed = models.TextField(blank=True, editable=False)
    answer_sealed = models.TextField(blank=True, editable=False)
    # Workflow
    received_at = models.DateTimeField(db_index=True)
    acknowledge_due = models.DateTimeField(null=True, blank=True)
    respond_due = models.DateTimeField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    referred_at = models.DateTimeField(null=True, blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    referred_to_org = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    referred_to_sector = models.ForeignKey(
        Sector, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    consent = models.CharField(max_length=8, choices=Consent.choices, blank=True)
    consent_recorded_at = models.DateTimeField(null=True, blank=True)
    satisfaction = models.CharField(max_length=16, choices=Satisfaction.choices, blank=True)
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("feedback")
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "external_id"],
                condition=~models.Q(external_id=""),
                name="feedback_unique_channel_message",
            )
        ]
        indexes = [
            models.Index(fields=["status", "sensitive"]),
            models.Index(fields=["country", "received_at"]),
        ]

    def __str__(self) -> str:
        return f"#{self.pk}"

    def save(self, *args: object, **kwargs: object) -> None:
        """Refuses an item that would be less protected than the rules say: one of a
        sensitive type stored as ordinary, or a sensitive one made ordinary again."""
        if not self.sensitive:
            if (
                self.type_id is not None
                and FeedbackType.objects.filter(pk=self.type_id, sensitive=True).exists()
            ):
                raise ValidationError(SENSITIVE_ITEM, code=FeedbackCode.SENSITIVE_ITEM)
            if self.pk is not None and Feedback.objects.filter(pk=self.pk, sensitive=True).exists():
                raise ValidationError(SENSITIVE_ITEM, code=FeedbackCode.SENSITIVE_ITEM)
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    @property
    def is_open(self) -> bool:
        return self.status != FeedbackStatus.CLOSED


class FeedbackAttachment(models.Model):
    """A photo or document sent with feedback. The file on disk is encrypted like the text."""

    feedback = models.ForeignKey(Feedback, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to="feedback/%Y/%m/")
    content_type = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
