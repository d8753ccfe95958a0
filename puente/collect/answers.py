"""Answers of a submission as people read and type them: the rows of the submission page
(choices by their labels in the active language), the answer shown in the submissions
list, the answers a person may correct and where each sits in `Submission.data`, and a
value typed by a person (a correction, a filter) read into the value `Submission.data`
keeps for its field, as `parsing.py` types what devices send. The fields themselves are
`fields.py`."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from puente.collect.fields import UNCORRECTABLE_KINDS, FormField, FormFields, Steps


def answer_record(data: dict[str, Any], steps: Steps) -> dict[str, Any] | None:
    """The dict of `data` holding an answer reached by `steps` (`data` itself without
    steps); None when the submission has no such record."""
    record: Any = data
    for key, index in steps:
        records = record.get(key) if isinstance(record, dict) else None
        if not isinstance(records, list) or not 0 <= index < len(records):
            return None
        record = records[index]
    return record if isinstance(record, dict) else None


def correction_targets(data: dict[str, Any], fields: FormFields) -> list[tuple[str, str]]:
    """(answer path, what the correction form shows) of every answer of a submission a
    person may correct: the fields outside repeats, then each field of each record of
    each repeat (nested ones included), files left out."""
    targets = [
        (f.path, f"{f.label} ({f.path})" if f.label else f.path)
        for f in fields.top_level()
        if f.kind not in UNCORRECTABLE_KINDS
    ]

    def records(record: dict[str, Any], prefix: str, repeat: str) -> None:
        for key in sorted(fields.repeats):
            if not key.startswith(repeat) or key == repeat.rstrip("/"):
                continue
            inner = key[len(repeat) :]
            if inner not in record or not isinstance(record[inner], list):
                continue
            for number, entry in enumerate(record[inner], start=1):
                if not isinstance(entry, dict):
                    continue
                at = f"{prefix}{inner}[{number}]/"
                for spec in fields.fields.values():
                    if spec.repeat != key or spec.kind in UNCORRECTABLE_KINDS:
                        continue
                    shown = _("%(repeat)s %(number)s: %(field)s") % {
                        "repeat": fields.repeat_label(key),
                        "number": number,
                        "field": spec.label or spec.path,
                    }
                    targets.append((f"{at}{spec.path}", f"{shown} ({at}{spec.path})"))
                records(entry, at, f"{key}/")

    records(data or {}, "", "")
    return targets


@dataclass(frozen=True)
class RepeatCell:
    """One answer of a repeat record on the submission page: `text` as shown (a choice's
    label; None for no answer), `path` its answer path (`travellers[2]/traveller_age`),
    `corrected` whether a correction changed it."""

    text: str | None
    path: str
    corrected: bool = False


@dataclass(frozen=True)
class AnswerRow:
    """One answer as the submission page shows it: `kind` is "text", "list" (a
    select_multiple), "geopoint" or "repeat" (`columns` and `rows` then). `value` is the
    answer as `Submission.data` keeps it, `shown` as a person reads it (the labels of
    the chosen choices, in the active language)."""

    path: str
    label: str
    kind: str
    value: Any = None
    columns: tuple[tuple[str, str], ...] = ()
    rows: tuple[tuple[RepeatCell, ...], ...] = ()
    corrected: bool = False
    shown: Any = None


def shown_text(value: Any, spec: FormField | None) -> str:
    """An answer written as the pages show it: choices by their labels (separated by
    commas for a select_multiple), a geopoint as its parts."""
    shown = spec.shown(value) if spec is not None else value
    if isinstance(shown, list):
        return ", ".join(str(v) for v in shown)
    return answer_text(shown)


def filtered_text(data: dict[str, Any], spec: FormField) -> str:
    """The answer of a filterable field as the submissions list shows it: a field of a
    repeat has one answer per record, separated by semicolons."""
    data = data or {}
    if not spec.repeat:
        return shown_text(data.get(spec.path), spec)
    records = data.get(spec.repeat)
    if not isinstance(records, list):
        return ""
    return "; ".join(
        shown_text(record.get(spec.path), spec) or "–"
        for record in records
        if isinstance(record, dict)
    )


def _cell(value: Any, spec: FormField | None) -> str | None:
    """A value in a repeat's table: None stays None (shown as a dash); a repeat inside the
    record by its number of records (each one's answers are in the correction form)."""
    if value is None or value == []:
        return None
    if isinstance(value, list) and all(isinstance(v, dict) for v in value):
        return ngettext("%(count)s record", "%(count)s records", len(value)) % {"count": len(value)}
    return shown_text(value, spec)


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
    version, in the form's order, a choice shown by its label; `corrected`: the answer
    paths corrected (`FormFields.locate`)."""
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
            columns: list[str] = []
            for entry in value:
                columns += [c for c in entry if c not in columns]
            columns.sort(key=lambda c: order(f"{key}/{c}"))
            specs = [fields.in_repeat(key, column) for column in columns]
            headers = tuple(
                (column, inner.label if inner is not None and inner.label else column)
                for column, inner in zip(columns, specs, strict=True)
            )
            rows = []
            for number, entry in enumerate(value, start=1):
                cells = []
                for column, inner in zip(columns, specs, strict=True):
                    path = f"{key}[{number}]/{column}"
                    cells.append(
                        RepeatCell(
                            text=_cell(entry.get(column), inner),
                            path=path,
                            corrected=path in corrected,
                        )
                    )
                rows.append(tuple(cells))
            answers.append(
                AnswerRow(
                    path=key,
                    label=fields.repeat_label(key),
                    kind="repeat",
                    columns=headers,
                    rows=tuple(rows),
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
                shown=spec.shown(value) if spec is not None else value,
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


def answer_shown_text(value: Any, spec: FormField | None) -> str:
    """A value of `Submission.data` as a person reads it: a select's choices by their
    labels (in the active language), separated by commas; anything else as `answer_text`
    writes it."""
    if spec is None or not spec.select or value in (None, "", []):
        return answer_text(value)
    shown = spec.shown(value)
    return ", ".join(shown) if isinstance(shown, list) else str(shown)


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
