from django import forms
from django.utils.translation import gettext_lazy as _

from puente.partners.models import Organisation
from puente.reference.models import Country, Indicator, PopulationGroup, Sector
from puente.reporting.models import Modality, RowStatus


class UploadForm(forms.Form):
    file = forms.FileField(label=_("5W file (XLSX, XLS, ODS or CSV)"))
    policy = forms.ChoiceField(
        label=_("When some rows have errors"),
        choices=[
            ("reject-file", _("Import nothing until the file is correct")),
            ("keep-good-rows", _("Import the good rows and list the others")),
        ],
    )
    status = forms.ChoiceField(
        label=_("Rows are"),
        choices=[
            (RowStatus.SUBMITTED, _("Submitted for review")),
            (RowStatus.DRAFT, _("Kept as draft")),
        ],
    )
    dry_run = forms.BooleanField(label=_("Only check the file, do not import"), required=False)


class RowForm(forms.Form):
    """One 5W row, with the import file's column names; validated by the same rules."""

    month = forms.CharField(label=_("Month (YYYY-MM)"), max_length=10)
    country = forms.ModelChoiceField(
        label=_("Country"), queryset=Country.objects.all(), to_field_name="iso3"
    )
    admin1 = forms.CharField(label=_("Admin-1 area"), max_length=128, required=False)
    admin2 = forms.CharField(label=_("Admin-2 area"), max_length=128, required=False)
    appealing_org = forms.ModelChoiceField(
        label=_("Appealing organisation"),
        queryset=Organisation.objects.all(),
        to_field_name="acronym",
    )
    implementing_org = forms.ModelChoiceField(
        label=_("Implementing organisation"),
        queryset=Organisation.objects.all(),
        to_field_name="acronym",
        required=False,
    )
    indicator = forms.ModelChoiceField(
        label=_("Indicator"), queryset=Indicator.objects.all(), to_field_name="code"
    )
    activity = forms.CharField(label=_("Activity"), max_length=500, required=False)
    rmrp_activity = forms.ChoiceField(
        label=_("RMRP activity"), choices=[("yes", _("Yes")), ("no", _("No"))]
    )
    modality = forms.ChoiceField(label=_("Modality"), choices=Modality.choices)
    cva_value_usd = forms.CharField(label=_("CVA value (USD)"), required=False, max_length=20)
    delivery_mechanism = forms.CharField(
        label=_("Delivery mechanism"), required=False, max_length=128
    )
    population_group = forms.ModelChoiceField(
        label=_("Population group"), queryset=PopulationGroup.objects.all(), to_field_name="code"
    )
    quantity = forms.CharField(label=_("Quantity (outputs)"), required=False, max_length=20)
    total_monthly = forms.CharField(
        label=_("People reached this month"), required=False, max_length=20
    )
    new_beneficiaries = forms.CharField(
        label=_("Of them, new this year"), required=False, max_length=20
    )
    girls = forms.CharField(label=_("Girls"), required=False, max_length=20)
    boys = forms.CharField(label=_("Boys"), required=False, max_length=20)
    women = forms.CharField(label=_("Women"), required=False, max_length=20)
    men = forms.CharField(label=_("Men"), required=False, max_length=20)
    other = forms.CharField(label=_("Other"), required=False, max_length=20)
    disability = forms.CharField(
        label=_("Persons with disabilities"), required=False, max_length=20
    )
    status = forms.ChoiceField(
        label=_("Save as"),
        choices=[(RowStatus.DRAFT, _("Draft")), (RowStatus.SUBMITTED, _("Submitted for review"))],
    )

    def as_row(self) -> dict:
        """The cleaned data as the validator reads a file row."""
        data = dict(self.cleaned_data)
        for name in ("country",):
            data[name] = data[name].iso3 if data.get(name) else ""
        for name in ("appealing_org", "implementing_org"):
            data[name] = data[name].acronym if data.get(name) else ""
        data["indicator"] = data["indicator"].code if data.get("indicator") else ""
        data["population_group"] = (
            data["population_group"].code if data.get("population_group") else ""
        )
        data.pop("status", None)
        return data


class RowFilterForm(forms.Form):
    month = forms.CharField(
        label=_("Month"),
        required=False,
        max_length=7,
        widget=forms.TextInput(attrs={"placeholder": "YYYY-MM"}),
    )
    country = forms.ModelChoiceField(
        label=_("Country"),
        queryset=Country.objects.all(),
        to_field_name="iso3",
        required=False,
        empty_label=_("All countries"),
    )
    appealing_org = forms.CharField(
        label=_("Organisation (acronym)"), required=False, max_length=64
    )
    sector = forms.ModelChoiceField(
        label=_("Sector"),
        queryset=Sector.objects.all(),
        to_field_name="code",
        required=False,
        empty_label=_("All sectors"),
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any status")), *RowStatus.choices]
    )


class ReviewForm(forms.Form):
    org = forms.CharField(max_length=64)
    country = forms.CharField(max_length=3)
    month = forms.CharField(max_length=10)
    sector = forms.CharField(max_length=16, required=False)
    decision = forms.ChoiceField(
        choices=[("submit", "submit"), ("validated", "validated"), ("returned", "returned")]
    )
    comment = forms.CharField(
        required=False, max_length=2000, widget=forms.TextInput(attrs={"placeholder": _("Comment")})
    )


class LockForm(forms.Form):
    country = forms.ModelChoiceField(
        label=_("Country"), queryset=Country.objects.all(), to_field_name="iso3"
    )
    month = forms.CharField(label=_("Month (YYYY-MM)"), max_length=7)
    action = forms.ChoiceField(choices=[("lock", "lock"), ("unlock", "unlock")])
