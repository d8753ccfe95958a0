"""The public plan page, and partners' entries in an inter-agency plan: submitted by
partners, reviewed by sector coordinators, rolled up by country, sector and region."""

from decimal import Decimal

import pytest
from django.urls import reverse

from puente.core.errors import ApplicationError, PermissionDenied
from puente.partners.models import Organisation
from puente.plans.models import Plan, PlanEntry
from puente.plans.selectors import plan_summary
from puente.plans.services.entries import plan_entry_save
from puente.plans.services.review import plan_entry_review
from puente.reference.models import Country, PopulationGroup, Sector

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "language,heading,requirement,targeted,area",
    [
        ("en", "IOM appeal", "516,950,391", "1,297,760", "Priority"),
        ("es", "Llamamiento de la OIM", "516.950.391", "1.297.760", "Prioritaria"),
        ("pt", "Apelo da OIM", "516.950.391", "1.297.760", "Prioritária"),
    ],
)
def test_public_page_of_the_seed_appeal(
    client, seed_appeal, language, heading, requirement, targeted, area
):
    client.cookies["django_language"] = language
    response = client.get(reverse("public-plan", args=[seed_appeal.code]))
    assert response.status_code == 200
    page = response.content.decode()
    assert heading in page
    assert requirement in page and targeted in page
    assert area in page
    # years are never grouped like figures ("2,025–2,026", "2.025")
    assert "2025–2026" in page and "2,025" not in page and "2.025" not in page
    assert 'id="plan-map"' in page and 'id="plan-map-data"' in page


def test_public_pages_show_published_plans_only(client, seed_appeal):
    assert seed_appeal.code in client.get(reverse("public-plans")).content.decode()
    seed_appeal.status = Plan.Status.DRAFT
    seed_appeal.save()
    assert client.get(reverse("public-plan", args=[seed_appeal.code])).status_code == 404
    assert seed_appeal.code not in client.get(reverse("public-plans")).content.decode()


@pytest.fixture
def rmrp(db):
    plan = Plan.objects.create(
        code="rmrp-2025-2026",
        name_en="RMRP 2025-2026",
        kind="inter-agency",
        start_year=2025,
        end_year=2026,
    )
    plan.countries.set(Country.objects.filter(iso3__in=["COL", "ECU", "PER"]))
    orgs = {}
    for acronym, kind, migrant_led in [
        ("LOCAL", "national-ngo", False),
        ("DIASP", "refugee-migrant-led", True),
        ("BIGUN", "un-agency", False),
    ]:
        org = Organisation.objects.create(
            name=acronym, acronym=acronym, type=kind, appealing=True, migrant_led=migrant_led
        )
        org.countries.set(Country.objects.filter(iso3__in=["COL", "ECU"]))
        orgs[acronym] = org
    return plan, orgs


def _entry(user, plan, org, iso3, sector, usd, submit=True, year=2025):
    groups = PopulationGroup.objects.all()
    return plan_entry_save(
        acting_user=user,
        plan=plan,
        organisation=org,
        country=Country.objects.get(iso3=iso3),
        sector=Sector.objects.get(code=sector),
        year=year,
        requirement_usd=Decimal(usd),
        activities="Kits\nTalleres",
        targets={groups[0]: 100, groups[1]: 50},
        submit=submit,
    )


def test_entries_roll_up_by_country_sector_and_region_with_localisation(rmrp, make_user):
    plan, orgs = rmrp
    coordinator = make_user("sector-coordinator", "sector:HEA", email="hea@example.org")
    food_coordinator = make_user("sector-coordinator", "sector:FSC", email="fsc@example.org")
    entries = [
        _entry(
            make_user("partner-reporter", "organisation:LOCAL", email="l@example.org"),
            plan,
            orgs["LOCAL"],
            "COL",
            "HEA",
            "100",
        ),
        _entry(
            make_user("partner-reporter", "organisation:DIASP", email="d@example.org"),
            plan,
            orgs["DIASP"],
            "ECU",
            "HEA",
            "50",
        ),
        _entry(
            make_user("partner-reporter", "organisation:BIGUN", email="b@example.org"),
            plan,
            orgs["BIGUN"],
            "COL",
            "FSC",
            "250",
        ),
    ]
    pending = _entry(
        make_user("partner-reporter", "organisation:BIGUN", email="b2@example.org"),
        plan,
        orgs["BIGUN"],
        "ECU",
        "FSC",
        "999",
    )
    # only approved entries count
    for entry in entries:
        reviewer = coordinator if entry.sector.code == "HEA" else food_coordinator
        plan_entry_review(acting_user=reviewer, entry=entry, decision="approved")
    summary = plan_summary(plan, year=2025)
    assert summary["requirement_usd"] == Decimal("400")
    by_country = {r["country"].iso3: r["requirement_usd"] for r in summary["countries"]}
    assert by_country == {"COL": Decimal("350"), "ECU": Decimal("50"), "PER": Decimal("0")}
    assert {r["sector"].code: r["requirement_usd"] for r in summary["sectors"]} == {
        "HEA": Decimal("150"),
        "FSC": Decimal("250"),
    }
    assert summary["organisations"] == 3
    # national/local: LOCAL and DIASP (150 of 400); refugee/migrant-led: DIASP (50 of 400)
    assert summary["localisation"]["national_share"] == pytest.approx(0.375)
    assert summary["localisation"]["migrant_led_share"] == pytest.approx(0.125)
    assert pending.status == PlanEntry.Status.SUBMITTED


