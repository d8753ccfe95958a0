"""Documentation keeps up with the code: every CLI command, setting, import column and
error code is written down in docs/."""

import ast
import importlib
import re
from pathlib import Path

import pytest
from django.core.management import get_commands

from puente.cli import COMMAND_ALIASES
from puente.core.codes import ErrorCode
from puente.flows.services import COUNT_COLUMNS, POINT_COLUMNS
from puente.funding.services import CONTRIBUTION_COLUMNS, RATE_COLUMNS
from puente.needs.services import NEED_COLUMNS, POPULATION_COLUMNS
from puente.partners.services import PARTNER_COLUMNS
from puente.plans.services.entry_imports import PLAN_ENTRY_COLUMNS
from puente.plans.services.imports import PLAN_COLUMNS
from puente.reference.areas import ADMIN2_COLUMNS
from puente.reference.services import IN_FORCE_COLUMNS, INDICATOR_COLUMNS

IMPORT_COLUMNS = (
    *INDICATOR_COLUMNS,
    *IN_FORCE_COLUMNS,
    *PARTNER_COLUMNS,
    *NEED_COLUMNS,
    *POPULATION_COLUMNS,
    *PLAN_COLUMNS,
    *PLAN_ENTRY_COLUMNS,
    *CONTRIBUTION_COLUMNS,
    *RATE_COLUMNS,
    *POINT_COLUMNS,
    *COUNT_COLUMNS,
    *ADMIN2_COLUMNS,
)

ROOT = Path(__file__).resolve().parents[3]
PACKAGE = ROOT / "puente"
DOCS = ROOT / "docs"


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


def _code_enums() -> list[type[ErrorCode]]:
    """Every app's enum of error codes: the `codes.py` modules found on disk, imported, and
    the ErrorCode subclasses they declare."""
    for path in sorted(PACKAGE.glob("*/codes.py")):
        importlib.import_module(f"puente.{path.parent.name}.codes")
    found: list[type[ErrorCode]] = []
    pending = list(ErrorCode.__subclasses__())
    while pending:
        enum = pending.pop()
        pending.extend(enum.__subclasses__())
        if re.fullmatch(r"puente\.\w+\.codes", enum.__module__):
            found.append(enum)
    return sorted(found, key=lambda enum: enum.__module__)


CODE_ENUMS = _code_enums()
CODES = [member for enum in CODE_ENUMS for member in enum]
CODE_VALUES = {str(member) for member in CODES}


def _app_doc(member: ErrorCode) -> str:
    """The page of the code's app (docs/collect.md for collect's codes), if it has one."""
    path = DOCS / f"{member.__class__.__module__.split('.')[1]}.md"
    return path.read_text(encoding="utf-8") if path.exists() else ""


STATUS_ROW = re.compile(r"^\| `([a-z_]+)` \| (\d{3}) \|", re.MULTILINE)


def _statuses(text: str) -> dict[str, int]:
    """The statuses a page's tables of codes give: rows `| `code` | 400 | meaning |`."""
    return {code: int(status) for code, status in STATUS_ROW.findall(text)}


def test_every_app_declares_its_codes():
    assert {enum.__module__ for enum in CODE_ENUMS} >= {
        "puente.core.codes",
        "puente.reference.codes",
        "puente.feedback.codes",
    }
    assert {"unknown_sector", "not_a_workbook", "missing_header", "unknown_scope"} <= CODE_VALUES


@pytest.mark.parametrize("member", CODES, ids=lambda m: f"{m.__class__.__name__}.{m.name}")
def test_every_error_code_is_documented(member):
    assert f"`{member}`" in _doc("imports.md") + _doc("api.md") + _app_doc(member)


@pytest.mark.parametrize("member", CODES, ids=lambda m: f"{m.__class__.__name__}.{m.name}")
def test_documented_status_is_the_declared_one(member):
    """The status a table of codes gives: the app's own page first (a code of the same name
    may answer otherwise in another app), then docs/api.md."""
    documented = _statuses(_app_doc(member)).get(member) or _statuses(_doc("api.md")).get(member)
    assert documented in (None, member.status)


@pytest.mark.parametrize("member", CODES, ids=lambda m: f"{m.__class__.__name__}.{m.name}")
def test_every_error_code_has_a_message(member):
    assert str(member.message)


