"""Every package the `puente` package imports at run time is a runtime dependency.

The test environment also holds the test extras (pytest, pandas, openpyxl…), so an
import of one of them from application code passes every other test and breaks only a
server installed with `pip install .`. This test reads the imports of every module of
the package (not its tests nor migrations) and of the dotted paths in settings.py, maps
them to distributions, and compares them with [project].dependencies of pyproject.toml
and what those depend on. scripts/fresh-install-check proves the same by installing.
"""

from __future__ import annotations

import ast
import importlib.metadata
import importlib.util
import re
import sys
import tomllib
from collections import defaultdict
from pathlib import Path

from packaging.markers import default_environment
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[3]
PACKAGE = ROOT / "puente"

# Helpers for tests that live in the package; no runtime module may import them.
TEST_HELPERS = {"puente/core/testing.py"}

# Calls that import a package behind the scenes: DuckDB's results import numpy, pandas or
# pyarrow only when they are read this way (`fetchnumpy` in analytics/services/columnar.py).
HIDDEN_IMPORTS = {
    "fetchnumpy": "numpy",
    "fetchdf": "pandas",
    "fetch_df": "pandas",
    "fetch_df_chunk": "pandas",
    "fetch_arrow_table": "pyarrow",
    "fetch_record_batch": "pyarrow",
}

DOTTED = re.compile(r"[A-Za-z_]\w*(\.\w+)+")


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def runtime_modules() -> list[Path]:
    return sorted(
        path
        for path in PACKAGE.rglob("*.py")
        if "tests" not in path.parts
        and "migrations" not in path.parts
        and path.relative_to(ROOT).as_posix() not in TEST_HELPERS
    )


def imported_names() -> dict[str, set[str]]:
    """{top-level import name: modules importing it}, the package's own and the standard
    library's left out."""
    found: dict[str, set[str]] = defaultdict(set)
    for path in runtime_modules():
        where = path.relative_to(ROOT).as_posix()
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=where)
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    found[alias.name.partition(".")[0]].add(where)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found[node.module.partition(".")[0]].add(where)
            elif (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in HIDDEN_IMPORTS
            ):
                found[HIDDEN_IMPORTS[node.func.attr]].add(f"{where} (.{node.func.attr}())")
    # Settings name apps, middleware and backends by dotted path ("axes.middleware…").
    settings = PACKAGE / "settings.py"
    for node in ast.walk(ast.parse(settings.read_text(encoding="utf-8"))):
        if (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and DOTTED.fullmatch(node.value)
        ):
            top = node.value.partition(".")[0]
            # "accounts.User" is a model label, not a module.
            if importlib.util.find_spec(top) is not None:
                found[top].add(f"puente/settings.py ({node.value!r})")
    return {
        name: modules
        for name, modules in found.items()
        if name != "puente" and name not in sys.stdlib_module_names and name != "__future__"
    }


def declared_requirements() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return [Requirement(text) for text in project["dependencies"]]


def allowed_distributions(requirements: list[Requirement]) -> set[str]:
    """The runtime dependencies (with the extras asked for) and, installed, what they
    require in turn on this platform."""
    allowed: set[str] = set()
    pending = [(req, frozenset(req.extras)) for req in requirements]
    while pending:
        req, extras = pending.pop()
        name = _normalise(req.name)
        key = f"{name}[{','.join(sorted(extras))}]"
        if key in allowed:
            continue
        allowed.update({key, name})
        try:
            needs = importlib.metadata.requires(req.name) or []
        except importlib.metadata.PackageNotFoundError:
            continue
        for text in needs:
            sub = Requirement(text)
            environments = [{**default_environment(), "extra": e} for e in [""] + sorted(extras)]
            if sub.marker is None or any(sub.marker.evaluate(env) for env in environments):
                pending.append((sub, frozenset(sub.extras)))
    return {a for a in allowed if "[" not in a}


def undeclared_imports(requirements: list[Requirement]) -> dict[str, str]:
    """{import name: why it is not covered} for every import no runtime dependency
    provides."""
    allowed = allowed_distributions(requirements)
    providers = importlib.metadata.packages_distributions()
    problems = {}
    for name, modules in sorted(imported_names().items()):
        distributions = {_normalise(d) for d in providers.get(name, [])}
        where = ", ".join(sorted(modules)[:3])
        if not distributions:
            problems[name] = f"no installed distribution provides it (imported in {where})"
        elif not distributions & allowed:
            problems[name] = (
                f"provided by {', '.join(sorted(distributions))}, not a runtime dependency "
                f"in pyproject.toml (imported in {where})"
            )
    return problems


def test_every_runtime_import_is_a_declared_dependency():
    problems = undeclared_imports(declared_requirements())
    assert not problems, "imports that `pip install .` does not provide:\n" + "\n".join(
        f"  {name}: {why}" for name, why in problems.items()
    )


def test_the_check_sees_what_it_must():
    """The scan finds the imports it is meant to judge, so an empty result means
    something: Django, a package named only in settings (axes), and numpy, which only
    DuckDB's `fetchnumpy` imports."""
    names = imported_names()
    assert {"django", "rest_framework", "duckdb", "axes", "csp", "numpy"} <= set(names)
    assert "pytest" not in names
    without_numpy = [r for r in declared_requirements() if _normalise(r.name) != "numpy"]
    assert "numpy" in undeclared_imports(without_numpy)


def test_test_helpers_are_not_imported_by_the_application():
    modules = {helper.removesuffix(".py").replace("/", ".") for helper in TEST_HELPERS}
    for path in runtime_modules():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module, *(f"{node.module}.{a.name}" for a in node.names)]
            else:
                continue
            assert not modules & set(names), f"{path.relative_to(ROOT)} imports a test helper"
