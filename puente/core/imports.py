"""The contract every import shares: per-row errors and a report.

A report serialises to `{"rows", "imported", "updated", "errors", "warnings"}`, each
error `{"row", "column", "code", "message", "value"}` with rows counted as a spreadsheet
shows them (header = row 1). Messages are lazy and rendered in the active language.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from puente.accounts.permissions import Actor, signed_in
from puente.core.codes import CoreCode


class ImportPolicy(StrEnum):
    """What an import does with a file some of whose rows have errors (Saleor's
    `ErrorPolicyEnum`): write nothing, or write the good rows and report the others."""

    REJECT_FILE = "reject-file"
    KEEP_GOOD_ROWS = "keep-good-rows"


@dataclass
class RowError:
    row: int | None
    column: str | None
    code: str
    message: Any
    value: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "row": self.row,
            "column": self.column,
            "code": self.code,
            "message": str(self.message),
            "value": self.value,
        }


class ImportFileError(Exception):
    """The file as a whole cannot be read (encoding, header, empty, not a workbook)."""

    def __init__(self, *errors: RowError):
        super().__init__("; ".join(str(e.message) for e in errors))
        self.errors = list(errors)


@dataclass
class ImportReport:
    rows: int = 0
    imported: int = 0
    updated: int = 0
    # Rows whose stored values already equal the file's: nothing is written for them.
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    warnings: list[RowError] = field(default_factory=list)
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    def error(
        self, row: int | None, column: str | None, code: str, message: Any, value: Any = ""
    ) -> None:
        self.errors.append(
            RowError(
                row=row,
                column=column,
                code=code,
                message=message,
                value="" if value is None else str(value),
            )
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "imported": self.imported,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "errors": [e.as_dict() for e in self.errors],
            "warnings": [w.as_dict() for w in self.warnings],
        }


def import_audit_record(
    *, acting_user: Actor | None, kind: str, filename: str, report: ImportReport
) -> None:
    """Audit an import that wrote: who (None: the command line, the server's trusted
    operator), which kind of file, its name and the counts."""
    from puente.core.models import AuditRecord

    # A file with errors wrote nothing, except under keep-good-rows (5W): then the rows
    # it wrote are audited.
    if report.dry_run or (report.errors and not (report.imported or report.updated)):
        return
    actor = signed_in(acting_user)
    AuditRecord.objects.create(
        actor=actor,
        action=f"import.{kind}",
        target_type="import",
        target_id=filename[:64],
        data={
            "via": "web" if actor else "command line",
            "file": filename,
            "rows": report.rows,
            "imported": report.imported,
            "updated": report.updated,
            "unchanged": report.unchanged,
        },
    )


class ImportScope:
    """What an import writes must lie within the acting user's scope for `action`. The
    import notes the scope of each row as it reads it (a country, several, or the whole
    region); `refuse` then adds one file-level `import_not_allowed` error naming what lies
    outside, so the whole file is refused and nothing is written. Without an acting user
    (the command line, the server's trusted operator) everything is within scope."""

    def __init__(self, acting_user: Actor | None, action: Any):
        self.acting_user = acting_user
        self.action = action
        self.outside: dict[str, None] = {}  # names, in the order first met
        self._allowed: dict[Any, bool] = {}

    def _can(self, country: Any) -> bool:
        from puente.accounts.permissions import Target, user_can

        key = country.pk if country is not None else None
        if key not in self._allowed:
            target = Target(country=country) if country is not None else None
            self._allowed[key] = user_can(self.acting_user, self.action, target)
        return self._allowed[key]

    def anywhere(self, report: ImportReport) -> bool:
        """False, with the file refused, when no role of the user grants the action
        anywhere: the file is then not even read."""
        from puente.accounts.permissions import user_can_somewhere

        if self.acting_user is None or user_can_somewhere(self.acting_user, self.action):
            return True
        report.error(None, None, CoreCode.IMPORT_NOT_ALLOWED, CoreCode.IMPORT_NOT_ALLOWED.text())
        return False

    def country(self, country: Any) -> None:
        """A row writing figures of one country (None: a country not read)."""
        if self.acting_user is None or country is None or self._can(country):
            return
        self.outside[str(country.name)] = None

    def countries(self, countries: Any, *, name: str) -> None:
        """A row writing something of every one of `countries` (none: the whole region),
        named `name` when it is out of scope."""
        if self.acting_user is None:
            return
        countries = list(countries)
        allowed = all(self._can(c) for c in countries) if countries else self._can(None)
        if not allowed:
            self.outside[name] = None

    def region(self, *, name: str) -> None:
        """A row writing something of the whole region."""
        self.countries([], name=name)

    def refuse(self, report: ImportReport) -> None:
        if self.outside:
            report.error(
                None,
                None,
                CoreCode.IMPORT_NOT_ALLOWED,
                _("Your roles do not allow importing figures for %(outside)s: nothing was written.")
                % {"outside": ", ".join(self.outside)},
            )


class RollbackImport(Exception):
    """Raised inside an import transaction to undo every write (errors, or a dry run)."""


def write_whole_file(report: ImportReport, write: Callable[[], None]) -> ImportReport:
    """The end of every whole-file import: a file without data rows is an error; any
    error and nothing is written; otherwise `write` runs in one transaction, rolled back
    again for a dry run."""
    if report.rows == 0 and not report.errors:
        report.error(2, None, CoreCode.EMPTY_FILE, _("The file has no data rows."))
    if report.errors:
        return report
    try:
        with transaction.atomic():
            write()
            if report.dry_run:
                raise RollbackImport
    except RollbackImport:
        pass
    return report


YES_WORDS = {"yes", "y", "true", "1", "si", "sí", "sim", "x"}
NO_WORDS = {"no", "n", "false", "0", "nao", "não", ""}


def parse_yes_no(value: Any) -> bool | None:
    """yes/no in English, Spanish or Portuguese; None when the text is neither."""
    if isinstance(value, bool):
        return value
    text = " ".join(str(value if value is not None else "").casefold().split())
    if text in YES_WORDS:
        return True
    if text in NO_WORDS:
        return False
    return None


def yes_no_error_message(value: Any) -> Any:
    return CoreCode.INVALID_YES_NO.text(value=value)


def _cell_text(value: Any) -> str:
    from puente.core.tabular import cell_text

    return cell_text(value)


class Lookup:
    """Typed text -> the object a table knows it by (accents, case and spacing ignored),
    remembering each text already resolved: a large file repeats the same few names on
    thousands of rows."""

    def __init__(self, table: Mapping[str, Any]):
        self.table = table
        self.cache: dict[str, Any] = {}

    def __call__(self, text: str) -> Any:
        try:
            return self.cache[text]
        except KeyError:
            from puente.core.tabular import normalize_value

            found = self.table.get(normalize_value(text))
            self.cache[text] = found
            return found


class RowCells:
    """Reads one row of an import, recording each problem in the report under the row and
    column it came from. Every reader returns None when the cell is blank or wrong, so a
    caller checks `ok` once after reading the cells it needs.

    `text` holds each cell as a person reads it, over `blank`: the text of the columns a
    row may leave out (rows from the API or a form name only some), usually empty."""

    def __init__(
        self,
        report: ImportReport,
        number: int,
        raw: dict[str, Any],
        *,
        blank: Mapping[str, str] | None = None,
    ):
        self.report = report
        self.number = number
        self.raw = raw
        text = dict(blank) if blank else {}
        for name, value in raw.items():
            text[name] = value.strip() if type(value) is str else _cell_text(value)
        self.text = text
        self._errors_before = len(report.errors)

    @property
    def ok(self) -> bool:
        return len(self.report.errors) == self._errors_before

    def error(self, column: str, code: str, message: Any, value: Any = "") -> None:
        self.report.error(self.number, column, code, message, value)

    def invalid(self, column: str, code: str, message: Any) -> None:
        """An error about the cell as written: its text is the error's value."""
        self.report.error(self.number, column, code, message, self.text.get(column, ""))

    def warning(self, column: str, code: str, message: Any) -> None:
        """A doubt about the cell as written that does not stop the row."""
        self.report.warnings.append(
            RowError(self.number, column, code, message, self.text.get(column, ""))
        )

    def first_of(
        self,
        seen: dict[Any, int],
        key: Any,
        column: str,
        message: Any = None,
        *,
        value: Any = "",
        **params: Any,
    ) -> bool:
        """True when no earlier row of the file had `key` (this row is then recorded in
        `seen`); otherwise a `duplicate_row` error naming the first row (`%(row)s` in
        `message`, beside `params`)."""
        first = seen.get(key)
        if first is None:
            seen[key] = self.number
            return True
        message = message or CoreCode.DUPLICATE_ROW.message
        self.error(column, CoreCode.DUPLICATE_ROW, message % {"row": first, **params}, value)
        return False

    def required(self, *columns: str) -> None:
        for column in columns:
            if not self.text.get(column):
                self.error(
                    column,
                    CoreCode.MISSING_REQUIRED,
                    CoreCode.MISSING_REQUIRED.text(column=column),
                )

    def lookup(
        self, column: str, table: Mapping[str, Any] | Lookup, code: str, message: Any
    ) -> Any:
        """The object `table` knows the cell's text by (accents and case ignored)."""
        text = self.text.get(column, "")
        if not text:
            return None
        if isinstance(table, Lookup):
            found = table(text)
        else:
            from puente.core.tabular import normalize_value

            found = table.get(normalize_value(text))
        if found is None:
            self.error(column, code, message % {"value": text}, text)
        return found

    def lookup_many(
        self, column: str, table: Mapping[str, Any], code: str, message: Any
    ) -> list[Any]:
        """The objects of a cell naming several, separated by `;` or `,`: each part
        `table` does not know is an error of its own."""
        from puente.core.tabular import normalize_value

        found = []
        for part in self.text.get(column, "").replace(",", ";").split(";"):
            part = part.strip()
            if not part:
                continue
            item = table.get(normalize_value(part))
            if item is None:
                self.error(column, code, message % {"value": part}, part)
            else:
                found.append(item)
        return found

    def figure(self, column: str, *, integer: bool = True) -> Any:
        """A count (`integer`) or a decimal figure, never negative."""
        from puente.core.tabular import parse_number

        value, code = parse_number(self.raw.get(column), integer=integer)
        if code == CoreCode.NOT_A_NUMBER:
            text = self.text.get(column, "")
            self.invalid(column, code, CoreCode.NOT_A_NUMBER.text(value=text))
        elif code is not None:  # negative_number, not_an_integer
            self.invalid(column, code, CoreCode(code).text(column=column))
        return value

    def integer(self, column: str, *, low: int | None = None, high: int | None = None) -> Any:
        from puente.core.tabular import parse_number

        text = self.text.get(column, "")
        value, code = parse_number(self.raw.get(column), integer=True)
        if code:
            self.error(
                column,
                code,
                _("“%(value)s” is not a whole number of people.") % {"value": text},
                text,
            )
            return None
        if value is not None and (
            (low is not None and value < low) or (high is not None and value > high)
        ):
            self.error(
                column,
                CoreCode.OUT_OF_RANGE,
                CoreCode.OUT_OF_RANGE.text(value=text, low=low, high=high),
                text,
            )
            return None
        return value

    def year(self, column: str = "year") -> int | None:
        from puente.core.tabular import parse_number

        text = self.text.get(column, "")
        value, _code = parse_number(self.raw.get(column), integer=True)
        if text and (value is None or not 2000 <= int(value) <= 2100):
            self.error(
                column,
                CoreCode.INVALID_YEAR,
                _("“%(value)s” is not a year.") % {"value": text},
                text,
            )
            return None
        return int(value) if value is not None else None

    def amount(self, column: str) -> Any:
        """A sum of money: a decimal number, never negative."""
        from puente.core.tabular import parse_number

        text = self.text.get(column, "")
        value, code = parse_number(self.raw.get(column), integer=False)
        if code == CoreCode.NEGATIVE_NUMBER:
            self.error(
                column,
                CoreCode.NEGATIVE_AMOUNT,
                CoreCode.NEGATIVE_AMOUNT.text(value=text),
                text,
            )
            return None
        if code:
            self.error(column, code, _("“%(value)s” is not an amount.") % {"value": text}, text)
            return None
        return value

    def yes_no(self, column: str) -> bool | None:
        text = self.text.get(column, "")
        value = parse_yes_no(text)
        if value is None:
            self.error(column, CoreCode.INVALID_YES_NO, yes_no_error_message(text), text)
        return value

    def date(self, column: str) -> Any:
        """'2025-03-17', '17/03/2025' or a date cell."""
        import datetime as dt
        import re

        value = self.raw.get(column)
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        text = self.text.get(column, "")
        if not text:
            return None
        for pattern, order in (
            (r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T].*)?$", "ymd"),
            (r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$", "dmy"),
        ):
            match = re.match(pattern, text)
            if match:
                parts = dict(zip(order, (int(g) for g in match.groups()), strict=True))
                try:
                    return dt.date(parts["y"], parts["m"], parts["d"])
                except ValueError:
                    break
        self.error(
            column,
            CoreCode.INVALID_DATE,
            CoreCode.INVALID_DATE.text(value=text),
            text,
        )
        return None