def test_review_rules(rmrp, make_user):
    plan, orgs = rmrp
    reporter = make_user("partner-reporter", "organisation:LOCAL")
    entry = _entry(reporter, plan, orgs["LOCAL"], "COL", "HEA", "100")
    # a coordinator of another sector may not review it
    with pytest.raises(PermissionDenied):
        plan_entry_review(
            acting_user=make_user("sector-coordinator", "sector:FSC", email="f@example.org"),
            entry=entry,
            decision="approved",
        )
    coordinator = make_user("sector-coordinator", "sector:COL/HEA", email="c@example.org")
    with pytest.raises(ApplicationError) as exc_info:
        plan_entry_review(acting_user=coordinator, entry=entry, decision="returned", comment=" ")
    assert exc_info.value.code == "comment_required"
    plan_entry_review(
        acting_user=coordinator, entry=entry, decision="returned", comment="Revisar metas"
    )
    # a returned entry is corrected and submitted again; an approved one is frozen
    entry = _entry(reporter, plan, orgs["LOCAL"], "COL", "HEA", "120")
    plan_entry_review(acting_user=coordinator, entry=entry, decision="approved")
    with pytest.raises(ApplicationError) as exc_info:
        _entry(reporter, plan, orgs["LOCAL"], "COL", "HEA", "130")
    assert exc_info.value.code == "entry_approved"


@pytest.mark.parametrize(
    "iso3,year,usd,code",
    [
        ("ARG", 2025, "10", "country_outside_plan"),
        ("COL", 2027, "10", "year_outside_plan"),
        ("COL", 2025, "-1", "negative_amount"),
    ],
)
def test_entries_outside_the_plan_are_refused(rmrp, make_user, iso3, year, usd, code):
    plan, orgs = rmrp
    orgs["LOCAL"].countries.add(Country.objects.get(iso3="ARG"))
    with pytest.raises(ApplicationError) as exc_info:
        _entry(
            make_user("partner-reporter", "organisation:LOCAL"),
            plan,
            orgs["LOCAL"],
            iso3,
            "HEA",
            usd,
            year=year,
        )
    assert exc_info.value.code == code
    assert PlanEntry.objects.count() == 0


def test_a_partner_cannot_enter_for_another_organisation(rmrp, make_user):
    plan, orgs = rmrp
    with pytest.raises(PermissionDenied):
        _entry(
            make_user("partner-reporter", "organisation:LOCAL"),
            plan,
            orgs["DIASP"],
            "COL",
            "HEA",
            "1",
        )


def test_entry_form_and_review_through_the_pages(rmrp, client, make_user):
    plan, orgs = rmrp
    client.force_login(make_user("partner-reporter", "organisation:LOCAL"))
    url = reverse("plans:entry", args=[plan.code])
    assert client.get(url).status_code == 200
    data = {
        "organisation": "LOCAL",
        "country": "COL",
        "sector": "HEA",
        "year": 2025,
        "requirement_usd": "1500",
        "activities": "Brigadas de salud",
        "target_in-destination": 300,
        "submit": "1",
    }
    response = client.post(url, data)
    assert response.status_code == 302
    entry = PlanEntry.objects.get()
    assert (entry.status, entry.targets.get().people) == ("submitted", 300)
    # the coordinator sees it on the plan page and approves it
    client.force_login(make_user("sector-coordinator", "sector:COL/HEA", email="c@example.org"))
    page = client.get(reverse("plans:plan", args=[plan.code])).content.decode()
    assert (
        "Brigadas de salud" in page and reverse("plans:review", args=[plan.code, entry.pk]) in page
    )
    client.post(reverse("plans:review", args=[plan.code, entry.pk]), {"decision": "approved"})
    entry.refresh_from_db()
    assert entry.status == "approved"


