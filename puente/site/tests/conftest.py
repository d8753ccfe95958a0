"""What the site's page tests share: organisation A, and 5W rows of it imported by the
same service as any file."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from puente.partners.models import Organisation
from puente.reference.models import Country
from puente.reporting.models import RowStatus
from puente.reporting.services.imports import rows_import


@pytest.fixture
def org_a(db: Any) -> Organisation:
    """ORGA, an appealing national NGO working in Colombia and Peru."""
    org = Organisation.objects.create(
        name="Organización A", acronym="ORGA", type="national-ngo", appealing=True
    )
    org.countries.set(Country.objects.filter(iso3__in=["COL", "PER"]))
    return org


@pytest.fixture
def five_w_row() -> Callable[..., dict[str, str]]:
    """A valid 5W row of ORGA (health in Atlántico, Colombia) for `month`, with
    `changes` written over it."""

    def make(month: dt.date, **changes: str) -> dict[str, str]:
        row = {
            "month": f"{month:%Y-%m}",
            "country": "COL",
            "admin1": "Atlántico",
            "appealing_org": "ORGA",
            "indicator": "HEA-02",
            "activity": "Atención primaria",
            "rmrp_activity": "yes",
            "modality": "service",
            "population_group": "in-destination",
            "total_monthly": "100",
            "new_beneficiaries": "40",
            "girls": "10",
            "boys": "10",
            "women": "10",
            "men": "10",
            "other": "0",
        }
        row.update(changes)
        return row

    return make


@pytest.fixture
def import_rows(db: Any) -> Callable[..., None]:
    """Import rows (numbered from 2, as under a header) with `status`; every row must be
    accepted."""

    def run(*rows: dict[str, str], status: str = RowStatus.SUBMITTED) -> None:
        report = rows_import(rows=list(enumerate(rows, start=2)), acting_user=None, status=status)
        assert report.ok, report.errors

    return run
