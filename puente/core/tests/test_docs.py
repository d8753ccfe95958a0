"""Documentation keeps up with the code: every CLI command, setting, import column and
error code is written down in docs/."""

import re
from pathlib import Path

import pytest
from django.core.management import get_commands

from puente.cli import COMMAND_ALIASES
from puente.flows.services import COUNT_COLUMNS, POINT_COLUMNS
from puente.funding.services import CONTRIBUTION_COLUMNS, RATE_COLUMNS
from puente.needs.services import NEED_COLUMNS, POPULATION_COLUMNS
from puente.partners.services import PARTNER_COLUMNS
from puente.plans.services.imports import PLAN_COLUMNS
from puente.reference.services import INDICATOR_COLUMNS

IMPORT_COLUMNS = (
    *INDICATOR_COLUMNS,
    *PARTNER_COLUMNS,
    *NEED_COLUMNS,
    *POPULATION_COLUMNS,
    *PLAN_COLUMNS,
    *CONTRIBUTION_COLUMNS,
    *RATE_COLUMNS,
    *POINT_COLUMNS,
    *COUNT_COLUMNS,
)

ROOT = Path(__file__).resolve().parents[3]
PACKAGE = ROOT / "puente"
DOCS = ROOT / "docs"
# Modules that raise or report coded errors.
ERROR_SOURCES = {"services.py", "selectors.py", "tabular.py", "imports.py", "api.py", "errors.py"}


def _doc(name: str) -> str:
    return (DOCS / name).read_text(encoding="utf-8")


def _puente_commands() -> list[str]:
    reverse_aliases = {v: k for k, v in COMMAND_ALIASES.items()}
    return sorted(
        reverse_aliases.get(name, name.replace("_", "-"))
        for name, app in get_commands().items()
        if app.startswith("puente")
    )


@pytest.mark.parametrize("command", _puente_commands())
def test_every_cli_command_is_documented(command):
    assert f"## `puente {command}" in _doc("cli.md")


def _env_settings() -> set[str]:
    source = (PACKAGE / "settings.py").read_text()
    return set(re.findall(r"\"(PUENTE_[A-Z0-9_]+|DATABASE_URL)\"", source))


@pytest.mark.parametrize("name", sorted(_env_settings()))
def test_every_setting_is_documented(name):
    assert f"`{name}`" in _doc("settings.md")


@pytest.mark.parametrize("column", sorted({c.name for c in IMPORT_COLUMNS}))
def test_every_import_column_is_documented(column):
    assert f"`{column}`" in _doc("imports.md")


def _error_codes() -> set[str]:
    codes: set[str] = set()
    for path in PACKAGE.rglob("*.py"):
        if "tests" in path.parts or (
            path.name not in ERROR_SOURCES and path.parent.name != "services"
        ):
            continue
        text = path.read_text(encoding="utf-8")
        codes |= set(re.findall(r"\"([a-z][a-z_]+)\",\s*(?:_\(|yes_no_error_message)", text))
        codes |= set(re.findall(r"code=\"([a-z_]+)\"", text))
        codes |= set(re.findall(r"_file_error\(\s*\"([a-z_]+)\"", text))
    return codes


def test_error_codes_are_found():
    assert {"unknown_sector", "not_a_workbook", "missing_header", "unknown_scope"} <= _error_codes()


@pytest.mark.parametrize("code", sorted(_error_codes()))
def test_every_error_code_is_documented(code):
    assert f"`{code}`" in _doc("imports.md") + _doc("api.md")
