import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from puente.cli import command_name


def test_cli_spellings_map_to_management_commands():
    assert command_name("load-reference") == "load_reference"
    assert command_name("import") == "import_data"
    assert command_name("migrate") == "migrate"


def _puente_script() -> str:
    script = Path(sys.executable).parent / "puente"
    found = str(script) if script.exists() else shutil.which("puente")
    if not found:
        pytest.fail("the `puente` console script is not installed (make install)")
    return found


def test_console_script_runs_django_and_puente_commands():
    result = subprocess.run([_puente_script(), "help"], capture_output=True, text=True, check=True)
    for name in ("load_reference", "import_data", "create_user", "demo_data", "migrate"):
        assert name in result.stdout
    result = subprocess.run(
        [_puente_script(), "import", "--help"], capture_output=True, text=True, check=True
    )
    assert "{5w,funding,indicators,needs,partners,pin,plan,population,rates,targets}" in (
        result.stdout
    )
