"""Claims of the documentation that can be checked, checked: every path the directory
structure names exists, and the README counts the browser tests there are."""

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
DESCRIPTION_COLUMN = 20  # a tree line's path starts before this column; text after it


def _tree_paths() -> list[str]:
    """The paths of docs/directory-structure.md's tree, nested by their indentation
    (two spaces per level), `{es,pt}` expanded."""
    text = (ROOT / "docs" / "directory-structure.md").read_text(encoding="utf-8")
    block = text.split("```", 2)[1].splitlines()[1:]
    parents: list[tuple[int, str]] = []
    paths: list[str] = []
    for line in block:
        stripped = line.lstrip(" ")
        indent = len(line) - len(stripped)
        if not stripped or indent >= DESCRIPTION_COLUMN:
            continue  # a description carried over to the next line
        token = stripped.split()[0]
        while parents and parents[-1][0] >= indent:
            parents.pop()
        full = (parents[-1][1] if parents else "") + token
        brace = re.search(r"\{([^}]*)\}", full)
        expanded = (
            [
                full[: brace.start()] + part + full[brace.end() :]
                for part in brace.group(1).split(",")
            ]
            if brace
            else [full]
        )
        paths.extend(expanded)
        if token.endswith("/"):
            parents.append((indent, full))
    return paths


def test_the_tree_is_read():
    paths = _tree_paths()
    assert "puente/settings.py" in paths
    assert "puente/reference/data/" in paths
    assert "puente/locale/pt/" in paths


@pytest.mark.parametrize("path", _tree_paths())
def test_every_path_of_the_directory_structure_exists(path):
    assert (ROOT / path).exists(), f"docs/directory-structure.md names {path}, which is not there"


def _browser_tests() -> int:
    count = 0
    for module in (ROOT / "tests" / "browser").glob("test_*.py"):
        tree = ast.parse(module.read_text(encoding="utf-8"))
        count += sum(
            1
            for node in tree.body
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
            and node.name.startswith("test_")
        )
    return count


NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7}
NUMBERS |= {"eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12}


def test_the_readme_counts_the_browser_tests():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    match = re.search(r"including (\w+) tests? in a real browser", readme)
    assert match, "the README says how many tests run in a real browser"
    said = match.group(1)
    assert NUMBERS.get(said, said) in (_browser_tests(), str(_browser_tests()))
