"""The product walk's data: the real demo response (`demo_data_create(seed=2025)`), loaded
once into the test database for the whole walk and left committed (the walk runs in its own
pytest process, `pytest -m walk tests/walk`, and the test database is destroyed after it).
Each case runs in a transaction rolled back after it (`django_db`), so what one case's
requests write (sessions) does not reach the next.

The walk's page counts are printed in the terminal summary, so CI logs show how much of
the product each case reached; with PUENTE_WALK_REPORT=<file> every problem found is also
written to that file, and every URL visited with its status to <file>.visited (both
overwritten each run).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from django.test.utils import override_settings

# (role, language) -> (pages, downloads, forms, redirects, skipped, problems); filled by
# test_walk.py and printed by pytest_terminal_summary.
WALK_COUNTS: dict[tuple[str, str], tuple[int, int, int, int, int, int]] = {}
WALK_PROBLEMS: dict[tuple[str, str], list[str]] = {}
WALK_VISITED: dict[tuple[str, str], list[tuple[str, int]]] = {}

DEMO_SEED = 2025


@pytest.fixture(scope="session")
def walk_columnar_dir(tmp_path_factory: Any) -> Path:
    return tmp_path_factory.mktemp("walk-columnar")


@pytest.fixture(scope="session")
def walk_demo(django_db_setup: Any, django_db_blocker: Any, walk_columnar_dir: Path) -> dict:
    """The demo response, committed: {role: e-mail of its demo user}."""
    from puente.demo.services import demo_data_create

    with (
        django_db_blocker.unblock(),
        override_settings(
            PUENTE_COLUMNAR_DIR=walk_columnar_dir,
            PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
            EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
            CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}},
        ),
    ):
        _organisations, users, _reports = demo_data_create(seed=DEMO_SEED)
    return {user.role: user.email for user in users}


@pytest.fixture
def walk_db(walk_demo: dict, settings: Any, walk_columnar_dir: Path) -> dict:
    """The demo, and the consolidation's columnar copy made when it was loaded (the root
    conftest gives every test an empty one)."""
    settings.PUENTE_COLUMNAR_DIR = walk_columnar_dir
    return walk_demo


@pytest.fixture
def walk_record() -> Any:
    """record(role, language, result): keep a case's counts and problems for the summary."""

    def record(role: str, language: str, result: Any, problems: list[str]) -> None:
        WALK_COUNTS[(role, language)] = (
            result.pages,
            result.downloads,
            result.forms,
            result.redirects,
            result.skipped,
            len(problems),
        )
        WALK_PROBLEMS[(role, language)] = problems
        WALK_VISITED[(role, language)] = result.visited

    return record


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not WALK_COUNTS:
        return
    write = terminalreporter.write_line
    terminalreporter.section("product walk")
    for (role, language), counts in sorted(WALK_COUNTS.items()):
        pages, downloads, forms, redirects, skipped, problems = counts
        write(
            f"walk: {role} {language}: {pages} pages, {downloads} downloads, {forms} forms, "
            f"{redirects} redirects, {skipped} left out by the bound, {problems} problems"
        )
    report = os.environ.get("PUENTE_WALK_REPORT")
    if report:
        lines = []
        for (role, language), problems in sorted(WALK_PROBLEMS.items()):
            lines.append(f"== {role} {language}: {len(problems)} problems")
            lines.extend(problems)
        Path(report).write_text("\n".join(lines) + "\n", encoding="utf-8")
        visited = []
        for (role, language), urls in sorted(WALK_VISITED.items()):
            visited.append(f"== {role} {language}: {len(urls)} URLs")
            visited.extend(f"{status} {url}" for url, status in urls)
        Path(f"{report}.visited").write_text("\n".join(visited) + "\n", encoding="utf-8")
        write(f"walk: problems written to {report}, URLs visited to {report}.visited")
