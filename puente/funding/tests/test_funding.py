"""Contributions: currency conversion at the stored rate, pass-through counted once,
funding against requirement, bad input, the CLI summary and the page."""

import csv
import io
import json
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse

from puente.core.testing import run_import
from puente.funding.models import Contribution
from puente.funding.selectors import funding_localisation, funding_summary
from puente.partners.models import Organisation
from puente.plans.models import Plan, PlanEntry
from puente.reference.models import Country, Sector

pytestmark = pytest.mark.django_db
RATES = [
    ["currency", "valid_from", "usd_per_unit"],
    ["EUR", "2025-01-01", "1.04"],
    ["EUR", "2025-07-01", "1,10"],
    ["COP", "2025-01-01", "0.00024"],
]
HEADER = [
    "source_id",
    "donor",
    "recipient",
    "plan",
    "country",
    "sector",
    "amount",
    "currency",
    "date",
    "status",
]


@pytest.fixture
def plan(db):
    plan = Plan.objects.create(
        code="rmrp", name_en="RMRP", kind="inter-agency", start_year=2025, end_year=2026
    )
    plan.countries.set(Country.objects.filter(iso3__in=["COL", "ECU"]))
    for acronym, kind in [("BIGUN", "un-agency"), ("LOCAL", "national-ngo"), ("OTHER", "ingo")]:
        org = Organisation.objects.create(name=acronym, acronym=acronym, type=kind, appealing=True)
        org.countries.set(Country.objects.filter(iso3__in=["COL", "ECU"]))
    health = Sector.objects.get(code="HEA")
    for acronym, iso3, usd in [
        ("BIGUN", "COL", 1000),
        ("LOCAL", "COL", 400),
        ("OTHER", "ECU", 600),
    ]:
        PlanEntry.objects.create(
            plan=plan,
            organisation=Organisation.objects.get(acronym=acronym),
            country=Country.objects.get(iso3=iso3),
            sector=health,
            year=2025,
            requirement_usd=usd,
            status="approved",
        )
    return plan


def flows(tmp_path, capsys, rows, ok=True):
    return run_import(tmp_path, capsys, "funding", [HEADER, *rows], ok=ok)


def test_conversion_and_pass_through_counted_once(plan, tmp_path, capsys):
    assert run_import(tmp_path, capsys, "rates", RATES)["imported"] == 3
    out = flows(
        tmp_path,
        capsys,
        [
            # 500 EUR in March at 1.04, 100 EUR in August at 1.10
            [
                "F1",
                "European Union",
                "BIGUN",
                "rmrp",
                "COL",
                "HEA",
                "500",
                "EUR",
                "2025-03-10",
                "paid",
            ],
            [
                "F2",
                "European Union",
                "BIGUN",
                "rmrp",
                "COL",
                "HEA",
                "100",
                "eur",
                "15/08/2025",
                "commitment",
            ],
            # BIGUN passes 200 USD on to LOCAL: counted once, at LOCAL
            ["F3", "BIGUN", "LOCAL", "rmrp", "COL", "HEA", "200", "USD", "2025-04-01", "paid"],
            ["F4", "Canada", "OTHER", "rmrp", "ECU", "HEA", "300", "USD", "2025-05-01", "pledge"],
        ],
    )
    assert (out["imported"], out["errors"]) == (4, [])
    f1, f3 = Contribution.objects.get(source_id="F1"), Contribution.objects.get(source_id="F3")
    assert (f1.amount_usd, f1.exchange_rate, f1.pass_through) == (
        Decimal("520.00"),
        Decimal("1.04"),
        False,
    )
    assert Contribution.objects.get(source_id="F2").amount_usd == Decimal("110.00")
    assert f3.pass_through and f3.donor_organisation.acronym == "BIGUN"
    # by organisation: BIGUN 520 + 110 - 200, LOCAL 200; pledges apart
    by_org = {r["org"]: r for r in funding_summary(plan, by=["org"])}
    assert by_org["BIGUN"]["funded_usd"] == Decimal("430.00")
    assert by_org["LOCAL"]["funded_usd"] == Decimal("200.00")
    assert (by_org["OTHER"]["funded_usd"], by_org["OTHER"]["pledged_usd"]) == (0, Decimal("300.00"))
    assert by_org["LOCAL"]["percent_funded"] == 50.0
    # the plan as a whole: the pass-through is not added twice
    (total,) = funding_summary(plan)
    assert total["funded_usd"] == Decimal("630.00")
    assert total["requirement_usd"] == Decimal("2000")
    assert total["percent_funded"] == 31.5
    by_country = {r["country"]: r["funded_usd"] for r in funding_summary(plan, by=["country"])}
    assert by_country == {"COL": Decimal("630.00"), "ECU": 0}
    # a third of the money that stays ends with a national organisation
    assert funding_localisation(plan)["national_share"] == pytest.approx(200 / 630)


