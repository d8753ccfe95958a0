"""The fields of a form version, read from its XForm: type, label (in the active language
when the form has translations), choices; how the submission page shows answers; and how
a value typed by a person (a correction, a filter) is read into the value
`Submission.data` keeps for that field, as `parsing.py` types what devices send."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any
from xml.etree import ElementTree

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from puente.collect.parsing import XFORMS, H, form_shape


@dataclass(frozen=True)
class FormField:
    """One field of a form version. `path` is its key in `Submission.data` (relative to
    the repeat for a field inside one, `repeat` then being the repeat's key); `kind` is
    the bind's type; `choices` the choice names of a select, None when they are not in
    the form (a choice list from a file)."""

    path: str
    kind: str
    label: str
    multiple: bool = False
    select: bool = False
    choices: tuple[str, ...] | None = None
    repeat: str = ""


@dataclass
class FormFields:
    fields: dict[str, FormField] = field(default_factory=dict)  # by absolute path
    base: str = ""
    repeats: set[str] = field(default_factory=set)  # keys of the repeats

    def top_level(self) -> list[FormField]:
        """The fields outside repeats, in the form's order."""
        return [f for f in self.fields.values() if not f.repeat]

    def get(self, path: str) -> FormField | None:
        """A field outside repeats by its key in `Submission.data`."""
        found = self.fields.get(f"{self.base}/{path}")
        return found if found is not None and not found.repeat else None

    def named(self, name: str) -> FormField | None:
        """The first field outside repeats called `name`, in a group or not."""
        return next((f for f in self.top_level() if f.path.rsplit("/", 1)[-1] == name), None)

    def in_repeat(self, repeat: str, path: str) -> FormField | None:
        return self.fields.get(f"{self.base}/{repeat}/{path}")


_ITEXT = re.compile(r"jr:itext\('([^']*)'\)")


def _itext(model: ElementTree.Element) -> dict[str, str]:
    """The label texts of the translation in the active language (by its code in
    parentheses, as pyxform writes "Español (es)"), else the default one, else the first."""
    translations = model.findall(f"{XFORMS}itext/{XFORMS}translation")
    if not translations:
        return {}
    language = (get_language() or "en").split("-")[0]
    chosen = next(
        (t for t in translations if f"({language})" in t.get("lang", "")),
        next((t for t in translations if t.get("default")), translations[0]),
    )
    texts = {}
    for text in chosen.findall(f"{XFORMS}text"):
        values = [v for v in text.findall(f"{XFORMS}value") if not v.get("form")]
        if values and text.get("id"):
            texts[text.get("id", "")] = "".join(values[0].itertext()).strip()
    return texts


def _label(control: ElementTree.Element, texts: dict[str, str]) -> str:
    label = control.find(f"{XFORMS}label")
    if label is None:
        return ""
    match = _ITEXT.search(label.get("ref", ""))
    if match:
        return texts.get(match.group(1), "")
    return "".join(label.itertext()).strip()


def _choices(
    control: ElementTree.Element, instances: dict[str, ElementTree.Element | None]
) -> tuple[str, ...] | None:
    items = control.findall(f"{XFORMS}item")
    if items:
        return tuple((item.findtext(f"{XFORMS}value") or "").strip() for item in items)
    itemset = control.find(f"{XFORMS}itemset")
    if itemset is None:
        return None
    match = re.match(r"instance\('([^']+)'\)", itemset.get("nodeset", ""))
    value = itemset.find(f"{XFORMS}value")
    name = value.get("ref", "name") if value is not None else "name"
    instance = instances.get(match.group(1)) if match else None
    if instance is None:  # a choice list from a file (select_one_from_file)
        return None
    return tuple(
        (item.findtext(f"{XFORMS}{name}") or "").strip() for item in instance.iter(f"{XFORMS}item")
    )


def form_fields(form_xml: str) -> FormFields:
    """The fields of an XForm with their type, label and choices (a form that cannot be
    read has none: the answers are then shown by their paths)."""
    try:
        root = ElementTree.fromstring(form_xml.encode("utf-8"))  # noqa: S314 (our own XForm)
    except ElementTree.ParseError:
        return FormFields()
    model = root.find(f"{H}head/{XFORMS}model")
    if model is None:
        return FormFields()
    instances: dict[str, ElementTree.Element | None] = {}
    base = ""
    for instance in model.findall(f"{XFORMS}instance"):
        if instance.get("id") is None:
            if len(instance) and not base:
                base = "/" + instance[0].tag.rsplit("}", 1)[-1]
            continue
        instances[instance.get("id", "")] = None if instance.get("src") else instance
    shape = form_shape(form_xml)
    texts = _itext(model)
    controls: dict[str, ElementTree.Element] = {}
    body = root.find(f"{H}body")
    if body is not None:
        for control in body.iter():
            if control.get("ref") and control.tag.rsplit("}", 1)[-1] not in ("group", "label"):
                controls[control.get("ref", "")] = control
    found = FormFields(base=base, repeats={r[len(base) + 1 :] for r in shape.repeats})
    for absolute, kind in shape.types.items():
        if not absolute.startswith(base + "/") or absolute.startswith(f"{base}/meta/"):
            continue
        if any(other.startswith(absolute + "/") for other in shape.types):
            continue  # a group's own bind (its relevance), not a field
        repeat = max(
            (r for r in shape.repeats if absolute.startswith(r + "/")), key=len, default=""
        )
        spec_control = controls.get(absolute)
        tag = spec_control.tag.rsplit("}", 1)[-1] if spec_control is not None else ""
        select = tag in ("select", "select1")
        found.fields[absolute] = FormField(
            path=absolute[len(repeat or base) + 1 :],
            kind=kind,
            label=_label(spec_control, texts) if spec_control is not None else "",
            multiple=absolute in shape.multiple,
            select=select,
            choices=_choices(spec_control, instances)
            if select and spec_control is not None
            else None,
            repeat=repeat[len(base) + 1 :] if repeat else "",
        )
    return found


@dataclass(frozen=True)
class AnswerRow:
    """One answer as the submission page shows it: `kind` is "text", "list" (a
    select_multiple), "geopoint" or "repeat" (`columns` and `rows` then)."""

    path: str
    label: str
    kind: str
    value: Any = None
    columns: tuple[tuple[str, str], ...] = ()
    rows: tuple[tuple[Any, ...], ...] = ()
    corrected: bool = False


def _cell(value: Any) -> str | None:
    """A value in a repeat's table: None stays None (shown as a dash)."""
    return None if value is None or value == [] else answer_text(value)


def _answer_kind(value: Any, spec: FormField | None) -> str:
    if isinstance(value, dict) and "latitude" in value:
        return "geopoint"
    if isinstance(value, list):
        return "list"
    return "text"


def _form_order(fields: FormFields) -> Any:
    """A sort key putting answers in the form's order (the database may keep JSON keys in
    an order of its own, as PostgreSQL's jsonb does); keys the form does not have last."""
    positions = list(fields.fields)

    def position(key: str) -> tuple[int, str]:
        prefix = f"{fields.base}/{key}"
        for index, absolute in enumerate(positions):
            if absolute == prefix or absolute.startswith(prefix + "/"):
                return (index, key)
        return (len(positions), key)

    return position


def answer_rows(
    data: dict[str, Any], fields: FormFields, corrected: set[str] | None = None
) -> list[AnswerRow]:
    """The answers of a submission (its `data`, corrections applied), labelled by its form
    version, in the form's order; `corrected`: the paths corrected."""
    corrected = corrected or set()
    answers = []
    data = data or {}
    order = _form_order(fields)
    for key in sorted(data, key=lambda k: order(k)):
        value = data[key]
        spec = fields.get(key)
        label = spec.label if spec is not None and spec.label else key
        if key in fields.repeats or (
            isinstance(value, list) and value and all(isinstance(v, dict) for v in value)
        ):
            repeat_label = fields.fields.get(f"{fields.base}/{key}")
            columns: list[str] = []
            for entry in value:
                columns += [c for c in entry if c not in columns]
            columns.sort(key=lambda c: order(f"{key}/{c}"))
            headers = []
            for column in columns:
                inner = fields.in_repeat(key, column)
                headers.append(
                    (column, inner.label if inner is not None and inner.label else column)
                )
            answers.append(
                AnswerRow(
                    path=key,
                    label=repeat_label.label
                    if repeat_label is not None and repeat_label.label
                    else key,
                    kind="repeat",
                    columns=tuple(headers),
                    rows=tuple(tuple(_cell(entry.get(c)) for c in columns) for entry in value),
                )
            )
            continue
        answers.append(
            AnswerRow(
                path=key,
                label=label,
                kind=_answer_kind(value, spec),
                value=value,
                corrected=key in corrected,
            )
        )
    return answers


class AnswerInvalid(ValueError):
    """A typed value that does not fit its field; the message says why."""


_INTEGER = re.compile(r"[+-]?\d+")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def answer_read(spec: FormField, text: str) -> Any:
    """The value `Submission.data` keeps for `text` typed in field `spec`: a number for
    an integer, a decimal as text, an ISO date, a list of choice names for a
    select_multiple, a geopoint as its four parts; None (an empty list for a
    select_multiple) for an empty text. AnswerInvalid names what does not fit."""
    value = text.strip()
    if not value:
        return [] if spec.multiple else None
    if spec.multiple or spec.select:
        names = value.split() if spec.multiple else [value]
        if spec.choices is not None:
            unknown = [name for name in names if name not in spec.choices]
            if unknown:
                raise AnswerInvalid(
                    _("%(names)s is not a choice of this field (choices: %(choices)s).")
                    % {"names": ", ".join(unknown), "choices": ", ".join(spec.choices)}
                )
        return names if spec.multiple else value
    if spec.kind == "int":
        if not _INTEGER.fullmatch(value):
            raise AnswerInvalid(_("a whole number is expected."))
        return int(value)
    if spec.kind == "decimal":
        try:
            number = Decimal(value)
        except InvalidOperation:
            number = Decimal("NaN")
        if not number.is_finite():
            raise AnswerInvalid(_("a number is expected (a point before the decimals)."))
        return str(number)
    if spec.kind == "date":
        try:
            if not _DATE.fullmatch(value):
                raise ValueError(value)
            return dt.date.fromisoformat(value).isoformat()
        except ValueError:
            raise AnswerInvalid(_("a date is expected, written YYYY-MM-DD.")) from None
    if spec.kind == "dateTime":
        try:
            dt.datetime.fromisoformat(value)
        except ValueError:
            raise AnswerInvalid(_("a date and time is expected, as 2026-03-01T14:30:00.")) from None
        return value
    if spec.kind == "time":
        try:
            dt.time.fromisoformat(value)
        except ValueError:
            raise AnswerInvalid(_("a time is expected, as 14:30.")) from None
        return value
    if spec.kind == "geopoint":
        return _geopoint(value)
    return value


def _geopoint(value: str) -> dict[str, str | None]:
    parts = value.replace(",", " ").split()
    problem = _(
        "a geopoint is expected: latitude and longitude in degrees, then optionally "
        "altitude and accuracy in metres, separated by spaces."
    )
    if not 2 <= len(parts) <= 4:
        raise AnswerInvalid(problem)
    try:
        numbers = [Decimal(part) for part in parts]
    except InvalidOperation:
        raise AnswerInvalid(problem) from None
    if not all(n.is_finite() for n in numbers) or abs(numbers[0]) > 90 or abs(numbers[1]) > 180:
        raise AnswerInvalid(problem)
    names = ("latitude", "longitude", "altitude", "accuracy")
    return {name: str(numbers[i]) if i < len(numbers) else None for i, name in enumerate(names)}


def answer_text(value: Any) -> str:
    """A value of `Submission.data` written as a person would type it back."""
    if value is None:
        return ""
    if isinstance(value, list):
        return " ".join(str(v) for v in value)
    if isinstance(value, dict):
        parts = [value.get(k) for k in ("latitude", "longitude", "altitude", "accuracy")]
        return " ".join(str(p) for p in parts if p is not None)
    return str(value)
