"""Flow monitoring's error codes, import columns and command are documented."""

from pathlib import Path

import pytest

from puente.flows.codes import FlowsCode
from puente.flows.models import Document, Incident, Need, Transport

DOCS = Path(__file__).resolve().parents[3] / "docs"


@pytest.mark.parametrize("code", [c.value for c in FlowsCode])
def test_every_flows_error_code_is_documented(code):
    assert f"`{code}`" in (DOCS / "imports.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("choices", [Need, Incident, Document, Transport])
def test_every_answer_code_is_in_flows_md(choices):
    text = (DOCS / "flows.md").read_text(encoding="utf-8")
    for value in choices.values:
        if value != "unknown":
            assert f"`{value}`" in text
