"""The contract every import shares: per-row errors and a report.

A report serialises to `{"rows", "imported", "updated", "errors", "warnings"}`, each
error `{"row", "column", "code", "message", "value"}` with rows counted as a spreadsheet
shows them (header = row 1). Messages are lazy and rendered in the active language.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _


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
    errors: list[RowError] = field(default_factory=list)
    warnings: list[RowError] = field(default_factory=list)
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    def error(self, row: int, column: str | None, code: str, message: Any, value: Any = "") -> None:
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
            "errors": [e.as_dict() for e in self.errors],
            "warnings": [w.as_dict() for w in self.warnings],
        }


class RollbackImport(Exception):
    """Raised inside an import transaction to undo every write (errors, or a dry run)."""


def write_whole_file(report: ImportReport, write: Callable[[], None]) -> ImportReport:
    """The end of every whole-file import: a file without data rows is an error; any
    error and nothing is written; otherwise `write` runs in one transaction, rolled back
    again for a dry run."""
    if report.rows == 0 and not report.errors:
        report.error(2, None, "empty_file", _("The file has no data rows."))
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
    return _("“%(value)s” is not yes or no (sí/no, sim/não are accepted).") % {"value": value}
