import pytest
from django.core.management import call_command

from puente.accounts.models import Role, User
from puente.partners.models import Organisation
from puente.partners.selectors import localisation_shares

pytestmark = pytest.mark.django_db


def test_demo_response_has_the_plan_composition_and_a_user_per_role(capsys):
    call_command("demo_data", "--seed", "7")
    out = capsys.readouterr().out
    appealing = Organisation.objects.filter(appealing=True)
    assert appealing.count() == 230
    national = appealing.filter(type__in=["national-ngo", "refugee-migrant-led"])
    assert national.count() == 125
    migrant_led = appealing.filter(migrant_led=True)
    assert migrant_led.count() == 64
    women_share = migrant_led.filter(women_led=True).count() / 64
    assert 0.5 < women_share < 0.76
    assert {"un-agency", "ingo", "faith-based", "red-cross"} <= set(
        appealing.values_list("type", flat=True)
    )
    assert localisation_shares(appealing).national == 125
    # every organisation works somewhere, and all 17 countries have partners
    assert not appealing.filter(countries__isnull=True).exists()
    assert Organisation.objects.values("countries").distinct().count() == 17
    # one user per role, credentials printed
    roles = set(User.objects.values_list("role_assignments__role", flat=True))
    assert roles == set(Role.values)
    assert "admin@demo.puente.org" in out and "puente-demo-2025" in out and "TOTP key" in out
    # Common Services have no people in need (Mexico once showed 94,526), only targets
    from puente.needs.models import NeedFigure
    from puente.plans.models import PlanningFigure

    assert NeedFigure.objects.exists()
    assert not NeedFigure.objects.filter(sector__code="CSS").exists()
    assert not NeedFigure.objects.filter(sector__in_intersector=False).exists()
    assert PlanningFigure.objects.filter(sector__code="CSS", country__iso3="MEX").exists()
    # IOM's appeal is its part of the RMRP: its lines are IOM's entries there, and IOM's
    # money is recorded once (against the appeal), never again against the RMRP
    from django.db.models import Sum

    from puente.funding.models import Contribution
    from puente.plans.models import AreaRequirement, Plan, PlanEntry
    from puente.plans.selectors import appeal_against_plan

    appeal = Plan.objects.get(code="iom-rmrp-2025-2026")
    assert appeal.part_of is not None and appeal.part_of.code == "rmrp-2025-2026"
    lines = AreaRequirement.objects.filter(
        activity_area__plan=appeal,
        year=2025,
        country__isnull=False,
        activity_area__sector__isnull=False,
    ).aggregate(total=Sum("requirement_usd"))["total"]
    entries = PlanEntry.objects.filter(
        plan=appeal.part_of, organisation__acronym="IOM", year=2025, status="approved"
    ).aggregate(total=Sum("requirement_usd"))["total"]
    assert lines == entries and entries > 400_000_000
    assert not any(r["differs"] for r in appeal_against_plan(appeal, year=2025) if r["sector"])
    assert not Contribution.objects.filter(plan=appeal.part_of, recipient__acronym="IOM").exists()
    assert Contribution.objects.filter(plan=appeal, recipient__acronym="IOM").exists()


def test_demo_data_is_deterministic_and_idempotent():
    call_command("demo_data", "--seed", "3")
    first = list(
        Organisation.objects.order_by("acronym").values_list("acronym", "name", "type", "women_led")
    )
    call_command("demo_data", "--seed", "3")
    second = list(
        Organisation.objects.order_by("acronym").values_list("acronym", "name", "type", "women_led")
    )
    assert first == second and len(first) == 230


def test_demo_has_a_year_of_5w_in_every_state():
    from puente.reporting.models import ActivityRow, PeriodLock

    call_command("demo_data", "--seed", "5")
    rows = ActivityRow.objects.all()
    months = sorted(set(rows.values_list("month", flat=True)))
    assert len(months) == 12
    assert rows.count() > 10000
    statuses = set(rows.values_list("status", flat=True))
    assert statuses == {"validated", "submitted", "returned", "draft"}
    assert rows.filter(status="returned").exclude(review_comment="").exists()
    assert PeriodLock.objects.filter(month=months[0]).exists()
    assert not PeriodLock.objects.filter(month=months[-1]).exists()
    # every sector and population group appears, as in a real response
    assert rows.values("sector__parent", "sector").distinct().count() >= 11
    assert rows.values("population_group").distinct().count() == 5
    # every figure names a population group only where it applies
    assert _groups_outside_their_countries() == {}
    # seasonality: December above October for the same plans
    from django.db.models import Sum

    by_month = dict(rows.values_list("month").annotate(total=Sum("total_monthly")))
    decembers = [m for m in months if m.month == 12]
    octobers = [m for m in months if m.month == 10]
    assert by_month[decembers[0]] > by_month[octobers[0]] * 0.9


def _groups_outside_their_countries() -> dict[str, int]:
    """How many demo records of each kind name a population group in a country where it
    does not apply (reference data): none, as the demo follows the reference data. The
    two the response noticed are asked by name."""
    from puente.needs.models import NeedFigure, PopulationFigure
    from puente.plans.models import EntryTarget, PlanningFigure
    from puente.reference.models import PopulationGroup
    from puente.reporting.models import ActivityRow

    assert (
        ActivityRow.objects.filter(population_group__code="in-transit", country__iso3="TTO").count()
        == 0
    )
    assert (
        ActivityRow.objects.filter(
            population_group__code="colombian-returnees", country__iso3="PRY"
        ).count()
        == 0
    )
    outside: dict[str, int] = {}
    kinds = {
        "5w": (ActivityRow.objects, "country"),
        "population": (PopulationFigure.objects, "country"),
        "needs": (NeedFigure.objects, "country"),
        "targets": (PlanningFigure.objects, "country"),
        "entry targets": (EntryTarget.objects, "entry__country"),
    }
    for group in PopulationGroup.objects.prefetch_related("countries"):
        allowed = [c.pk for c in group.countries.all()]
        for kind, (manager, country_field) in kinds.items():
            found = (
                manager.filter(population_group=group)
                .exclude(**{f"{country_field}__in": allowed})
                .count()
            )
            if found:
                outside[kind] = outside.get(kind, 0) + found
    return outside
