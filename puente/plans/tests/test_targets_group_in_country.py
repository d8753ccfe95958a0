"""A target names a population group only in a country where the group applies."""

import pytest

from puente.core.testing import run_import
from puente.plans.models import PlanningFigure

pytestmark = pytest.mark.django_db

HEADER = ["year", "country", "sector", "population_group", "people"]


def test_a_target_for_colombian_returnees_in_paraguay_refuses_the_file(tmp_path, capsys):
    rows = [
        HEADER,
        [2025, "COL", "HEA", "colombian-returnees", 100],
        [2025, "Paraguay", "HEA", "colombian-returnees", 10],
    ]
    out = run_import(tmp_path, capsys, "targets", rows, ok=False)
    assert [(e["row"], e["column"], e["code"], e["message"]) for e in out["errors"]] == [
        (
            3,
            "population_group",
            "population_group_not_in_country",
            "“Colombian returnees” is not a population group of Paraguay.",
        )
    ]
    assert not PlanningFigure.objects.exists()


def test_a_target_for_colombian_returnees_in_colombia_is_set(tmp_path, capsys):
    out = run_import(
        tmp_path, capsys, "targets", [HEADER, [2025, "COL", "HEA", "colombian-returnees", 100]]
    )
    assert (out["imported"], out["errors"]) == (1, [])
    assert PlanningFigure.objects.get().people == 100


def test_a_plan_entry_targeting_people_in_transit_in_the_caribbean_is_refused(tmp_path, capsys):
    # given the RMRP with a partner in Colombia and Trinidad and Tobago
    from puente.partners.models import Organisation
    from puente.plans.models import Plan, PlanEntry
    from puente.reference.models import Country

    plan = Plan.objects.create(
        code="rmrp-2025-2026", name_en="RMRP", kind="inter-agency", start_year=2025, end_year=2026
    )
    plan.countries.set(Country.objects.filter(iso3__in=["COL", "TTO"]))
    org = Organisation.objects.create(
        name="Local", acronym="LOCAL", type="national-ngo", appealing=True
    )
    org.countries.set(Country.objects.filter(iso3__in=["COL", "TTO"]))
    header = ["plan", "organisation", "country", "sector", "year", "requirement_usd"]
    header += ["target_in-destination", "target_in-transit"]
    rows = [
        header,
        ["rmrp-2025-2026", "LOCAL", "COL", "HEA", 2025, 1000, 300, 40],
        ["rmrp-2025-2026", "LOCAL", "TTO", "HEA", 2025, 1000, 300, 40],
        ["rmrp-2025-2026", "LOCAL", "TTO", "FSC", 2025, 1000, 300, ""],
    ]
    # when the entries are imported, then the Caribbean row's in-transit target is refused
    out = run_import(tmp_path, capsys, "plan-entries", rows, ok=False)
    assert [(e["row"], e["column"], e["code"], e["message"]) for e in out["errors"]] == [
        (
            3,
            "target_in-transit",
            "population_group_not_in_country",
            "“In transit” is not a population group of Trinidad and Tobago.",
        )
    ]
    assert not PlanEntry.objects.exists()


def test_the_entry_service_refuses_a_target_for_a_group_outside_the_country():
    from decimal import Decimal

    from puente.core.errors import ApplicationError
    from puente.partners.models import Organisation
    from puente.plans.models import Plan, PlanEntry
    from puente.plans.services.entries import plan_entry_save
    from puente.reference.models import Country, PopulationGroup, Sector

    plan = Plan.objects.create(
        code="rmrp", name_en="RMRP", kind="inter-agency", start_year=2025, end_year=2026
    )
    paraguay = Country.objects.get(iso3="PRY")
    plan.countries.set([paraguay])
    org = Organisation.objects.create(name="L", acronym="L", type="national-ngo", appealing=True)
    org.countries.set([paraguay])
    groups = {g.code: g for g in PopulationGroup.objects.all()}
    values = dict(
        acting_user=None,
        plan=plan,
        organisation=org,
        country=paraguay,
        sector=Sector.objects.get(code="HEA"),
        year=2025,
        requirement_usd=Decimal(100),
        activities="",
        submit=False,
    )
    with pytest.raises(ApplicationError) as refused:
        plan_entry_save(**values, targets={groups["colombian-returnees"]: 5})
    assert refused.value.code == "population_group_not_in_country"
    assert not PlanEntry.objects.exists()
    # a zero target names no one, and in-transit applies in Paraguay
    plan_entry_save(**values, targets={groups["colombian-returnees"]: 0, groups["in-transit"]: 5})
    assert PlanEntry.objects.get().targets.get().population_group.code == "in-transit"
