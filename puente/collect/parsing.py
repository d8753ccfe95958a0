"""Answers of a submission read by its form version: the XForm's binds give each field's
type, its body which fields are select_multiple and which groups repeat.

`submission_values(form_xml, submission_xml)` gives a dict keyed by field path under the
root (`g/t` for field `t` in group `g`), typed: int, decimal (`Decimal`), date / dateTime /
time as ISO text, select_multiple as a list of choice names, geopoint as a dict
(`latitude`, `longitude`, `altitude`, `accuracy`), everything else as text; an empty
answer is None. A repeat is a list of such dicts, keyed by the path under the repeat.
The values are JSON-ready except decimals, written as text by `json_values`."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any
from xml.etree import ElementTree

from puente.collect.openrosa import UnreadableSubmission, submission_meta

XFORMS = "{http://www.w3.org/2002/xforms}"
H = "{http://www.w3.org/1999/xhtml}"


@dataclass
class FormShape:
    """Types by absolute path (`/data/people/age`), the select_multiple paths and the
    repeat paths of one XForm."""

    types: dict[str, str] = field(default_factory=dict)
    multiple: set[str] = field(default_factory=set)
    repeats: set[str] = field(default_factory=set)


@lru_cache(maxsize=16)
def form_shape(form_xml: str) -> FormShape:
    """Read once per XForm and process (a published version never changes, and parsing
    the flow-monitoring survey's XForm costs more than the rest of reading a
    submission): the shape returned is shared, read it only."""
    root = ElementTree.fromstring(form_xml.encode("utf-8"))  # noqa: S314 (our own XForm)
    shape = FormShape()
    for bind in root.iter(f"{XFORMS}bind"):
        nodeset = bind.get("nodeset")
        if nodeset:
            shape.types[nodeset] = bind.get("type", "string")
    for element in root.iter(f"{XFORMS}select"):
        if element.get("ref"):
            shape.multiple.add(element.get("ref", ""))
    for element in root.iter(f"{XFORMS}repeat"):
        if element.get("nodeset"):
            shape.repeats.add(element.get("nodeset", ""))
    return shape


def _typed(text: str | None, kind: str, multiple: bool) -> Any:
    value = (text or "").strip()
    if not value:
        return [] if multiple else None
    if multiple:
        return value.split()
    try:
        if kind == "int":
            return int(value)
        if kind == "decimal":
            return Decimal(value)
    except (ValueError, InvalidOperation):
        return value
    if kind == "geopoint":
        parts = value.split()
        if len(parts) >= 2:
            try:
                numbers = [Decimal(p) for p in parts[:4]]
            except InvalidOperation:
                return value
            names = ("latitude", "longitude", "altitude", "accuracy")
            return {name: numbers[i] if i < len(numbers) else None for i, name in enumerate(names)}
    return value


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _read(element: ElementTree.Element, path: str, base: str, shape: FormShape) -> dict[str, Any]:
    """The answers under `element` (at absolute `path`), keyed relative to `base`."""
    values: dict[str, Any] = {}
    for child in element:
        name = _local(child.tag)
        child_path = f"{path}/{name}"
        key = child_path[len(base) + 1 :]
        if child_path in shape.repeats:
            values.setdefault(key, []).append(_read(child, child_path, child_path, shape))
        elif len(child):
            values.update(_read(child, child_path, base, shape))
        else:
            values[key] = _typed(
                child.text, shape.types.get(child_path, "string"), child_path in shape.multiple
            )
    return values


def submission_values(form_xml: str, submission_xml: str) -> dict[str, Any]:
    """The typed answers of a submission (see the module's docstring)."""
    raw = submission_xml.encode("utf-8")
    submission_meta(raw)  # refuses document type declarations
    root = ElementTree.fromstring(raw)  # noqa: S314 (checked above)
    return _read(root, f"/{_local(root.tag)}", f"/{_local(root.tag)}", form_shape(form_xml))


def json_values(values: Any) -> Any:
    """The answers with decimals as text, for a JSON field."""
    if isinstance(values, dict):
        return {key: json_values(value) for key, value in values.items()}
    if isinstance(values, list):
        return [json_values(value) for value in values]
    if isinstance(values, Decimal):
        return str(values)
    return values


def stored_values(form_xml: str, submission_xml: str) -> dict[str, Any]:
    """What `Submission.data` keeps; {} for XML the parser cannot read (the raw XML is
    kept whatever happens here)."""
    try:
        return json_values(submission_values(form_xml, submission_xml))  # type: ignore[no-any-return]
    except (UnreadableSubmission, ElementTree.ParseError):
        return {}