@pytest.mark.parametrize(
    "row,code,column",
    [
        (
            ["F9", "EU", "BIGUN", "rmrp", "COL", "HEA", "5", "XYZ", "2025-03-01", "paid"],
            "unknown_currency",
            "currency",
        ),
        (
            ["F9", "EU", "BIGUN", "rmrp", "COL", "HEA", "5", "GBP", "2025-03-01", "paid"],
            "no_exchange_rate",
            "currency",
        ),
        (
            ["F9", "EU", "BIGUN", "rmrp", "COL", "HEA", "-5", "USD", "2025-03-01", "paid"],
            "negative_amount",
            "amount",
        ),
        (
            ["F9", "EU", "BIGUN", "rmrp", "PER", "HEA", "5", "USD", "2025-03-01", "paid"],
            "country_outside_plan",
            "country",
        ),
        (
            ["F9", "EU", "NOBODY", "rmrp", "COL", "HEA", "5", "USD", "2025-03-01", "paid"],
            "unknown_organisation",
            "recipient",
        ),
        (
            ["F9", "EU", "BIGUN", "rmrp", "COL", "HEA", "5", "USD", "2025-02-30", "paid"],
            "invalid_date",
            "date",
        ),
        (
            ["F9", "EU", "BIGUN", "rmrp", "COL", "HEA", "5", "USD", "2025-03-01", "maybe"],
            "invalid_status",
            "status",
        ),
        (
            ["F1", "EU", "BIGUN", "rmrp", "COL", "HEA", "5", "USD", "2025-03-01", "paid"],
            "duplicate_row",
            "source_id",
        ),
    ],
)
def test_bad_rows_are_named_and_nothing_is_written(plan, tmp_path, capsys, row, code, column):
    good = ["F1", "EU", "BIGUN", "rmrp", "COL", "HEA", "5", "USD", "2025-03-01", "paid"]
    out = flows(tmp_path, capsys, [good, row], ok=False)
    assert [(e["row"], e["column"], e["code"]) for e in out["errors"]] == [(3, column, code)]
    assert Contribution.objects.count() == 0


def test_the_same_contribution_twice_is_refused(plan, tmp_path, capsys):
    row = ["F1", "EU", "BIGUN", "rmrp", "COL", "HEA", "5", "USD", "2025-03-01", "paid"]
    flows(tmp_path, capsys, [row])
    out = flows(tmp_path, capsys, [row, [*row[:1], "EU", "LOCAL", *row[3:]]], ok=False)
    assert [e["code"] for e in out["errors"]] == ["duplicate_contribution", "duplicate_row"]
    assert Contribution.objects.count() == 1


def test_fts_headers_are_understood(plan, tmp_path, capsys):
    rows = [
        [
            "Flow ID",
            "Source organization",
            "Destination organization",
            "Destination location",
            "Original amount",
            "Original currency",
            "Decision date",
            "Flow status",
        ],
        ["123", "ECHO", "BIGUN", "Colombia", "1000", "USD", "2025-01-02", "Paid"],
    ]
    out = run_import(tmp_path, capsys, "funding", rows)
    assert out["errors"] == []
    assert Contribution.objects.get().source == "fts"


def test_funding_summary_command(plan, tmp_path, capsys):
    flows(
        tmp_path,
        capsys,
        [["F1", "EU", "BIGUN", "rmrp", "COL", "HEA", "500", "USD", "2025-03-10", "paid"]],
    )
    call_command("funding_summary", "--plan", "rmrp", "--by", "country,sector", "--format", "json")
    rows = json.loads(capsys.readouterr().out)
    assert rows == [
        {
            "country": "COL",
            "sector": "HEA",
            "requirement_usd": 1400,
            "funded_usd": 500,
            "pledged_usd": 0,
            "percent_funded": 35.7,
        },
        {
            "country": "ECU",
            "sector": "HEA",
            "requirement_usd": 600,
            "funded_usd": 0,
            "pledged_usd": 0,
            "percent_funded": 0.0,
        },
    ]
    call_command("funding_summary", "--plan", "rmrp", "--by", "org")
    records = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [(r["org"], r["funded_usd"]) for r in records] == [
        ("BIGUN", "500.00"),
        ("LOCAL", "0"),
        ("OTHER", "0"),
    ]


