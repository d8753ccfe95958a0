from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from puente.core.filters import (
    UNKNOWN_COUNTRY,
    UNKNOWN_SECTOR,
    CodeChoiceField,
    FilterForm,
)
from puente.core.i18n import collation_key, sorted_by_name
from puente.feedback.models import (
    Consent,
    FeedbackChannel,
    FeedbackStatus,
    FeedbackType,
    Satisfaction,
    SensitiveCategory,
    Sex,
)
from puente.partners.forms import OrganisationField
from puente.partners.models import Organisation
from puente.reference.models import Admin1, Country, PopulationGroup, Sector

EMPTY: list[tuple[str, Any]] = [("", "—")]


def admin1_choices() -> list[Any]:
    """Admin-1 areas grouped by country (an <optgroup> labelled with the country's name
    each), countries and areas by name: usable without script, and a script keeps the
    chosen country's group only (feedback_form.js)."""
    groups: dict[Any, list[tuple[str, str]]] = {}
    for area in Admin1.objects.select_related("country"):
        groups.setdefault(area.country, []).append((area.iso_code, area.name))
    return [("", "—")] + [
        (country.name, sorted(areas, key=lambda a: collation_key(a[1])))
        for country, areas in sorted(groups.items(), key=lambda kv: collation_key(kv[0].name))
    ]


def country_choices() -> list[tuple[str, str]]:
    """Countries by name in the reader's language."""
    return [(c.iso3, c.name) for c in sorted_by_name(Country.objects.all())]


class AreaInCountryMixin:
    """The area chosen must be one of the country's (the services check it again)."""

    def _check_area(self, data: dict[str, Any]) -> None:
        area, country = data.get("admin1"), data.get("country")
        if area is not None and country is not None and area.country_id != country.pk:
            self.add_error("admin1", _("The area is not in the country chosen."))  # type: ignore[attr-defined]


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


class PublicFeedbackForm(AreaInCountryMixin, TextLimitsMixin, forms.Form):
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
        self.fields["country"].choices = [("", "—"), *country_choices()]  # type: ignore[attr-defined]
        self.fields["admin1"].choices = admin1_choices()  # type: ignore[attr-defined]
        self.fields["website"].widget.attrs.update({"tabindex": "-1", "autocomplete": "off"})
        self._limit_text()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        self._check_area(data)
        return data


class FeedbackLogForm(AreaInCountryMixin, TextLimitsMixin, forms.Form):
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
    organisation = OrganisationField(label=_("Organisation concerned"))
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
        _offer_places_and_organisations(self)
        self._limit_text()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        self._check_area(data)
        return data


def _offer_places_and_organisations(form: forms.Form, country: Any = None) -> None:
    """Countries, areas and organisations by name; the organisations of `country` first."""
    form.fields["country"].choices = [("", "—"), *country_choices()]  # type: ignore[attr-defined]
    form.fields["admin1"].choices = admin1_choices()  # type: ignore[attr-defined]
    form.fields["organisation"].offer(  # type: ignore[attr-defined]
        Organisation.objects.all(), first_country=country
    )


class CodingForm(AreaInCountryMixin, forms.Form):
    feedback_type = FeedbackLogForm.base_fields["feedback_type"]
    sensitive_category = FeedbackLogForm.base_fields["sensitive_category"]
    country = FeedbackLogForm.base_fields["country"]
    admin1 = Admin1Field(label=_("Admin-1 area"), required=False)
    sector = FeedbackLogForm.base_fields["sector"]
    organisation = FeedbackLogForm.base_fields["organisation"]
    population_group = FeedbackLogForm.base_fields["population_group"]
    sex = FeedbackLogForm.base_fields["sex"]
    age = FeedbackLogForm.base_fields["age"]

    def __init__(self, *args: Any, country: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _offer_places_and_organisations(self, country)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        self._check_area(data)
        return data


class ReferForm(forms.Form):
    """The organisation is typed or picked among suggestions by acronym and name, those
    working in the item's country first."""

    organisation = OrganisationField(label=_("Refer to organisation"))
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

    def __init__(self, *args: Any, country: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].offer(  # type: ignore[attr-defined]
            Organisation.objects.all(), first_country=country
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


class FeedbackFilterForm(FilterForm):
    """The lists' filters: a mistyped code is an error on the page, never every item."""

    status = forms.ChoiceField(
        label=pgettext_lazy("feedback item", "Status"),
        choices=EMPTY + FeedbackStatus.choices,
        required=False,
    )
    type = CodeChoiceField(
        label=_("Type"),
        queryset=FeedbackType.objects.all(),
        to_field_name="code",
        unknown=_("“%(value)s” is not a feedback type of the code list."),
    )
    channel = CodeChoiceField(
        label=_("Channel"),
        queryset=FeedbackChannel.objects.all(),
        to_field_name="code",
        unknown=_("“%(value)s” is not a channel of the code list."),
    )
    country = CodeChoiceField(
        label=_("Country"),
        queryset=Country.objects.all(),
        to_field_name="iso3",
        unknown=UNKNOWN_COUNTRY,
    )
    sector = CodeChoiceField(
        label=_("Sector"),
        queryset=Sector.objects.all(),
        to_field_name="code",
        unknown=UNKNOWN_SECTOR,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["type"].choices = EMPTY + [  # type: ignore[attr-defined]
            (t.code, t.name) for t in FeedbackType.objects.all()
        ]
        self.fields["channel"].choices = EMPTY + [  # type: ignore[attr-defined]
            (c.code, c.name) for c in FeedbackChannel.objects.all()
        ]
        self.fields["country"].choices = EMPTY + country_choices()  # type: ignore[attr-defined]
        self.fields["sector"].choices = EMPTY + [  # type: ignore[attr-defined]
            (s.code, s.name) for s in Sector.objects.all()
        ]


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
