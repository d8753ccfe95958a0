from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from puente.collect.models import Project
from puente.reference.models import Country


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data]
        return [single(data, initial)] if data else []


class PublishForm(forms.Form):
    """Publish an XLSForm in a project the user manages, or in a new one."""

    project = forms.ModelChoiceField(
        label=_("Project"), queryset=Project.objects.none(), required=False
    )
    new_code = forms.SlugField(label=_("or a new project: code"), required=False, max_length=64)
    new_name = forms.CharField(label=_("name"), required=False, max_length=255)
    new_country = forms.ModelChoiceField(
        label=_("country"), queryset=Country.objects.none(), required=False
    )
    xlsform = forms.FileField(
        label=_("XLSForm"), help_text=_("An XLSForm workbook: XLSX, XLS, CSV or Markdown.")
    )
    media_files = MultipleFileField(
        label=_("Media files"),
        required=False,
        help_text=_("CSV choice lists and images the form uses; listed in its manifest."),
    )

    def __init__(self, *args: Any, projects: Any, countries: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["project"].queryset = projects  # type: ignore[attr-defined]
        self.fields["new_country"].queryset = countries  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("project") and not data.get("new_code"):
            raise forms.ValidationError(_("Choose a project or give the code of a new one."))
        if not data.get("project") and not data.get("new_country"):
            self.add_error("new_country", _("A new project needs its country."))
        return data