def test_page_and_exports(plan, tmp_path, capsys, client, make_user):
    from puente.core.testing import csv_bytes

    client.force_login(make_user("platform-im-officer", "country:COL"))
    upload = io.BytesIO(
        csv_bytes(
            [
                HEADER,
                ["F1", "EU", "BIGUN", "rmrp", "COL", "HEA", "500", "USD", "2025-03-10", "paid"],
            ]
        )
    )
    upload.name = "flows.csv"
    response = client.post(
        reverse("funding:funding") + "?plan=rmrp", {"import_kind": "funding", "file": upload}
    )
    assert response.status_code == 200 and Contribution.objects.count() == 1
    assert (
        "BIGUN"
        in client.get(reverse("funding:funding"), {"plan": "rmrp", "by": "org"}).content.decode()
    )
    import hxl

    content = client.get(
        reverse("funding:export", args=["hxl"]), {"plan": "rmrp", "by": "country"}
    ).content
    dataset = hxl.data(io.BytesIO(content), hxl.input.InputOptions(allow_local=True))
    values = {row.get("#country+code"): row.get("#value+funding+usd") for row in dataset}
    assert values == {"COL": "500.00", "ECU": "0"}


def test_only_funding_managers_load_files(plan, client, make_user):
    client.force_login(make_user("partner-reporter", "organisation:LOCAL"))
    upload = io.BytesIO(b"x\n1\n")
    upload.name = "x.csv"
    assert client.post(reverse("funding:funding"), {"file": upload}).status_code == 403


def test_api_gives_what_the_cli_prints(plan, tmp_path, capsys, client, make_user):
    flows(
        tmp_path,
        capsys,
        [["F1", "EU", "BIGUN", "rmrp", "COL", "HEA", "500.5", "USD", "2025-03-10", "paid"]],
    )
    call_command("funding_summary", "--plan", "rmrp", "--by", "org", "--format", "json")
    printed = json.loads(capsys.readouterr().out)
    client.force_login(make_user("partner-viewer", "organisation:LOCAL"))
    response = client.get(reverse("api-funding-summary"), {"plan": "rmrp", "by": "org"})
    assert response.json() == printed
    assert printed[0]["funded_usd"] == 500.5
    assert (
        client.get(reverse("api-funding-summary"), {"plan": "nope"}).json()["error"]["code"]
        == "not_found"
    )
    assert (
        client.get(reverse("api-funding-summary"), {"plan": "rmrp", "by": "x"}).status_code == 400
    )


def test_a_web_upload_writes_only_contributions_in_scope(plan, client, make_user):
    from puente.core.testing import csv_bytes

    client.force_login(make_user("platform-im-officer", "country:ECU"))
    upload = io.BytesIO(
        csv_bytes(
            [HEADER, ["F1", "EU", "BIGUN", "rmrp", "COL", "HEA", "5", "USD", "2025-03-01", "paid"]]
        )
    )
    upload.name = "flows.csv"
    page = client.post(
        reverse("funding:funding"), {"import_kind": "funding", "file": upload}
    ).content.decode()
    assert "not_allowed" in page
    assert Contribution.objects.count() == 0


def _paid(plan):
    for source_id, recipient, iso3, amount in [
        ("F1", "BIGUN", "COL", 500),
        ("F2", "OTHER", "ECU", 150),
    ]:
        Contribution.objects.create(
            donor="EU",
            recipient=Organisation.objects.get(acronym=recipient),
            plan=plan,
            country=Country.objects.get(iso3=iso3),
            sector=Sector.objects.get(code="HEA"),
            amount=amount,
            currency="USD",
            exchange_rate=1,
            amount_usd=amount,
            date="2025-03-10",
            status="paid",
            source="fts",
            source_id=source_id,
        )


def _cells(page, marker):
    import re

    start = page.index(marker)
    row = page[start : page.index("</tr>", start)]
    return [re.sub(r"<meter.*?</meter>", "", c) for c in re.findall(r"<td[^>]*>(.*?)</td>", row)]


