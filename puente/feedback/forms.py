from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from puente.feedback.models import (
    Consent,
    FeedbackChannel,
    FeedbackStatus,
    FeedbackType,
    Satisfaction,
    SensitiveCategory,
    Sex,
)
from puente.partners.models import Organisation
from puente.reference.models import Admin1, Country, PopulationGroup, Sector

EMPTY: list[tuple[str, Any]] = [("", "—")]


def admin1_choices() -> list[Any]:
    """Admin-1 areas grouped by country (an <optgroup> each), no script needed."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for area in Admin1.objects.select_related("country").order_by("country__name_en", "name"):
        groups.setdefault(area.country.name, []).append((area.iso_code, area.name))
    return [("", "—"), *groups.items()]


class Admin1Field(forms.ChoiceField):
    def to_python(self, value: Any) -> Admin1 | None:  # type: ignore[override]
        value = super().to_python(value)
        return Admin1.objects.filter(iso_code=value).first() if value else None

    def valid_value(self, value: Any) -> bool:
        return True

    def validate(self, value: Any) -> None:
        if self.required and value is None:
            raise forms.ValidationError(self.error_messages["required"], code="required")


class TextLimitsMixin:
    """The browser enforces the limit (maxlength); the service checks it again for
    every door (`text_too_long`)."""

    def _limit_text(self) -> None:
        text = self.fields["text"]  # type: ignore[attr-defined]
        text.widget.attrs["maxlength"] = str(settings.PUENTE_FEEDBACK_MAX_TEXT)


class PublicFeedbackForm(TextLimitsMixin, forms.Form):
    feedback_type = forms.ModelChoiceField(
        label=_("What is your message about?"),
        queryset=FeedbackType.objects.filter(active=True, public=True),
        to_field_name="code",
        empty_label=None,
        widget=forms.RadioSelect,
    )
    country = forms.ModelChoiceField(
        label=_("Country where you are"), queryset=Country.objects.all(), to_field_name="iso3"
    )
    admin1 = Admin1Field(label=_("State, province or department"), required=False)
    text = forms.CharField(
        label=_("Your message"), widget=forms.Textarea(attrs={"rows": 6}), strip=True
    )
    anonymous = forms.BooleanField(
        label=_("Send anonymously (we will not ask for your name or contact)"), required=False
    )
    name = forms.CharField(label=_("Your name (optional)"), max_length=200, required=False)
    contact = forms.CharField(
        label=_("Phone, WhatsApp or e-mail to answer you (optional)"),
        max_length=200,
        required=False,
    )
    sex = forms.ChoiceField(label=_("Sex (optional)"), choices=EMPTY + Sex.choices, required=False)
    age = forms.IntegerField(label=_("Age (optional)"), min_value=0, max_value=120, required=False)
    consent = forms.BooleanField(
        label=_(
            "I agree that my message is shared with the organisation or service that can help me"
        ),
        required=False,
    )
    attachment = forms.FileField(
        label=_("Photo or document (optional: JPEG, PNG or PDF)"), required=False
    )
    # Honeypot: hidden from people, filled in by bots.
    website = forms.CharField(label=_("Leave this field empty"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["admin1"].choices = admin1_choices()  # type: ignore[attr-defined]
        self.fields["website"].widget.attrs.update({"tabindex": "-1", "autocomplete": "off"})
        self._limit_text()


class FeedbackLogForm(TextLimitsMixin, forms.Form):
    """Feedback an operator logs from a call, a message, a help desk or a meeting."""

    channel = forms.ModelChoiceField(
        label=_("Channel"),
        queryset=FeedbackChannel.objects.filter(active=True),
        to_field_name="code",
    )
    feedback_type = forms.ModelChoiceField(
        label=_("Type"),
        queryset=FeedbackType.objects.filter(active=True),
        to_field_name="code",
    )
    sensitive_category = forms.ChoiceField(
        label=_("Sensitive category"), choices=EMPTY + SensitiveCategory.choices, required=False
    )
    country = forms.ModelChoiceField(
        label=_("Country"), queryset=Country.objects.all(), to_field_name="iso3"
    )
    admin1 = Admin1Field(label=_("Admin-1 area"), required=False)
    sector = forms.ModelChoiceField(
        label=_("Sector"), queryset=Sector.objects.all(), to_field_name="code", required=False
    )
    organisation = forms.ModelChoiceField(
        label=_("Organisation concerned"),
        queryset=Organisation.objects.all(),
        to_field_name="acronym",
        required=False,
    )
    population_group = forms.ModelChoiceField(
        label=_("Population group"),
        queryset=PopulationGroup.objects.all(),
        to_field_name="code",
        required=False,
    )
    sex = forms.ChoiceField(label=_("Sex"), choices=EMPTY + Sex.choices, required=False)
    age = forms.IntegerField(label=_("Age"), min_value=0, max_value=120, required=False)
    text = forms.CharField(label=_("What the person said"), widget=forms.Textarea(), strip=True)
    anonymous = forms.BooleanField(label=_("Anonymous"), required=False)
    name = forms.CharField(label=_("Name"), max_length=200, required=False)
    contact = forms.CharField(label=_("Contact"), max_length=200, required=False)
    consent = forms.ChoiceField(
        label=_("Consent to referral"), choices=Consent.choices, required=False
    )
    attachment = forms.FileField(label=_("Attachment (JPEG, PNG or PDF)"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["admin1"].choices = admin1_choices()  # type: ignore[attr-defined]
        self._limit_text()


class CodingForm(forms.Form):
    feedback_type = FeedbackLogForm.base_fields["feedback_type"]
    sensitive_category = FeedbackLogForm.base_fields["sensitive_category"]
    country = FeedbackLogForm.base_fields["country"]
    admin1 = Admin1Field(label=_("Admin-1 area"), required=False)
    sector = FeedbackLogForm.base_fields["sector"]
    organisation = FeedbackLogForm.base_fields["organisation"]
    population_group = FeedbackLogForm.base_fields["population_group"]
    sex = FeedbackLogForm.base_fields["sex"]
    age = FeedbackLogForm.base_fields["age"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["admin1"].choices = admin1_choices()  # type: ignore[attr-defined]


class ReferForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label=_("Refer to organisation"),
        queryset=Organisation.objects.all(),
        to_field_name="acronym",
        required=False,
    )
    sector = forms.ModelChoiceField(
        label=_("or to the focal point of sector"),
        queryset=Sector.objects.all(),
        to_field_name="code",
        required=False,
    )
    consent = forms.ChoiceField(
        label=_("The person's consent to the referral"),
        choices=Consent.choices,
        required=False,
    )


class RespondForm(forms.Form):
    answer = forms.CharField(
        label=_("Answer given to the person"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=4000,
    )


class CloseForm(forms.Form):
    satisfaction = forms.ChoiceField(
        label=_("Satisfaction of the person"),
        choices=[("", _("Not known")), *Satisfaction.choices],
        required=False,
    )


class FeedbackFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), choices=EMPTY + FeedbackStatus.choices, required=False
    )
    type = forms.ModelChoiceField(
        label=_("Type"), queryset=FeedbackType.objects.all(), to_field_name="code", required=False
    )
    channel = forms.ModelChoiceField(
        label=_("Channel"),
        queryset=FeedbackChannel.objects.all(),
        to_field_name="code",
        required=False,
    )
    country = forms.ModelChoiceField(
        label=_("Country"), queryset=Country.objects.all(), to_field_name="iso3", required=False
    )
    sector = forms.ModelChoiceField(
        label=_("Sector"), queryset=Sector.objects.all(), to_field_name="code", required=False
    )


class StatusForm(forms.Form):
    code = forms.CharField(label=_("Receipt code"), max_length=20)


class FeedbackTypeForm(forms.Form):
    code = forms.SlugField(label=_("Code"), max_length=32)
    name_en = forms.CharField(label=_("Name in English"), max_length=255)
    name_es = forms.CharField(label=_("Name in Spanish"), max_length=255, required=False)
    name_pt = forms.CharField(label=_("Name in Portuguese"), max_length=255, required=False)
    sensitive = forms.BooleanField(label=_("Sensitive (PSEA focal points only)"), required=False)
    public = forms.BooleanField(label=_("Offered on the public form"), required=False)
    active = forms.BooleanField(label=_("Active"), required=False)
    acknowledge_within_hours = forms.IntegerField(
        label=_("Acknowledge within (hours)"),
        min_value=1,
        required=False,
        help_text=_("Empty: 72 hours for sensitive types, none for others."),
    )
    respond_within_days = forms.IntegerField(
        label=_("Respond within (days)"),
        min_value=1,
        required=False,
        help_text=_("Empty: 30 days."),
    )
    position = forms.IntegerField(label=_("Position"), min_value=0, initial=0)


class FeedbackChannelForm(forms.Form):
    code = forms.SlugField(label=_("Code"), max_length=32)
    name_en = forms.CharField(label=_("Name in English"), max_length=255)
    name_es = forms.CharField(label=_("Name in Spanish"), max_length=255, required=False)
    name_pt = forms.CharField(label=_("Name in Portuguese"), max_length=255, required=False)
    country = forms.ModelChoiceField(
        label=_("Default country"),
        queryset=Country.objects.all(),
        to_field_name="iso3",
        required=False,
    )
    default_type = forms.ModelChoiceField(
        label=_("Default type"),
        queryset=FeedbackType.objects.all(),
        to_field_name="code",
        required=False,
    )
    active = forms.BooleanField(label=_("Active"), required=False)
    position = forms.IntegerField(label=_("Position"), min_value=0, initial=0)
