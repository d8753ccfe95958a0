"""The fields of a form version, read from its XForm: type, label and the choices with
their labels (in the active language when the form has translations, else its default
one); which fields the submissions list filters by; and how an answer path
(`travellers[2]/traveller_age`) names a field and the repeat record holding its answer.
How answers are shown, listed for correction and read from typed text: `answers.py`."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from xml.etree import ElementTree

from django.utils.translation import get_language, get_language_info

from puente.collect.parsing import XFORMS, H, form_shape

Choices = tuple[tuple[str, str], ...]  # (name, label) of each choice
# Field types whose answers the submissions list compares (one value each).
FILTERABLE_KINDS = {"string", "int", "decimal", "date", "dateTime", "time"}


@dataclass(frozen=True)
class FormField:
    """One field of a form version. `path` is its key in `Submission.data` (relative to
    the repeat for a field inside one, `repeat` then being the repeat's key); `kind` is
    the bind's type; `choices` the choice names of a select, None when they are not in
    the form (a choice list from a file), and `choice_labels` their labels in the active
    language."""

    path: str
    kind: str
    label: str
    multiple: bool = False
    select: bool = False
    choices: tuple[str, ...] | None = None
    repeat: str = ""
    choice_labels: Choices = ()

    def choice_label(self, name: str) -> str:
        """The label of choice `name` in the active language, else in the form's default
        language, else the name itself (a name the list does not have, or a choice list
        from a file)."""
        return next((label for choice, label in self.choice_labels if choice == name), "") or name

    def shown(self, value: Any) -> Any:
        """An answer of this field as a person reads it: the label of a select_one's
        choice, the labels of a select_multiple's (a list), any other value as it is."""
        if not self.select or value is None:
            return value
        if isinstance(value, list):
            return [self.choice_label(str(name)) for name in value]
        if self.multiple and isinstance(value, str):
            return [self.choice_label(name) for name in value.split()]
        return self.choice_label(str(value))


@dataclass
class FormFields:
    fields: dict[str, FormField] = field(default_factory=dict)  # by absolute path
    base: str = ""
    repeats: set[str] = field(default_factory=set)  # keys of the repeats
    repeat_labels: dict[str, str] = field(default_factory=dict)  # by repeat key

    def repeat_label(self, key: str) -> str:
        """The label of repeat `key` (that of the group around it), else its key."""
        return self.repeat_labels.get(key) or key

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

    def filterable(self) -> list[FormField]:
        """The fields the submissions list filters by, in the form's order: those outside
        repeats and those of a repeat that is not inside another one, each holding one
        value (not a select_multiple, a geopoint or a file)."""
        return [
            f
            for f in self.fields.values()
            if f.kind in FILTERABLE_KINDS
            and not f.multiple
            and (not f.repeat or not any(f.repeat.startswith(r + "/") for r in self.repeats))
        ]

    def filter_path(self, spec: FormField) -> str:
        """How the filters name a field: its key outside repeats (`interview/point`), the
        repeat's key and its key in the record inside one (`travellers/traveller_age`)."""
        return f"{spec.repeat}/{spec.path}" if spec.repeat else spec.path

    def filtered(self, path: str) -> FormField | None:
        """The field the filters name `path` (`filter_path`), if filterable."""
        return next((f for f in self.filterable() if self.filter_path(f) == path), None)

    def locate(self, path: str) -> tuple[FormField, Steps] | None:
        """The field an answer path names, and the steps to the record holding its
        answer in `Submission.data`. A field outside repeats is named by its key
        (`interview/point`, no steps); a field of a repeat record by the repeat's key,
        the record's number from 1 in brackets, and the field's key in the record
        (`travellers[2]/traveller_age`; nested, `household[1]/members[2]/age`), the steps
        then being (repeat key, index from 0). None for a path naming no field."""
        match = _ANSWER_PATH.fullmatch(path)
        if match is None:
            return None
        steps = tuple((key, int(number) - 1) for key, number in _RECORD.findall(match.group(1)))
        repeat = self.base
        for key, _index in steps:
            repeat = f"{repeat}/{key}"
            if repeat[len(self.base) + 1 :] not in self.repeats:
                return None
        spec = self.fields.get(f"{repeat}/{match.group(2)}")
        if spec is None or spec.repeat != repeat[len(self.base) + 1 :]:
            return None
        return spec, steps


# (repeat key, index from 0) of each repeat record on the way to an answer.
Steps = tuple[tuple[str, int], ...]
_RECORD = re.compile(r"([^\[\]]+)\[([1-9][0-9]*)\]/")
_ANSWER_PATH = re.compile(r"((?:[^\[\]]+\[[1-9][0-9]*\]/)*)([^\[\]]+)")


# Field types a person cannot correct by typing: files sent with the submission.
UNCORRECTABLE_KINDS = {"binary"}


_ITEXT = re.compile(r"jr:itext\('([^']*)'\)")
_LANGUAGE = re.compile(r"\(([A-Za-z]{2,3}(?:-[A-Za-z0-9]+)?)\)\s*$")
# What pyxform writes for a text a translation lacks.
_MISSING = "-"


def language_code(name: str) -> str:
    """The code of a language as XLSForm names it: `Español (es)` -> `es`; a name
    without its code in parentheses (`default`) stays as written, in lower case."""
    match = _LANGUAGE.search(name)
    return (match.group(1) if match else name).lower()


def language_name(code: str) -> str:
    """A language's name in that language (`es`: Español); a code Django does not know
    is shown as it is."""
    try:
        return str(get_language_info(code)["name_local"])
    except KeyError:
        return code


def form_languages(xml: str) -> list[str]:
    """The codes of the languages an XForm's labels are written in (`es`, `pt`, ...), in
    the form's order; none when its labels have no translations."""
    root = ElementTree.fromstring(xml.encode("utf-8"))  # noqa: S314 (our own XForm)
    codes = [
        language_code(t.get("lang", "")) for t in root.iter(f"{XFORMS}translation") if t.get("lang")
    ]
    return list(dict.fromkeys(codes))


def _itext(model: ElementTree.Element) -> dict[str, str]:
    """The label texts, by text ID, in the active language: those of the translation in
    that language (by its code, `language_code`), each text it lacks (empty, or the `-`
    pyxform writes in its place) taken from the default translation (the `label` column
    without a language), else from the first."""
    translations = model.findall(f"{XFORMS}itext/{XFORMS}translation")
    if not translations:
        return {}
    language = (get_language() or "en").split("-")[0].lower()
    preferred = [
        *(t for t in translations if language_code(t.get("lang", "")) == language),
        *(t for t in translations if t.get("default")),
        translations[0],
    ]
    texts: dict[str, str] = {}
    for translation in reversed(preferred):  # the preferred one written last, winning
        for text in translation.findall(f"{XFORMS}text"):
            values = [v for v in text.findall(f"{XFORMS}value") if not v.get("form")]
            content = "".join(values[0].itertext()).strip() if values else ""
            if text.get("id") and content and content != _MISSING:
                texts[text.get("id", "")] = content
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
    control: ElementTree.Element,
    instances: dict[str, ElementTree.Element | None],
    texts: dict[str, str],
) -> Choices | None:
    """(name, label) of each choice of a select, the label in the active language as
    `_itext` chooses it ("" when the form has none); None when the choices are not in
    the form (a choice list from a file)."""
    items = control.findall(f"{XFORMS}item")
    if items:
        return tuple(
            ((item.findtext(f"{XFORMS}value") or "").strip(), _label(item, texts)) for item in items
        )
    itemset = control.find(f"{XFORMS}itemset")
    if itemset is None:
        return None
    match = re.match(r"instance\('([^']+)'\)", itemset.get("nodeset", ""))
    value = itemset.find(f"{XFORMS}value")
    name = value.get("ref", "name") if value is not None else "name"
    label = itemset.find(f"{XFORMS}label")
    label_ref = label.get("ref", "label") if label is not None else "label"
    instance = instances.get(match.group(1)) if match else None
    if instance is None:  # a choice list from a file (select_one_from_file)
        return None
    found = []
    for item in instance.iter(f"{XFORMS}item"):
        if label_ref.startswith("jr:itext("):  # `jr:itext(itextId)`: a text of the itext
            text_id = label_ref[len("jr:itext(") : -1]
            text = texts.get((item.findtext(f"{XFORMS}{text_id}") or "").strip(), "")
        else:
            text = (item.findtext(f"{XFORMS}{label_ref}") or "").strip()
        found.append(((item.findtext(f"{XFORMS}{name}") or "").strip(), text))
    return tuple(found)


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
    found = FormFields(base=base, repeats={r[len(base) + 1 :] for r in shape.repeats})
    body = root.find(f"{H}body")
    if body is not None:
        for control in body.iter():
            tag = control.tag.rsplit("}", 1)[-1]
            if control.get("ref") and tag not in ("group", "label"):
                controls[control.get("ref", "")] = control
            elif tag == "group" and control.get("ref") in shape.repeats:
                # pyxform wraps a repeat in a group of the same ref, labelled
                found.repeat_labels[control.get("ref", "")[len(base) + 1 :]] = _label(
                    control, texts
                )
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
        choices = (
            _choices(spec_control, instances, texts)
            if select and spec_control is not None
            else None
        )
        found.fields[absolute] = FormField(
            path=absolute[len(repeat or base) + 1 :],
            kind=kind,
            label=_label(spec_control, texts) if spec_control is not None else "",
            multiple=absolute in shape.multiple,
            select=select,
            choices=tuple(name for name, _label in choices) if choices is not None else None,
            repeat=repeat[len(base) + 1 :] if repeat else "",
            choice_labels=choices or (),
        )
    return found
