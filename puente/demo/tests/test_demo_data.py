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
    # seasonality: December above October for the same plans
    from django.db.models import Sum

    by_month = dict(rows.values_list("month").annotate(total=Sum("total_monthly")))
    decembers = [m for m in months if m.month == 12]
    octobers = [m for m in months if m.month == 10]
    assert by_month[decembers[0]] > by_month[octobers[0]] * 0.9
