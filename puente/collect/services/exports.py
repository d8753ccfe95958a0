"""Collected data out: one table for the form and one per repeat group, as CSV files or as
one XLSX workbook (docs/collect.md, "Exports").

The columns are those of every version of the form, merged in form order, read from the
XLSForm each version keeps (pyxform's reading of it: names, types, labels in every
language, choice lists and the `hxl` column, which the XForm does not carry). The rows
are `Submission.data`, read in chunks and written as they come: an export of any size
holds one chunk of submissions in memory, never the whole form.

Keys follow ODK Central: a submission's KEY is its `root_id` (the first instanceID of its
edit chain, so an edit keeps its key); a repeat row's KEY is its parent's KEY followed by
`/<repeat name>[n]` (n from 1), and PARENT_KEY is the parent's KEY.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from pathlib import Path, PurePath
from typing import IO, Any, Protocol
from xml.etree import ElementTree

import xlsxwriter
from django.db.models import QuerySet
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from pyxform.errors import PyXFormError
from pyxform.xls2xform import convert

from puente.accounts.permissions import Action, Actor
from puente.collect.fields import language_code
from puente.collect.models import Form, FormVersion, Submission
from puente.collect.parsing import XFORMS, form_shape
from puente.collect.selectors import user_can_on_project
from puente.core.errors import NotFound
from puente.core.exports import DANGEROUS_PREFIXES, inert

FORMATS = ("csv", "xlsx")
# What a download of each format is: the CSV tables in a ZIP, or one workbook.
CONTENT_TYPES = {
    "csv": "application/zip",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
CHUNK_SIZE = 2000
GEO_PARTS = (
    ("latitude", "Latitude", "lat"),
    ("longitude", "Longitude", "lon"),
    ("altitude", "Altitude", "alt"),
    ("accuracy", "Accuracy", "accuracy"),
)
# The part of a geopoint after its label, when headers are labels.
GEO_LABELS = {
    "latitude": gettext_lazy("latitude"),
    "longitude": gettext_lazy("longitude"),
    "altitude": gettext_lazy("altitude"),
    "accuracy": gettext_lazy("accuracy"),
}
NUMERIC_TYPES = {"integer", "int", "decimal", "range"}
# Questions that hold no answer of their own.
NO_VALUE_TYPES = {"note", "trigger", "acknowledge"}
_HXL_ATTRIBUTE = re.compile(r"[^a-z0-9_]+")


@dataclass(frozen=True)
class Column:
    """One column of a table. `key` is where the answer sits in a row of the table
    (`interview/location`: path under the table's root, as `Submission.data` keys it);
    `name` is the header (`interview-location-Latitude`). `kind`: `value`, `multiple`
    (a select_multiple's answer, space separated), `choice` (0/1 for the choice `part`),
    `geo` (the geopoint's `part`), or `submission` (a column of the submission itself)."""

    name: str
    key: str
    kind: str = "value"
    part: str = ""
    numeric: bool = False
    labels: dict[str, str] = field(default_factory=dict)
    hxl: str = ""


@dataclass
class Table:
    """The form's table (`path` "") or one repeat group's (`path`: the repeat's path under
    the form's root, `travellers` or `household/members`). `key` is where the repeat's
    rows sit in a row of the parent table, `parent` the parent table's path."""

    path: str
    name: str
    key: str = ""
    parent: str | None = None
    columns: list[Column] = field(default_factory=list)


@dataclass
class ExportShape:
    """The tables of a form, the union of its versions' tables in form order."""

    form_id: str
    tables: list[Table]
    versions: dict[int, str]
    languages: list[str]

    @property
    def has_hxl(self) -> bool:
        return any(column.hxl for table in self.tables for column in table.columns)

    def file_stem(self, table: Table) -> str:
        return self.form_id if not table.path else f"{self.form_id}-{table.name}"


def _labels(value: Any) -> dict[str, str]:
    if isinstance(value, dict):
        return {language_code(str(k)): str(v) for k, v in value.items() if v}
    if value:
        return {"default": str(value)}
    return {}


def _hxl_part(tag: str, part: str) -> str:
    if not tag:
        return ""
    return f"{tag}+{_HXL_ATTRIBUTE.sub('_', part.lower()).strip('_')}"


def _version_tables(
    version_dict: dict[str, Any],
) -> list[Table]:
    """The tables of one version, from pyxform's reading of its XLSForm."""
    choices: dict[str, list[dict[str, Any]]] = version_dict.get("choices") or {}
    main = Table(path="", name="")
    tables = [main]

    def walk(children: list[dict[str, Any]], prefix: str, table: Table, at_root: bool) -> None:
        for child in children:
            kind = str(child.get("type", ""))
            name = str(child.get("name", ""))
            key = f"{prefix}{name}"
            header = key.replace("/", "-")
            labels = _labels(child.get("label"))
            hxl = str(child.get("hxl") or "")
            if kind == "repeat":
                path = f"{table.path}/{key}" if table.path else key
                repeat = Table(path=path, name=name, key=key, parent=table.path)
                tables.append(repeat)
                walk(child.get("children", []), "", repeat, False)
            elif kind == "group":
                if at_root and not prefix and name == "meta":
                    continue  # instanceID and friends: the submission's own columns
                walk(child.get("children", []), f"{key}/", table, False)
            elif kind in NO_VALUE_TYPES:
                continue
            elif kind == "geopoint":
                for part, suffix, attribute in GEO_PARTS:
                    table.columns.append(
                        Column(
                            name=f"{header}-{suffix}",
                            key=key,
                            kind="geo",
                            part=part,
                            numeric=True,
                            labels=labels,
                            hxl=_hxl_part(hxl, attribute),
                        )
                    )
            elif kind == "select all that apply":
                table.columns.append(
                    Column(name=header, key=key, kind="multiple", labels=labels, hxl=hxl)
                )
                listed = child.get("choices") or choices.get(
                    str(child.get("itemset") or child.get("list_name") or ""), []
                )
                for choice in listed:
                    choice_name = str(choice.get("name", ""))
                    choice_labels = _labels(choice.get("label"))
                    table.columns.append(
                        Column(
                            name=f"{header}/{choice_name}",
                            key=key,
                            kind="choice",
                            part=choice_name,
                            numeric=True,
                            labels={
                                lang: f"{label}/{choice_labels.get(lang, choice_name)}"
                                for lang, label in labels.items()
                            },
                            hxl=_hxl_part(hxl, choice_name),
                        )
                    )
            else:
                table.columns.append(
                    Column(
                        name=header,
                        key=key,
                        numeric=kind in NUMERIC_TYPES,
                        labels=labels,
                        hxl=hxl,
                    )
                )

    walk(version_dict.get("children", []), "", main, True)
    return tables


def xlsform_dict(version: FormVersion) -> dict[str, Any]:
    """pyxform's reading of the XLSForm the version was published from; when the stored
    workbook cannot be read any more, the fields of the XForm (names and types, no labels,
    choices or hashtags), so that the data still comes out."""
    suffix = PurePath(version.xlsform_name or version.xlsform.name or "").suffix.lower()
    try:
        with version.xlsform.open("rb") as handle:
            content = handle.read()
        result = convert(xlsform=io.BytesIO(content), file_type=suffix, warnings=[])
    except (OSError, ValueError, PyXFormError, KeyError, TypeError):
        return xform_dict(version.xml)
    return result._pyxform  # type: ignore[no-any-return]


def xform_dict(form_xml: str) -> dict[str, Any]:
    """The fields of an XForm in pyxform's shape, in the order of its instance."""
    shape = form_shape(form_xml)
    root = ElementTree.fromstring(form_xml.encode("utf-8"))  # noqa: S314 (our own XForm)
    instance = root.find(f".//{XFORMS}instance")
    primary = next(iter(instance)) if instance is not None and len(instance) else None

    def children(element: ElementTree.Element, path: str) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        seen: set[str] = set()
        for child in element:
            name = child.tag.rsplit("}", 1)[-1]
            child_path = f"{path}/{name}"
            if name in seen:
                continue  # a repeat's template and its first instance
            seen.add(name)
            if child_path in shape.repeats:
                found.append(
                    {"type": "repeat", "name": name, "children": children(child, child_path)}
                )
            elif len(child):
                found.append(
                    {"type": "group", "name": name, "children": children(child, child_path)}
                )
            elif child_path in shape.multiple:
                found.append({"type": "select all that apply", "name": name})
            else:
                kind = shape.types.get(child_path, "string")
                found.append({"type": {"int": "integer"}.get(kind, kind), "name": name})
        return found

    if primary is None:
        return {"children": []}
    return {"children": children(primary, "/" + primary.tag.rsplit("}", 1)[-1])}


def _merge(into: list[Column], new: list[Column]) -> None:
    """Add `new` (one version's columns, in its order) to `into` (the columns of the
    versions before): a column already there keeps its place and takes the newer label
    and hashtag; a new one goes right after the column that precedes it in its version."""
    where = {column.name: index for index, column in enumerate(into)}
    position = 0
    for column in new:
        index = where.get(column.name)
        if index is None:
            into.insert(position, column)
            where = {c.name: i for i, c in enumerate(into)}
            position += 1
        else:
            old = into[index]
            into[index] = replace(
                column, labels=column.labels or old.labels, hxl=column.hxl or old.hxl
            )
            position = index + 1


def export_shape(
    form: Form, *, reader: Callable[[FormVersion], dict[str, Any]] = xlsform_dict
) -> ExportShape:
    """The tables of every version of `form`, oldest first, merged."""
    versions = list(form.versions.order_by("created_at", "id"))
    tables: dict[str, Table] = {}
    order: list[str] = []
    languages: list[str] = []
    for version in versions:
        version_tables = _version_tables(reader(version))
        for table in version_tables:
            if table.path not in tables:
                tables[table.path] = Table(
                    path=table.path, name=table.name, key=table.key, parent=table.parent
                )
                order.append(table.path)
            _merge(tables[table.path].columns, table.columns)
            for column in table.columns:
                for language in column.labels:
                    if language not in languages:
                        languages.append(language)
    return ExportShape(
        form_id=form.form_id,
        tables=[tables[path] for path in order],
        versions={v.pk: v.version for v in versions},
        languages=languages,
    )


# Submission columns: on the form's table (KEY first, these after the answers) and on
# every repeat table (PARENT_KEY, KEY first).
def _submission_columns() -> list[Column]:
    return [
        Column(name="__instance_id", key="instance_id", kind="submission"),
        Column(name="__received_at", key="received_at", kind="submission"),
        Column(name="__submitted_by", key="submitted_by", kind="submission"),
        Column(name="__status", key="status", kind="submission"),
        Column(name="__version", key="version", kind="submission"),
    ]


def _submission_label(name: str) -> str:
    return {
        "KEY": "KEY",
        "PARENT_KEY": "PARENT_KEY",
        "__instance_id": _("Instance ID"),
        "__received_at": _("Received at"),
        "__submitted_by": _("Submitted by"),
        "__status": _("Status"),
        "__version": _("Form version"),
    }[name]


def table_columns(table: Table) -> list[Column]:
    """Every column of a table as written, keys and submission columns included."""
    key = Column(name="KEY", key="KEY", kind="submission")
    if not table.path:
        return [key, *table.columns, *_submission_columns()]
    return [Column(name="PARENT_KEY", key="PARENT_KEY", kind="submission"), key, *table.columns]


def headers(shape: ExportShape, table: Table, labels: str = "") -> list[str]:
    """The header row: column names, or the labels in language `labels` (the name where
    a column has no label in it)."""
    columns = table_columns(table)
    if not labels:
        return [column.name for column in columns]
    with translation.override(labels if labels in ("en", "es", "pt") else "en"):
        return [_header(column, labels) for column in columns]


def _header(column: Column, language: str) -> str:
    if column.kind == "submission":
        return _submission_label(column.name)
    label = column.labels.get(language) or column.labels.get("default")
    if not label:
        return column.name
    if column.kind == "geo":
        return f"{label} ({GEO_LABELS[column.part]})"
    return label


def hxl_row(table: Table) -> list[str]:
    return [column.hxl for column in table_columns(table)]


def _number(value: Any) -> Any:
    """A numeric answer as a number (text the parser could not read stays text)."""
    if isinstance(value, int | float):
        return value
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return inert(str(value))
    return int(number) if number == number.to_integral_value() and "." not in str(value) else number


def _text(value: Any) -> Any:
    if type(value) is str:
        # inert(), inlined: this runs for every text cell of every row.
        return ("'" + value if value.startswith(DANGEROUS_PREFIXES) else value) or None
    if value is None:
        return None
    if isinstance(value, dict):
        return inert(" ".join(str(v) for v in value.values()))
    if isinstance(value, list):
        return inert(" ".join(str(v) for v in value))
    return value


def _numeric(value: Any) -> Any:
    return None if value is None or value == "" else _number(value)


# A row's cells are made by emitters, each giving the cells of one question: one cell,
# the four parts of a geopoint, or a select_multiple's answer and its 0/1 per choice
# (the answer's set made once for all its choices: a form has hundreds of them).
Emitter = Callable[[dict[str, Any]], list[Any]]


def _value_emitter(column: Column) -> Emitter:
    key = column.key
    if column.numeric:
        return lambda row: [_numeric(row.get(key))]
    return lambda row: [_text(row.get(key))]


def _geo_emitter(key: str, parts: list[str]) -> Emitter:
    empty = [None] * len(parts)

    def emit(row: dict[str, Any]) -> list[Any]:
        value = row.get(key)
        if not isinstance(value, dict):
            return list(empty)
        return [_numeric(value.get(part)) for part in parts]

    return emit


def _select_emitter(key: str, parts: list[str | None]) -> Emitter:
    """`parts`: None for the answer's column, else the choice of a 0/1 column."""
    empty = [None] * len(parts)

    def emit(row: dict[str, Any]) -> list[Any]:
        value = row.get(key)
        chosen = value.split() if isinstance(value, str) else value
        if not chosen or not isinstance(chosen, list):
            return list(empty)
        names = {str(name) for name in chosen}
        return [
            _text(" ".join(str(name) for name in chosen))
            if part is None
            else (1 if part in names else 0)
            for part in parts
        ]

    return emit


def _emitters(columns: list[Column]) -> list[Emitter]:
    """The emitters of a table's answer columns, in order: consecutive columns of one
    geopoint, or of one select_multiple, share one."""
    groups: list[tuple[str, str, list[Any], Column]] = []
    for column in columns:
        group = (
            "geo"
            if column.kind == "geo"
            else "select"
            if column.kind in ("multiple", "choice")
            else ""
        )
        part = column.part if column.kind != "multiple" else None
        if group and groups and groups[-1][0] == group and groups[-1][1] == column.key:
            groups[-1][2].append(part)
        else:
            groups.append((group, column.key, [part], column))
    emitters = []
    for group, key, parts, column in groups:
        if group == "geo":
            emitters.append(_geo_emitter(key, parts))
        elif group == "select":
            emitters.append(_select_emitter(key, parts))
        else:
            emitters.append(_value_emitter(column))
    return emitters


def _cells(emitters: list[Emitter], row: dict[str, Any]) -> list[Any]:
    cells: list[Any] = []
    for emit in emitters:
        cells += emit(row)
    return cells


def _rows(
    shape: ExportShape, submissions: Iterator[tuple[Any, ...]]
) -> Iterator[tuple[Table, list[Any]]]:
    """(table, row) for every row of every table, a submission's repeat rows after it."""
    children: dict[str, list[Table]] = {}
    for table in shape.tables[1:]:
        children.setdefault(table.parent or "", []).append(table)
    main = shape.tables[0]
    emitters = {table.path: _emitters(table.columns) for table in shape.tables}
    main_emitters = emitters[""]

    def repeats(
        table_path: str, item: dict[str, Any], key: str
    ) -> Iterator[tuple[Table, list[Any]]]:
        for child in children.get(table_path, ()):
            items = item.get(child.key)
            if not isinstance(items, list):
                continue
            for number, sub in enumerate(items, start=1):
                if not isinstance(sub, dict):
                    continue
                sub_key = f"{key}/{child.name}[{number}]"
                yield child, [key, sub_key, *_cells(emitters[child.path], sub)]
                yield from repeats(child.path, sub, sub_key)

    for root_id, instance_id, received_at, email, status, version_id, data in submissions:
        data = data if isinstance(data, dict) else {}
        yield (
            main,
            [
                root_id,
                *_cells(main_emitters, data),
                instance_id,
                received_at.astimezone(dt.UTC).replace(microsecond=0, tzinfo=None).isoformat()
                + "Z",
                email or "",
                status,
                shape.versions.get(version_id, ""),
            ],
        )
        yield from repeats("", data, root_id)


def submissions_for_export(
    form: Form,
    *,
    statuses: Sequence[str] = (),
    received_from: dt.date | None = None,
    received_to: dt.date | None = None,
) -> QuerySet[Submission]:
    """The current submissions of the form (those an edit replaced are left out), oldest
    first, received between the two dates (UTC, both included), in the statuses given
    (any when none)."""
    submissions = Submission.objects.filter(form=form, superseded_by__isnull=True)
    if statuses:
        submissions = submissions.filter(status__in=list(statuses))
    if received_from is not None:
        start = dt.datetime.combine(received_from, dt.time.min, tzinfo=dt.UTC)
        submissions = submissions.filter(received_at__gte=start)
    if received_to is not None:
        end = dt.datetime.combine(received_to + dt.timedelta(days=1), dt.time.min, tzinfo=dt.UTC)
        submissions = submissions.filter(received_at__lt=end)
    return submissions.order_by("received_at", "id")


class _Writer(Protocol):
    def write(self, table: Table, row: list[Any]) -> None: ...

    def close(self) -> list[Path]: ...


class _CsvWriter:
    """One UTF-8 CSV file per table (with a BOM, so Excel reads accents)."""

    def __init__(self, shape: ExportShape, out_dir: Path, labels: str) -> None:
        self.paths: list[Path] = []
        self.files: list[Any] = []
        self.writers: dict[str, Any] = {}
        hxl = shape.has_hxl
        for table in shape.tables:
            path = out_dir / f"{shape.file_stem(table)}.csv"
            handle = path.open("w", encoding="utf-8-sig", newline="")
            writer = csv.writer(handle, lineterminator="\r\n")
            writer.writerow([inert(h) for h in headers(shape, table, labels)])
            if hxl:
                writer.writerow(hxl_row(table))
            self.paths.append(path)
            self.files.append(handle)
            self.writers[table.path] = writer

    def write(self, table: Table, row: list[Any]) -> None:
        self.writers[table.path].writerow(row)

    def close(self) -> list[Path]:
        for handle in self.files:
            handle.close()
        return self.paths


class _XlsxWriter:
    """One workbook, one sheet per table, written row by row (constant memory)."""

    def __init__(self, shape: ExportShape, out_dir: Path, labels: str) -> None:
        self.path = out_dir / f"{shape.form_id}.xlsx"
        self.book = xlsxwriter.Workbook(
            str(self.path),
            {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False},
        )
        bold = self.book.add_format({"bold": True, "bg_color": "#EEF1F5"})
        self.sheets: dict[str, Any] = {}
        self.next_row: dict[str, int] = {}
        used: set[str] = set()
        hxl = shape.has_hxl
        for table in shape.tables:
            title = (table.name or shape.form_id)[:31]
            base, number = title, 2
            while title.lower() in used:
                suffix = f"~{number}"
                title, number = base[: 31 - len(suffix)] + suffix, number + 1
            used.add(title.lower())
            sheet = self.book.add_worksheet(title)
            sheet.write_row(0, 0, [inert(h) for h in headers(shape, table, labels)], bold)
            row = 1
            if hxl:
                sheet.write_row(1, 0, hxl_row(table))
                row = 2
            sheet.freeze_panes(row, 0)
            self.sheets[table.path] = sheet
            self.next_row[table.path] = row

    def write(self, table: Table, row: list[Any]) -> None:
        number = self.next_row[table.path]
        self.sheets[table.path].write_row(
            number, 0, [float(v) if isinstance(v, Decimal) else v for v in row]
        )
        self.next_row[table.path] = number + 1

    def close(self) -> list[Path]:
        self.book.close()
        return [self.path]


def form_export(
    *,
    acting_user: Actor | None,
    form: Form,
    file_format: str,
    out_dir: Path,
    labels: str = "",
    statuses: Sequence[str] = (),
    received_from: dt.date | None = None,
    received_to: dt.date | None = None,
    chunk_size: int = CHUNK_SIZE,
    shape: ExportShape | None = None,
) -> list[Path]:
    """Write the form's tables into `out_dir`: `<form_id>.csv` and `<form_id>-<repeat>.csv`
    per repeat group, or one `<form_id>.xlsx` with a sheet per table. The paths written.
    `acting_user` None is the command line; anyone else needs VIEW_COLLECTED on the
    form's project (NotFound otherwise: nobody learns the form exists)."""
    if acting_user is not None and not user_can_on_project(
        acting_user, Action.VIEW_COLLECTED, form.project
    ):
        raise NotFound()
    if file_format not in FORMATS:
        raise ValueError(f"unknown format: {file_format}")
    shape = shape or export_shape(form)
    submissions = (
        submissions_for_export(
            form, statuses=statuses, received_from=received_from, received_to=received_to
        )
        .values_list(
            "root_id",
            "instance_id",
            "received_at",
            "submitted_by__email",
            "status",
            "form_version_id",
            "data",
        )
        .iterator(chunk_size=chunk_size)
    )
    writer: _Writer = (
        _CsvWriter(shape, out_dir, labels)
        if file_format == "csv"
        else _XlsxWriter(shape, out_dir, labels)
    )
    try:
        for table, row in _rows(shape, submissions):
            writer.write(table, row)
    finally:
        paths = writer.close()
    return paths


def access_form_for_export(user: Actor, project_code: str, form_id: str) -> Form:
    """The form `form_id` of project `project_code` if `user` sees the project's data;
    NotFound otherwise, as for a form that does not exist (docs/roles.md)."""
    form = (
        Form.objects.select_related("project", "project__country")
        .filter(project__code=project_code.lower(), form_id=form_id)
        .first()
    )
    if form is None or not user_can_on_project(user, Action.VIEW_COLLECTED, form.project):
        raise NotFound()
    return form


@dataclass
class ExportFile:
    """A finished export, open for reading: a ZIP of the CSV files or the XLSX workbook."""

    handle: IO[bytes]
    filename: str
    content_type: str


def form_export_file(
    *,
    acting_user: Actor | None,
    form: Form,
    file_format: str,
    labels: str = "",
    statuses: Sequence[str] = (),
    received_from: dt.date | None = None,
    received_to: dt.date | None = None,
) -> ExportFile:
    """The export as one file for a download: the CSV tables in a ZIP (`<form_id>.zip`),
    or the workbook. Written to temporary files, never held in memory whole."""
    with tempfile.TemporaryDirectory(prefix="puente-export-") as folder:
        paths = form_export(
            acting_user=acting_user,
            form=form,
            file_format=file_format,
            out_dir=Path(folder),
            labels=labels,
            statuses=statuses,
            received_from=received_from,
            received_to=received_to,
        )
        handle: IO[bytes] = tempfile.TemporaryFile()  # noqa: SIM115 (the response closes it)
        if file_format == "csv":
            with zipfile.ZipFile(handle, "w", compression=zipfile.ZIP_DEFLATED) as archive:
                for path in paths:
                    archive.write(path, arcname=path.name)
            filename = f"{form.form_id}.zip"
        else:
            with paths[0].open("rb") as workbook:
                shutil.copyfileobj(workbook, handle)
            filename = paths[0].name
    handle.seek(0)
    return ExportFile(handle=handle, filename=filename, content_type=CONTENT_TYPES[file_format])
