from pathlib import Path

import pytest
from django.core.management import call_command

SEED = Path(__file__).resolve().parents[1] / "data" / "iom-appeal-2025.csv"


@pytest.fixture
def iom(db):
    from puente.partners.models import Organisation
    from puente.reference.models import Country

    org, _created = Organisation.objects.get_or_create(
        acronym="IOM",
        defaults={
            "name": "International Organization for Migration",
            "type": "un-agency",
            "appealing": True,
        },
    )
    org.countries.set(Country.objects.all())
    return org


@pytest.fixture
def seed_appeal(iom):
    call_command("import_data", "plan", str(SEED), "--format", "json")
    from puente.plans.models import Plan

    return Plan.objects.get(code="iom-rmrp-2025-2026")
