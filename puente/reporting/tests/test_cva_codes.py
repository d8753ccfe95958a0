"""Cash and voucher rows: the value in USD from its one column, the delivery mechanism
from its code list (docs/imports.md), and the people receiving cash counted by the rule."""

import pytest

from puente.reporting.models import ActivityRow
from puente.reporting.tests.conftest import as_rows, good_row
from puente.reporting.tests.test_import_errors import run_cli

pytestmark = pytest.mark.django_db


def cash(**changes) -> dict:
    return good_row(modality="cva", cva_value_usd="1500.50", **changes)


def test_delivery_mechanism_is_stored_as_its_code_whatever_language_it_is_written_in(
    tmp_path, capsys, orgs
):
    # given the same mechanism as a code, an English alias, a Spanish and a Portuguese name
    rows = [
        cash(delivery_mechanism="mobile-money", activity="a"),
        cash(delivery_mechanism="Mobile money", activity="b"),
        cash(delivery_mechanism="Tarjeta prepago", activity="c"),
        cash(delivery_mechanism="vale", activity="d"),
        cash(delivery_mechanism="", activity="e"),
    ]
    # when
    out = run_cli(tmp_path, capsys, as_rows(*rows))
    # then
    assert out["errors"] == [] and out["imported"] == 5
    stored = dict(ActivityRow.objects.values_list("activity", "delivery_mechanism"))
    assert stored == {
        "a": "mobile-money",
        "b": "mobile-money",
        "c": "prepaid-card",
        "d": "paper-voucher",
        "e": "",
    }


def test_unknown_delivery_mechanism_names_row_column_and_value_and_writes_nothing(
    tmp_path, capsys, orgs
):
    rows = [
        cash(activity="fine", delivery_mechanism="bank transfer"),
        cash(delivery_mechanism="pigeon"),
    ]
    out = run_cli(tmp_path, capsys, as_rows(*rows), expect_exit=1)
    assert [(e["row"], e["column"], e["code"], e["value"]) for e in out["errors"]] == [
        (3, "delivery_mechanism", "unknown_delivery_mechanism", "pigeon")
    ]
    assert not ActivityRow.objects.exists()
