import datetime as dt

import pytest

from puente.partners.models import Organisation
from puente.reference.models import Country

HEADER = [
    "month",
    "country",
    "admin1",
    "admin2",
    "appealing_org",
    "implementing_org",
    "indicator",
    "activity",
    "rmrp_activity",
    "modality",
    "cva_value_usd",
    "delivery_mechanism",
    "conditionality",
    "restriction",
    "population_group",
    "quantity",
    "total_monthly",
    "new_beneficiaries",
    "girls",
    "boys",
    "women",
    "men",
    "other",
    "disability",
]


def last_month() -> str:
    first = dt.date.today().replace(day=1)
    return (first - dt.timedelta(days=1)).strftime("%Y-%m")


def good_row(**changes) -> dict:
    row = {
        "month": last_month(),
        "country": "COL",
        "admin1": "Atlántico",
        "admin2": "Soledad",
        "appealing_org": "ORGA",
        "implementing_org": "",
        "indicator": "HEA-02",
        "activity": "Atención primaria",
        "rmrp_activity": "yes",
        "modality": "service",
        "cva_value_usd": "",
        "delivery_mechanism": "",
        "conditionality": "",
        "restriction": "",
        "population_group": "in-destination",
        "quantity": "",
        "total_monthly": "100",
        "new_beneficiaries": "40",
        "girls": "10",
        "boys": "10",
        "women": "10",
        "men": "10",
        "other": "0",
        "disability": "2",
    }
    row.update(changes)
    return row


def as_rows(*rows: dict) -> list[list]:
    return [HEADER, *[[r.get(h, "") for h in HEADER] for r in rows]]


@pytest.fixture
def orgs(db):
    """ORGA works in Colombia and Peru; ORGB in Peru only."""
    a = Organisation.objects.create(
        name="Organización A", acronym="ORGA", type="national-ngo", appealing=True
    )
    a.countries.set(Country.objects.filter(iso3__in=["COL", "PER", "ABW"]))
    b = Organisation.objects.create(
        name="Organização B", acronym="ORGB", type="ingo", appealing=True
    )
    b.countries.set(Country.objects.filter(iso3__in=["PER"]))
    return a, b