def test_page_names_countries_bars_the_share_funded_and_adds_a_totals_row(
    plan, client, make_user, settings
):
    # given 500 paid of COL's 1,400 and 150 of ECU's 600, a reader in Spanish
    _paid(plan)
    client.force_login(make_user("partner-viewer", "organisation:LOCAL"))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"
    page = client.get(reverse("funding:funding"), {"plan": "rmrp"}).content.decode()
    # then countries are named in Spanish, in the order of their names
    assert _cells(page, 'data-country="COL"') == ["Colombia", "1.400", "500", "0", "35,7%"]
    assert page.index('data-country="COL"') < page.index('data-country="ECU"')
    # each row bars funded against required
    assert '<meter min="0" max="100" value="35.7">' in page
    # and the totals row adds them up: 650 of 2,000 is 32.5%
    assert _cells(page, 'id="funding-totals"') == ["2.000", "650", "0", "32,5%"]
    assert '<meter min="0" max="100" value="32.5">' in page
    # organisations are shown by acronym and name
    by_org = client.get(reverse("funding:funding"), {"plan": "rmrp", "by": "org"}).content.decode()
    assert _cells(by_org, 'data-org="BIGUN"')[0] == "BIGUN"
    Organisation.objects.filter(acronym="BIGUN").update(name="Big United Nations Agency")
    by_org = client.get(reverse("funding:funding"), {"plan": "rmrp", "by": "org"}).content.decode()
    assert _cells(by_org, 'data-org="BIGUN"')[0] == "BIGUN — Big United Nations Agency"


@pytest.mark.parametrize(
    "params,message",
    [
        ({"plan": "nope"}, "There is no plan"),
        ({"plan": "rmrp", "year": "20x5"}, "is not a year"),
        ({"plan": "rmrp", "year": "99999"}, "is not a year"),
        ({"plan": "rmrp", "by": "donor"}, "is not one of the groupings offered"),
    ],
)
def test_a_mistyped_filter_is_an_error_on_the_page(plan, client, make_user, params, message):
    _paid(plan)
    client.force_login(make_user("partner-viewer", "organisation:LOCAL"))
    response = client.get(reverse("funding:funding"), params)
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page
    assert 'id="funding-table"' not in page
    download = client.get(reverse("funding:export", args=["csv"]), params)
    assert download.status_code == 400
    assert message in download.content.decode()


def test_a_year_written_like_a_figure_is_refused_by_every_door(plan, client, make_user):
    _paid(plan)
    client.force_login(make_user("partner-viewer", "organisation:LOCAL"))
    page = client.get(reverse("funding:funding"), {"plan": "rmrp", "year": "2.025"})
    assert page.status_code == 400
    assert "is not a year" in page.content.decode()
    api = client.get(reverse("api-funding-summary"), {"plan": "rmrp", "year": "2,025"})
    assert api.status_code == 400


@pytest.mark.parametrize("year", ["20x5", "99999", "0"])
def test_a_bad_year_is_a_400_from_the_api_and_an_error_from_the_cli(plan, client, make_user, year):
    from django.core.management.base import CommandError

    client.force_login(make_user("partner-viewer", "organisation:LOCAL"))
    response = client.get(reverse("api-funding-summary"), {"plan": "rmrp", "year": year})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_year"
    assert year in response.json()["error"]["message"]
    with pytest.raises(CommandError, match="is not a year"):
        call_command("funding_summary", "--plan", "rmrp", "--year", year)


def test_an_unpublished_agency_appeal_is_funding_nobody_else_may_read(plan, client, make_user):
    # given an agency appeal in draft, beside the inter-agency plan
    draft = Plan.objects.create(
        code="iom-draft",
        name_en="IOM draft appeal",
        kind="agency",
        organisation=Organisation.objects.get(acronym="BIGUN"),
        start_year=2025,
        end_year=2026,
    )
    draft.countries.set(Country.objects.filter(iso3="COL"))
    # when a partner asks for its funding through the API, the page and a download
    client.force_login(make_user("partner-viewer", "organisation:LOCAL"))
    api = client.get(reverse("api-funding-summary"), {"plan": "iom-draft"})
    page = client.get(reverse("funding:funding"), {"plan": "iom-draft"})
    download = client.get(reverse("funding:export", args=["csv"]), {"plan": "iom-draft"})
    # then the appeal is as unknown as a plan that does not exist, at every door
    assert api.status_code == 404
    assert api.json()["error"]["code"] == "not_found"
    assert page.status_code == 400
    assert "iom-draft" not in [c for c, _name in page.context["filters"].fields["plan"].choices]
    assert download.status_code == 400
    # while those who manage plans read it
    client.force_login(make_user("regional-admin", "region"))
    assert client.get(reverse("api-funding-summary"), {"plan": "iom-draft"}).status_code == 200
    assert client.get(reverse("funding:funding"), {"plan": "iom-draft"}).status_code == 200