def test_plan_pages_need_the_right_roles(seed_appeal, client, make_user):
    client.force_login(make_user("partner-viewer", "organisation:IOM"))
    assert client.get(reverse("plans:plans")).status_code == 200
    assert client.get(reverse("plans:upload")).status_code == 403
    assert (
        client.post(reverse("plans:publish", args=[seed_appeal.code]), {"publish": "0"}).status_code
        == 403
    )
    client.force_login(make_user("regional-admin", "region", email="admin@example.org"))
    client.post(reverse("plans:publish", args=[seed_appeal.code]), {"publish": "0"})
    seed_appeal.refresh_from_db()
    assert seed_appeal.status == "draft"


def test_plan_upload_page_keeps_the_file_and_shows_row_errors(iom, client, make_user):
    import io

    from puente.core.models import Upload
    from puente.core.testing import csv_bytes

    client.force_login(make_user("regional-admin", "region"))
    upload = io.BytesIO(csv_bytes([["plan", "year"], ["new-plan", "20x5"]]))
    upload.name = "plan.csv"
    response = client.post(reverse("plans:upload"), {"file": upload})
    page = response.content.decode()
    assert "invalid_year" in page and "missing_required" in page
    stored = Upload.objects.get()
    assert (stored.kind, stored.accepted) == ("plan", False)
    assert stored.file.read().startswith(b"plan,year")
    assert Plan.objects.count() == 0


def test_plan_page_filters_pages_and_keeps_its_queries_few(
    rmrp, client, make_user, django_assert_max_num_queries
):
    plan, orgs = rmrp
    reporter = make_user("partner-reporter", "organisation:LOCAL")
    for sector in ["HEA", "FSC", "EDU", "SHE", "WSH", "PRO", "INT", "NUT"]:
        for iso3 in ["COL", "ECU"]:
            _entry(reporter, plan, orgs["LOCAL"], iso3, sector, "10")
    client.force_login(make_user("regional-admin", "region", email="admin@example.org"))
    with django_assert_max_num_queries(25):
        page = client.get(reverse("plans:plan", args=[plan.code]), {"year": 2025}).content.decode()
    assert "16 entries" in page
    filtered = client.get(
        reverse("plans:plan", args=[plan.code]), {"year": 2025, "country": "ecu", "sector": "HEA"}
    ).content.decode()
    assert "1 entry" in filtered


@pytest.mark.parametrize(
    "params,message",
    [
        ({"country": "XXX"}, "is not a country of this plan"),
        ({"country": "BRA"}, "is not a country of this plan"),
        ({"sector": "NOPE"}, "is not a sector code"),
        ({"org": "NOPE"}, "is not the acronym of an organisation"),
        ({"status": "lost"}, "Select a valid choice"),
    ],
)
def test_a_mistyped_entry_filter_is_an_error_on_the_page(rmrp, client, make_user, params, message):
    plan, orgs = rmrp
    _entry(
        make_user("partner-reporter", "organisation:LOCAL"), plan, orgs["LOCAL"], "COL", "HEA", "10"
    )
    client.force_login(make_user("regional-admin", "region", email="admin@example.org"))
    response = client.get(reverse("plans:plan", args=[plan.code]), {"year": 2025, **params})
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page
    # never every entry instead
    assert 'id="plan-entries"' not in page


@pytest.mark.parametrize("year", ["2030", "20x5"])
def test_a_year_outside_the_plan_is_an_error_on_the_plan_pages(
    rmrp, seed_appeal, client, make_user, year
):
    plan, _orgs = rmrp
    client.force_login(make_user("regional-admin", "region", email="admin@example.org"))
    response = client.get(reverse("plans:plan", args=[plan.code]), {"year": year})
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="year-errors"' in page and 'href="?year=2025"' in page
    public = client.get(reverse("public-plan", args=[seed_appeal.code]), {"year": year})
    assert public.status_code == 400
    assert 'id="year-errors"' in public.content.decode()


def test_entries_are_filtered_by_an_organisation_picked_by_its_name(rmrp, client, make_user):
    plan, orgs = rmrp
    Organisation.objects.filter(acronym="LOCAL").update(name="Fundación Local de Apoyo")
    reporter = make_user("partner-reporter", "organisation:LOCAL")
    _entry(reporter, plan, orgs["LOCAL"], "COL", "HEA", "10")
    _entry(
        make_user("partner-reporter", "organisation:BIGUN", email="b@example.org"),
        plan,
        orgs["BIGUN"],
        "COL",
        "FSC",
        "20",
    )
    client.force_login(make_user("regional-admin", "region", email="admin@example.org"))
    page = client.get(reverse("plans:plan", args=[plan.code]), {"year": 2025}).content.decode()
    # the organisations are offered by acronym and name
    assert '<option value="LOCAL — Fundación Local de Apoyo"></option>' in page
    picked = client.get(
        reverse("plans:plan", args=[plan.code]),
        {"year": 2025, "org": "LOCAL — Fundación Local de Apoyo"},
    ).content.decode()
    assert "1 entry" in picked
    assert 'value="LOCAL — Fundación Local de Apoyo"' in picked
