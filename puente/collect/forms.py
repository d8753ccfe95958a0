from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from puente.collect.answers import AnswerInvalid, answer_read, correction_targets
from puente.collect.fields import FormFields
from puente.collect.models import Project, Submission
from puente.core.filters import FilterForm
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


EMPTY = [("", "–")]


class SubmissionFilterForm(FilterForm):
    """The filters of a form's submissions. A value that names no collector, status or
    field, or an answer that does not fit its field, is an error on the page, never a
    list that ignores it."""

    received_from = forms.DateField(
        label=_("Received from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    received_to = forms.DateField(
        label=_("Received to"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    status = forms.ChoiceField(
        label=_("Status"),
        choices=EMPTY + list(Submission.Status.choices),
        required=False,
        error_messages={"invalid_choice": _("“%(value)s” is not a status of submissions.")},
    )
    collector = forms.ChoiceField(
        label=_("Collector"),
        required=False,
        error_messages={"invalid_choice": _("“%(value)s” sent no submission of this form.")},
    )
    field = forms.ChoiceField(
        label=_("Answer of"),
        required=False,
        error_messages={"invalid_choice": _("“%(value)s” is not a field of this form.")},
    )
    answer = forms.CharField(label=_("is"), required=False, max_length=255)

    def __init__(
        self,
        *args: Any,
        fields: FormFields,
        collectors: list[tuple[int, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.form_fields = fields
        self.fields["collector"].choices = EMPTY + [(email, email) for _pk, email in collectors]  # type: ignore[attr-defined]
        self.collector_ids = {email: pk for pk, email in collectors}
        filterable = fields.filterable()
        choices = []
        for f in filterable:
            path = fields.filter_path(f)
            label = f.label or f.path
            if f.repeat:
                label = _("%(repeat)s, any record: %(field)s") % {
                    "repeat": fields.repeat_label(f.repeat),
                    "field": label,
                }
            choices.append((path, f"{label} ({path})"))
        self.fields["field"].choices = EMPTY + choices  # type: ignore[attr-defined]
        # A form with a field named "point" (flow monitoring) is filtered by it first.
        point = fields.named("point")
        if point is not None and point in filterable:
            self.fields["field"].initial = point.path

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("received_from"), data.get("received_to")
        if start and end and end < start:
            self.add_error("received_to", _("The end of the range is before its start."))
        data["collector_id"] = self.collector_ids.get(data.get("collector") or "")
        path, text = data.get("field") or "", data.get("answer") or ""
        data["answer_value"] = None
        spec = self.form_fields.filtered(path) if path else None
        data["field_spec"] = spec
        if text.strip() and not path:
            self.add_error("field", _("Choose the field whose answer is compared."))
        elif text.strip() and spec is not None:
            if spec.select and text.strip() not in (spec.choices or ()):
                # a choice may be given by its label, as the list shows it
                text = next(
                    (
                        name
                        for name, label in spec.choice_labels
                        if label.casefold() == text.strip().casefold()
                    ),
                    text,
                )
            try:
                data["answer_value"] = answer_read(spec, text)
            except AnswerInvalid as exc:
                self.add_error("answer", str(exc))
        return data


class ReviewForm(forms.Form):
    """Approve, or reject with a reason."""

    decision = forms.ChoiceField(
        choices=[
            (Submission.Status.APPROVED, _("Approve")),
            (Submission.Status.REJECTED, _("Reject")),
        ],
        error_messages={"invalid_choice": _("Approve or reject.")},
    )
    reason = forms.CharField(
        label=_("Reason for rejection"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (
            data.get("decision") == Submission.Status.REJECTED
            and not (data.get("reason") or "").strip()
        ):
            self.add_error("reason", _("Say why the submission is rejected."))
        return data


class CorrectionForm(forms.Form):
    """Correct one answer: the field (outside repeats, or of one repeat record), its new
    value (typed as the form types it) and why."""

    path = forms.ChoiceField(label=_("Field"))
    value = forms.CharField(
        label=_("New value"),
        required=False,
        max_length=10000,
        help_text=_(
            "As the form types it: a whole number, a date as YYYY-MM-DD, choice names "
            "separated by spaces, a geopoint as latitude longitude. Empty clears the answer."
        ),
    )
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )

    def __init__(
        self, *args: Any, fields: FormFields, data_answers: dict[str, Any], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["path"].choices = correction_targets(data_answers, fields)  # type: ignore[attr-defined]
