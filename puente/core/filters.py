"""The filters of list and table pages, read one way by every door: a year typed by a
person, codes of countries, sectors and organisations. A mistyped filter is an error shown
on the page (or a 400 from the API, an error from the CLI), never a 404 and never the
whole unfiltered table."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from puente.core.codes import CoreCode
from puente.core.i18n import sorted_by_name

FIRST_YEAR = 2000
LAST_YEAR = 2100


def year_parse(text: Any) -> int:
    """ " 2026 " -> 2026; anything that is not a year from FIRST_YEAR to LAST_YEAR raises
    ValueError (a message for people, with the text given). A year written like a figure
    ("2,026", "2.026") is refused: pages never write one, so it is a mistyped value (the
    one parser of years for every door: pages, API, CLI, exports)."""
    cleaned = str(text).strip()
    if not re.fullmatch(r"\d{4}", cleaned) or not FIRST_YEAR <= int(cleaned) <= LAST_YEAR:
        raise ValueError(str(_("“%(value)s” is not a year (YYYY).") % {"value": text}))
    return int(cleaned)


class FilterForm(forms.Form):
    """A page's filters: labels as the project writes them (no colon)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class YearField(forms.CharField):
    """A year typed in a filter, as `year_parse` reads it."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("Year"))
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", 12)
        super().__init__(**kwargs)
        self.widget.attrs.update({"size": "5", "inputmode": "numeric"})

    def clean(self, value: Any) -> int | None:  # type: ignore[override]
        text = super().clean(value)
        if not text:
            if self.required:
                raise ValidationError(self.error_messages["required"], code="required")
            return None
        try:
            return year_parse(text)
        except ValueError as exc:
            raise ValidationError(str(exc), code=CoreCode.INVALID_YEAR) from exc


class CodeChoiceField(forms.ModelChoiceField):
    """A reference row chosen by its code, case ignored ("col" is Colombia). The error
    names the text given; `label_from_instance` shows the name, not the code."""

    def __init__(self, *args: Any, unknown: Any = None, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)
        if unknown is not None:
            self.error_messages["invalid_choice"] = unknown

    def to_python(self, value: Any) -> Any:
        if value in self.empty_values:
            return None
        key = self.to_field_name or "pk"
        text = str(value).strip()
        found = self.queryset.filter(**{f"{key}__iexact": text}).first()  # type: ignore[union-attr]
        if found is None:
            raise ValidationError(
                self.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": text},
            )
        return found

    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


class PlanChoiceField(CodeChoiceField):
    """A plan chosen by its code among the plans the reader may open, which the form
    hands in (`offer`, with `plans.selectors.plans_visible`): only those are listed and
    accepted, and any other code is an unknown plan, whether or not such a plan exists.
    `empty`: the label of a first choice of no plan, if the filter has one."""

    def __init__(self, *, queryset: Any, empty: str | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("to_field_name", "code")
        kwargs.setdefault("unknown", UNKNOWN_PLAN)
        super().__init__(queryset=queryset, **kwargs)
        self.empty = empty

    def offer(self, plans: Any) -> None:
        """Only `plans` (a queryset of plans) are listed and accepted."""
        self.queryset = plans
        first = [("", self.empty)] if self.empty is not None else []
        self.choices = first + [(p.code, p.name) for p in plans]


def code_choices(objects: Iterable[Any], field: str, *, empty: str = "") -> list[Any]:
    """(code, name) choices sorted by name in the active language, with an empty first
    choice labelled `empty`."""
    return [("", empty)] + [(getattr(obj, field), obj.name) for obj in sorted_by_name(objects)]


class DatalistInput(forms.TextInput):
    """A text input with its own <datalist> of suggestions: the browser filters them as
    one types (no script), and any text is still sent for the field to read."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs)
        self.options: list[str] = []

    def render(self, name: str, value: Any, attrs: Any = None, renderer: Any = None) -> Any:
        attrs = {**(attrs or {})}
        list_id = f"{attrs.get('id') or name}-options"
        attrs.update(list=list_id, autocomplete="off")
        options = format_html_join("", '<option value="{}"></option>', ((o,) for o in self.options))
        return format_html(
            '{}<datalist id="{}">{}</datalist>',
            super().render(name, value, attrs, renderer),
            list_id,
            options,
        )


UNKNOWN_COUNTRY = _("“%(value)s” is not a country of the response (ISO3 code, e.g. COL).")
UNKNOWN_SECTOR = _("“%(value)s” is not a sector code (e.g. HEA).")
UNKNOWN_PLAN = _("There is no plan “%(value)s”.")
