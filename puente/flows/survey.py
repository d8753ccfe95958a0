"""The flow-monitoring forms shipped with Puente: the survey and the daily tally sheet,
each an XLSForm built from a readable definition (`data/flow-monitoring-survey.toml`,
`data/flow-monitoring-daily-count.toml`) by `scripts/build-flow-survey`, so that a
change to a question is reviewed as text. Choice names are the codes the survey summary
and the daily counts store (models.py)."""

from __future__ import annotations

import datetime as dt
import io
import tomllib
from pathlib import Path
from typing import Any

import xlsxwriter

DATA = Path(__file__).resolve().parent / "data"
DEFINITION = DATA / "flow-monitoring-survey.toml"
WORKBOOK = DATA / "flow-monitoring-survey.xlsx"
DAILY_COUNT_DEFINITION = DATA / "flow-monitoring-daily-count.toml"
DAILY_COUNT_WORKBOOK = DATA / "flow-monitoring-daily-count.xlsx"
# Every shipped form: (definition, workbook), built alike.
SHIPPED_FORMS = ((DEFINITION, WORKBOOK), (DAILY_COUNT_DEFINITION, DAILY_COUNT_WORKBOOK))
# The form's languages, in the order the definition gives each label.
LANGUAGES = ("Español (es)", "Português (pt)", "English (en)")
TRANSLATED = ("label", "hint", "constraint_message")
PLAIN = (
    "required",
    "relevant",
    "constraint",
    "calculation",
    "default",
    "appearance",
    "hxl",
)


def survey_definition(path: Path = DEFINITION) -> dict[str, Any]:
    with path.open("rb") as handle:
        return tomllib.load(handle)


def survey_sheets(definition: dict[str, Any]) -> dict[str, list[list[str]]]:
    """The three sheets of the XLSForm, each a header row and its rows."""
    translated = [f"{column}::{language}" for column in TRANSLATED for language in LANGUAGES]
    survey_header = ["type", "name", *translated, *PLAIN]
    survey = [survey_header]
    for question in definition["survey"]:
        row = [question["type"], question.get("name", "")]
        for column in TRANSLATED:
            texts = question.get(column) or [""] * len(LANGUAGES)
            row.extend(texts)
        row.extend(str(question.get(column, "")) for column in PLAIN)
        survey.append(row)
    choices = [["list_name", "name", *(f"label::{language}" for language in LANGUAGES)]]
    for list_name, items in definition["choices"].items():
        for name, *labels in items:
            choices.append([list_name, name, *labels])
    settings = definition["settings"]
    return {
        "survey": survey,
        "choices": choices,
        "settings": [list(settings), [str(v) for v in settings.values()]],
    }


def survey_workbook(definition: dict[str, Any]) -> bytes:
    """The XLSForm as XLSX bytes, the same bytes for the same definition."""
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False})
    workbook.set_properties({"created": dt.datetime(2026, 1, 1, tzinfo=dt.UTC)})
    bold = workbook.add_format({"bold": True})
    for name, rows in survey_sheets(definition).items():
        sheet = workbook.add_worksheet(name)
        for number, row in enumerate(rows):
            sheet.write_row(number, 0, row, bold if number == 0 else None)
        sheet.freeze_panes(1, 0)
    workbook.close()
    return buffer.getvalue()