# Calls that take an error code, and the position of the code among their arguments
# (ImportReport.error: row, column, code; RowCells.error: column, code).
CODE_ARGUMENT = {
    "RowError": 2,
    "_file_error": 0,
    "error_body": 0,
    "invalid": 1,
    "warning": 1,
    "lookup": 2,
    "lookup_many": 2,
}
# Their `code=` is always one of ours. A form's ValidationError also carries Django's own
# codes (`required`, `invalid_choice`): it is held to the rule only when it spells one of ours.
ERROR_TYPES = {"ApplicationError", "PermissionDenied", "NotFound", "RowError"}


def _call_name(call: ast.Call) -> str:
    func = call.func
    if isinstance(func, ast.Attribute):
        return func.attr
    return func.id if isinstance(func, ast.Name) else ""


def _code_argument(call: ast.Call) -> ast.expr | None:
    name = _call_name(call)
    position = CODE_ARGUMENT.get(name)
    if name == "error" and isinstance(call.func, ast.Attribute):
        receiver = ast.unparse(call.func.value)
        position = 2 if receiver.endswith("report") else 1
    if position is None or len(call.args) <= position:
        return None
    return call.args[position]


def _bare_codes(tree: ast.AST) -> list[tuple[int, str]]:
    """(line, code) of each error code written as a bare string: an error's `code=`, a
    REST framework exception's `default_code`, the code argument of the import contract's
    calls, any argument of a call that spells a declared code, or a declared code a code
    is compared with."""
    found = []

    def is_text(node: ast.AST | None) -> bool:
        return isinstance(node, ast.Constant) and isinstance(node.value, str)

    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Assign)
            and is_text(node.value)
            and any(getattr(t, "id", None) == "default_code" for t in node.targets)
        ):
            found.append((node.lineno, node.value.value))
        if isinstance(node, ast.Compare) and "code" in ast.unparse(node.left):
            found.extend(
                (node.lineno, c.value)
                for c in node.comparators
                if is_text(c) and c.value in CODE_VALUES
            )
        if not isinstance(node, ast.Call):
            continue
        name = _call_name(node)
        for keyword in node.keywords:
            if keyword.arg == "code" and is_text(keyword.value):
                value = keyword.value.value
                if name in ERROR_TYPES or value in CODE_VALUES:
                    found.append((node.lineno, value))
        argument = _code_argument(node)
        if is_text(argument) and re.fullmatch(r"[a-z][a-z0-9]*(_[a-z0-9]+)+", argument.value):
            found.append((node.lineno, argument.value))
        found.extend(
            (node.lineno, a.value)
            for a in node.args
            if is_text(a) and a is not argument and a.value in CODE_VALUES
        )
    return found


def _sources() -> list[Path]:
    return [
        path
        for path in sorted(PACKAGE.rglob("*.py"))
        if not {"tests", "migrations"} & set(path.relative_to(PACKAGE).parts)
        and path.name != "codes.py"
    ]


def test_bare_codes_are_found():
    tree = ast.parse(
        'report.error(3, "country", "unknown_country", message)\n'
        'cells.invalid("month", "month_in_future", message)\n'
        'raise ApplicationError(message, code="new_code")\n'
        'x = error_body("not_found", "Not found.")\n'
        'if error.code == "duplicate_row": pass\n'
        'report.error(3, "country", ReferenceCode.UNKNOWN_COUNTRY, message)\n'
    )
    assert sorted(code for _line, code in _bare_codes(tree)) == [
        "duplicate_row",
        "month_in_future",
        "new_code",
        "not_found",
        "unknown_country",
    ]


def test_no_error_code_is_a_bare_string():
    """Every code an app raises or reports is a member of its enum in codes.py, never a
    string written at the call: a new code fails here until it is declared (and then
    documented)."""
    bare = [
        f"{path.relative_to(ROOT)}:{line}: {code!r}"
        for path in _sources()
        for line, code in _bare_codes(ast.parse(path.read_text(encoding="utf-8")))
    ]
    assert not bare, "error codes written as strings (declare them in the app's codes.py):\n" + (
        "\n".join(bare)
    )
