"""Form fields shared by the apps."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django import forms
from django.forms.models import ModelChoiceIterator

from puente.core.i18n import sorted_by_name


class NameOrderedChoiceIterator(ModelChoiceIterator):
    def __iter__(self) -> Iterator[Any]:
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in sorted_by_name(self.queryset):
            yield self.choice(obj)


class NameOrderedModelChoiceField(forms.ModelChoiceField):
    """A choice of reference rows (countries) listed in the reading order of their names
    in the active language, as people look for them."""

    iterator = NameOrderedChoiceIterator
