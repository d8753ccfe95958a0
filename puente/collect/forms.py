from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from puente.collect.answers import (
    AnswerInvalid,
    answer_read,
    answer_record,
    answer_text,
    correction_targets,
)
from puente.collect.fields import FormField, FormFields
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


class _ChoiceNames(forms.MultipleChoiceField):
    """The choices of a select_multiple, ticked, or typed as names separated by spaces
    (as a device sends them); cleaned to that text, which the correction reads."""

    widget = forms.CheckboxSelectMultiple

    def to_python(self, value: Any) -> list[str]:
        return [name for item in super().to_python(value) for name in item.split()]

    def clean(self, value: Any) -> str:
        return " ".join(super().clean(value))


class CorrectionForm(forms.Form):
    """Correct one answer: the field (outside repeats, or of one repeat record), its new
    value and why. Once the field is known (`target`, or the posted `path`), the value is
    asked for as the field's type asks: a select's choices by label, a date with a date
    picker, a number as a number; otherwise typed as the form types it."""

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
        self,
        *args: Any,
        fields: FormFields,
        data_answers: dict[str, Any],
        target: str = "",
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        targets = correction_targets(data_answers, fields)
        self.fields["path"].choices = targets  # type: ignore[attr-defined]
        path = str(self.data.get("path", "")) if self.is_bound else target
        located = fields.locate(path) if path in dict(targets) else None
        self.target = located[0] if located is not None else None
        if located is None:
            return
        self.fields["path"].initial = path
        record = answer_record(data_answers, located[1]) or {}
        value_field = _value_field(located[0], record.get(located[0].path))
        if value_field is not None:
            self.fields["value"] = value_field


def _value_field(spec: FormField, current: Any) -> forms.Field | None:
    """The form field asking for a new answer of `spec`, showing its `current` answer;
    None for a field typed as text (the default)."""
    label = _("New value")
    if spec.select and spec.choices is not None:
        choices = [
            (name, f"{shown} ({name})" if shown != name else name)
            for name in spec.choices
            for shown in [spec.choice_label(name)]
        ]
        if spec.multiple:
            ticked = current if isinstance(current, list) else str(current or "").split()
            return _ChoiceNames(
                label=label,
                required=False,
                choices=choices,
                initial=ticked,
                help_text=_("Tick every answer that applies; none clears the answer."),
            )
        return forms.ChoiceField(
            label=label,
            required=False,
            choices=[("", _("(no answer)")), *choices],
            initial=current,
        )
    initial = answer_text(current)
    if spec.kind == "date":
        widget: forms.Widget = forms.DateInput(attrs={"type": "date"})
    elif spec.kind in ("int", "decimal"):
        widget = forms.NumberInput(attrs={"step": "1" if spec.kind == "int" else "any"})
    else:
        return None
    return forms.CharField(
        label=label,
        required=False,
        max_length=10000,
        widget=widget,
        initial=initial,
        help_text=_("Empty clears the answer."),
    )
