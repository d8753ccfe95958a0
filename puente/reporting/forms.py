from textwrap import shorten
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from puente.core.errors import ApplicationError
from puente.core.imports import ImportPolicy
from puente.core.tabular import normalize_value
from puente.partners.models import Organisation
from puente.reference.models import Country, Indicator, PopulationGroup, Sector
from puente.reporting.filters import RowFilters
from puente.reporting.models import Modality, RowStatus
from puente.reporting.services.columns import Conditionality, Restriction


class UploadForm(forms.Form):
    file = forms.FileField(label=_("5W file (XLSX, XLS, ODS or CSV)"))
    policy = forms.ChoiceField(
        label=_("When some rows have errors"),
        choices=[
            (ImportPolicy.REJECT_FILE, _("Import nothing until the file is correct")),
            (ImportPolicy.KEEP_GOOD_ROWS, _("Import the good rows and list the others")),
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
    conditionality = forms.ChoiceField(
        label=_("Conditionality"),
        required=False,
        choices=[("", _("Not given")), *Conditionality.choices],
    )
    restriction = forms.ChoiceField(
        label=_("Restriction"),
        required=False,
        choices=[("", _("Not given")), *Restriction.choices],
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


def _choices(empty: Any, items: list[tuple[str, Any]]) -> list[tuple[str, Any]]:
    return [("", empty), *items]


class RowFilterForm(forms.Form):
    """The 5W row filters as a form. Values are read by `RowFilters.parse`, the parser the
    API uses too; its errors are shown beside the fields. After `is_valid()`, `filters`
    holds the parsed filters, None when a value names nothing."""

    month = forms.CharField(
        label=_("Month"),
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "YYYY-MM", "size": 8}),
    )
    year = forms.CharField(
        label=_("Year"),
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "YYYY", "size": 5, "inputmode": "numeric"}),
    )
    country = forms.CharField(label=_("Country"), required=False, widget=forms.Select)
    admin1 = forms.CharField(
        label=_("Admin-1 area (code)"),
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "CO-ATL", "size": 8}),
    )
    appealing_org = forms.CharField(
        label=_("Organisation (acronym)"),
        required=False,
        widget=forms.TextInput(attrs={"size": 10}),
    )
    implementing_org = forms.CharField(
        label=_("Implementing organisation (acronym)"),
        required=False,
        widget=forms.TextInput(attrs={"size": 10}),
    )
    sector = forms.CharField(label=_("Sector"), required=False, widget=forms.Select)
    indicator = forms.CharField(label=_("Indicator"), required=False, widget=forms.Select)
    population_group = forms.CharField(
        label=_("Population group"), required=False, widget=forms.Select
    )
    status = forms.CharField(label=_("Status"), required=False, widget=forms.Select)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.filters: RowFilters | None = None
        countries = sorted(
            ((c.iso3, c.name) for c in Country.objects.all()),
            key=lambda choice: normalize_value(choice[1]),
        )
        widgets = {
            "country": _choices(_("All countries"), countries),
            "sector": _choices(
                _("All sectors"),
                [
                    (s.code, f"{'' if s.parent_id is None else '– '}{s.name} ({s.code})")
                    for s in Sector.objects.all()
                ],
            ),
            "indicator": _choices(
                _("All indicators"),
                [
                    (i.code, f"{i.code} · {shorten(i.name, 48, placeholder='…')}")
                    for i in Indicator.objects.all()
                ],
            ),
            "population_group": _choices(
                _("All population groups"),
                [(g.code, g.name) for g in PopulationGroup.objects.all()],
            ),
            "status": _choices(_("Any status"), list(RowStatus.choices)),
        }
        for name, choices in widgets.items():
            self.fields[name].widget.choices = choices  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        try:
            self.filters = RowFilters.parse(self.data)
        except ApplicationError as exc:
            self.filters = None
            for name, error in exc.extra.items():
                self.add_error(name if name in self.fields else None, error["message"])
        return cleaned


class LockForm(forms.Form):
    country = forms.ModelChoiceField(
        label=_("Country"), queryset=Country.objects.all(), to_field_name="iso3"
    )
    month = forms.CharField(label=_("Month (YYYY-MM)"), max_length=7)
    action = forms.ChoiceField(choices=[("lock", "lock"), ("unlock", "unlock")])
