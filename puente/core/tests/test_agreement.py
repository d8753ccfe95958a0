"""The public pages show the figures the CLI and the API give for the same filters.

One demo response (`demo_data_create(seed=2025)`: 17 countries, a year of 5W in every
state, two published plans with contributions and pass-through) is loaded once for the
module. Then:

- the public dashboard (`/public/` and the `/public/data.json` it draws from, and the
  public CSV export) against `puente people-reached … --format json` and
  `/api/people-reached/`, for the region and each country, several months;
- each published plan page (`/public/plans/<code>/?year=Y`) against
  `puente funding-summary --plan CODE --year Y [--by country|sector] --format json` and
  `/api/funding-summary/`: requirement, funded and percent funded, per country and per
  sector. The page's figures are read twice: the raw number (`data-value`) and the
  printed text parsed back, so a figure printed in the wrong unit ("0.3 %" for a 29.2 %
  funded plan) fails like a wrong number;
- the same figures in English, Spanish and Portuguese.

Each test gathers every disagreement before failing, so that one run lists them all.
"""

from __future__ import annotations

import csv
import io
import json
import re
from decimal import ROUND_HALF_UP, Decimal
from html.parser import HTMLParser
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings

pytestmark = pytest.mark.django_db

LANGUAGES = ("en", "es", "pt")
CENT = Decimal("0.01")


# --- the response, once for the module ---------------------------------------------------


@pytest.fixture(scope="module")
def demo(django_db_setup: Any, django_db_blocker: Any, tmp_path_factory: Any) -> dict:
    """The demo response inside a transaction rolled back after the module; each test's
    own transaction nests in it. Files and caches go to temporary places, never to the
    checkout's .columnar or .cache."""
    from puente.demo.services import demo_data_create
    from puente.plans.models import Plan
    from puente.reference.models import Country
    from puente.reporting.models import ActivityRow, RowStatus

    overrides = override_settings(
        PUENTE_COLUMNAR_DIR=tmp_path_factory.mktemp("agreement-columnar"),
        CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}},
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
    )
    with django_db_blocker.unblock(), overrides, transaction.atomic():
        demo_data_create(seed=2025)
        months = sorted(
            set(
                ActivityRow.objects.filter(status=RowStatus.VALIDATED).values_list(
                    "month", flat=True
                )
            )
        )
        assert months, "the demo response has no validated 5W"
        countries = list(Country.objects.order_by("iso3").values_list("iso3", flat=True))
        plans = list(Plan.objects.filter(status=Plan.Status.PUBLISHED).order_by("code"))
        assert plans, "the demo response publishes no plan"
        yield {"months": months, "countries": countries, "plans": plans}
        transaction.set_rollback(True)


@pytest.fixture
def api(make_user: Any) -> Any:
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(make_user("regional-admin", "region"))
    return client


def cli(command: str, *args: str) -> Any:
    out = io.StringIO()
    call_command(command, *args, "--format", "json", stdout=out)
    return json.loads(out.getvalue())


def get_api(api: Any, path: str, params: dict[str, Any]) -> Any:
    response = api.get(path, params)
    assert response.status_code == 200, (path, params, response.content[:300])
    return json.loads(response.content)


def get_page(client: Any, path: str, language: str = "en", **params: Any) -> str:
    response = client.get(path, params, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200, (path, params, response.status_code)
    assert response.headers["Content-Language"] == language, (path, language)
    return response.content.decode()


def money(value: Any) -> Decimal:
    """A USD amount from a data-value ("1234.50") or the CLI's JSON (1234.5)."""
    return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)


def whole(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def parse_printed(text: str, language: str) -> Decimal | None:
    """A figure as the page prints it in `language` ("1,297,760", "1.297.760",
    "29.2%", "29,2 %") back to a number; None for "–" or nothing."""
    text = text.replace("\xa0", " ").replace("\u202f", " ").strip()
    match = re.search(r"-?\d[\d.,\s]*", text)
    if match is None:
        return None
    number = re.sub(r"\s", "", match.group()).rstrip(".,")
    group, decimal = (",", ".") if language == "en" else (".", ",")
    return Decimal(number.replace(group, "").replace(decimal, "."))


# --- reading the rendered HTML -----------------------------------------------------------


class Node:
    def __init__(self, tag: str, attrs: dict[str, str], parent: Node | None) -> None:
        self.tag, self.attrs, self.parent = tag, attrs, parent
        self.children: list[Node] = []
        self.parts: list[str] = []

    @property
    def text(self) -> str:
        return "".join(self.parts)

    def iter(self) -> Any:
        yield self
        for child in self.children:
            yield from child.iter()

    def find(self, **attrs: str) -> Node | None:
        return next(
            (n for n in self.iter() if all(n.attrs.get(k) == v for k, v in attrs.items())), None
        )

    def find_all(self, tag: str) -> list[Node]:
        return [n for n in self.iter() if n.tag == tag]


class Page(HTMLParser):
    VOID = {"meta", "link", "br", "img", "input", "hr", "source", "area", "col", "wbr"}

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#root", {}, None)
        self.current = self.root
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, {k: v or "" for k, v in attrs}, self.current)
        self.current.children.append(node)
        if tag not in self.VOID:
            self.current = node

    def handle_endtag(self, tag: str) -> None:
        node: Node | None = self.current
        while node is not None and node.tag != tag:
            node = node.parent
        if node is not None and node.parent is not None:
            self.current = node.parent

    def handle_data(self, data: str) -> None:
        node: Node | None = self.current
        while node is not None:
            node.parts.append(data)
            node = node.parent


def plan_figures(html: str, language: str) -> dict[str, Any]:
    """The plan page's figures: for each, (data-value, the printed text parsed back)."""
    root = Page(html).root

    def figure(node: Node | None, name: str) -> tuple[str, Decimal | None]:
        assert node is not None, f"no {name} on the page"
        assert "data-value" in node.attrs, f"{name} has no data-value"
        return node.attrs["data-value"], parse_printed(node.text, language)

    headline = {
        name: figure(root.find(id=f"plan-{name}"), name)
        for name in ("requirement", "targeted", "funded")
    }
    percent = root.find(id="plan-percent-funded")
    headline["percent"] = figure(percent, "percent funded") if percent else ("", None)
    table = root.find(id="plan-countries")
    assert table is not None, "no table of countries"
    countries = {}
    for row in table.find_all("tr"):
        if "data-country" not in row.attrs:
            continue
        cells = [c for c in row.find_all("td") if "data-value" in c.attrs]
        assert len(cells) == 3, f"country row {row.attrs['data-country']!r}: {len(cells)} figures"
        countries[row.attrs["data-country"]] = dict(
            zip(
                ("requirement", "targeted", "funded"),
                (figure(c, "country figure") for c in cells),
                strict=True,
            )
        )
    totals = [c for c in table.find_all("th") if "data-value" in c.attrs]
    assert len(totals) == 3, "the total row has no figures"
    sectors = {}
    sector_table = root.find(id="plan-sectors")
    if sector_table is not None:
        for row in sector_table.find_all("tr"):
            if "data-sector" in row.attrs:
                cell = next(c for c in row.find_all("td") if "data-value" in c.attrs)
                sectors[row.attrs["data-sector"]] = figure(cell, "sector figure")
    return {
        "headline": headline,
        "countries": countries,
        "total": dict(
            zip(
                ("requirement", "targeted", "funded"),
                (figure(c, "total") for c in totals),
                strict=True,
            )
        ),
        "sectors": sectors,
    }


# --- the public dashboard ----------------------------------------------------------------


def _periods(months: list[Any]) -> list[tuple[int, int]]:
    """For each year of the response: its first and its last month with validated 5W."""
    periods = []
    for year in sorted({m.year for m in months}):
        of_year = [m.month for m in months if m.year == year]
        periods += sorted({(year, min(of_year)), (year, max(of_year))})
    return periods


def _people_reached(api: Any, year: int, month: int, country: str | None, by: str) -> list:
    args = ["--year", str(year), "--through", f"{year}-{month:02d}"]
    params: dict[str, Any] = {"year": year, "through": f"{year}-{month:02d}"}
    if country:
        args += ["--country", country]
        params["country"] = country
    if by:
        args += ["--by", by]
        params["by"] = by
    from_cli = cli("people_reached", *args)
    from_api = get_api(api, "/api/people-reached/", params)
    assert from_api == from_cli, f"API and CLI differ for {params}"
    return from_cli


def _by(rows: list[dict], key: str) -> dict[str, tuple[int, int]]:
    return {r[key]: (r["monthly"], r["consolidated"]) for r in rows}


def _check_dashboard(client: Any, api: Any, year: int, month: int, country: str | None) -> list:
    problems: list[str] = []
    where = f"{year}-{month:02d} {country or 'region'}"
    params: dict[str, Any] = {"year": year, "month": month}
    if country:
        params["country"] = country
    html = get_page(client, "/public/", **params)
    dashboard = Page(html).root.find(id="dashboard")
    assert dashboard is not None, f"{where}: /public/ has no #dashboard"
    url = dashboard.attrs["data-url"]
    for key, value in params.items():
        if f"{key}={value}" not in url:
            problems.append(f"{where}: /public/ draws from {url}, without {key}={value}")
    data = json.loads(get_page(client, "/public/data.json", **params))

    reached = {
        by: _people_reached(api, year, month, country, by)
        for by in ("", "country", "admin1", "sector", "population_group")
    }
    total = reached[""][0]
    headline = data["headline"]
    if (headline["monthly"], headline["consolidated"]) != (
        total["monthly"],
        total["consolidated"],
    ):
        problems.append(
            f"{where}: headline {headline['monthly']}/{headline['consolidated']}, "
            f"people-reached {total['monthly']}/{total['consolidated']}"
        )
    drill = data["drill_by"]
    page_tables = {
        drill: {r["code"]: (r["monthly"], r["consolidated"]) for r in data["table"]},
        "sector": {r["code"]: (r["monthly"], r["consolidated"]) for r in data["by_sector"]},
        "population_group": {
            r["code"]: (r["monthly"], r["consolidated"]) for r in data["by_population_group"]
        },
    }
    for by, shown in page_tables.items():
        expected = _by(reached[by], by)
        if shown != expected:
            differ = sorted(
                k for k in shown.keys() | expected.keys() if shown.get(k) != expected.get(k)
            )
            problems.append(
                f"{where}: by {by}, page and people-reached differ for "
                + ", ".join(f"{k}: {shown.get(k)} vs {expected.get(k)}" for k in differ[:5])
            )
    areas = {r["code"]: r["value"] for r in data["map"]}
    expected_areas = {r["admin1"]: r["consolidated"] for r in reached["admin1"]}
    if areas != expected_areas:
        problems.append(f"{where}: map by admin-1 differs from people-reached --by admin1")
    # The public download of the main table carries the same figures.
    export = client.get("/public/export.csv", {**params, "table": "main"})
    assert export.status_code == 200
    rows = list(csv.DictReader(io.StringIO(export.content.decode("utf-8-sig"))))
    exported = {r[drill]: (int(r["monthly"]), int(r["consolidated"])) for r in rows}
    if exported != page_tables[drill]:
        problems.append(f"{where}: /public/export.csv differs from the page's table")
    return problems


def test_public_dashboard_agrees_with_people_reached_cli_and_api(demo, client, api):
    problems: list[str] = []
    periods = _periods(demo["months"])
    # Every country at the latest month (what the public page opens on); the region and
    # three countries, large and small, at the other months.
    for year, month in periods:
        countries = demo["countries"] if (year, month) == periods[-1] else ["COL", "ECU", "CUW"]
        for country in [None, *countries]:
            problems += _check_dashboard(client, api, year, month, country)
    # The page as it opens, without filters, shows the period it names.
    opened = json.loads(get_page(client, "/public/data.json"))
    year, month = opened["year"], opened["month"]
    chosen = json.loads(get_page(client, "/public/data.json", year=year, month=month))
    if _numbers(opened) != _numbers(chosen):
        problems.append(f"/public/data.json without filters is not {year}-{month:02d}'s")
    problems += _check_dashboard(client, api, year, month, None)
    assert not problems, "\n".join(problems)


def test_public_dashboard_trend_agrees_with_each_month(demo, client, api):
    """The month-by-month chart: each month's point is that month's people-reached."""
    problems = []
    year, month = _periods(demo["months"])[-1]
    for country in (None, "COL", "PER"):
        params: dict[str, Any] = {"year": year, "month": month}
        if country:
            params["country"] = country
        data = json.loads(get_page(client, "/public/data.json", **params))
        for point in data["trend"]:
            through = int(point["month"][5:])
            [row] = _people_reached(api, year, through, country, "")
            if (point["monthly"], point["consolidated"]) != (row["monthly"], row["consolidated"]):
                problems.append(
                    f"{point['month']} {country or 'region'}: chart "
                    f"{point['monthly']}/{point['consolidated']}, "
                    f"people-reached {row['monthly']}/{row['consolidated']}"
                )
    assert len(data["trend"]) == month
    assert not problems, "\n".join(problems)


def test_public_dashboard_filters_agree_with_people_reached_groupings(demo, client, api):
    """Filtering the page by one sector, population group or admin-1 area shows the row
    of that code in `people-reached --by …`."""
    problems = []
    year, month = _periods(demo["months"])[-1]
    for by, param in (("sector", "sector"), ("population_group", "population_group")):
        for row in _people_reached(api, year, month, None, by):
            data = json.loads(
                get_page(client, "/public/data.json", year=year, month=month, **{param: row[by]})
            )
            shown = (data["headline"]["monthly"], data["headline"]["consolidated"])
            if shown != (row["monthly"], row["consolidated"]):
                problems.append(f"{param}={row[by]}: page {shown}, people-reached {row}")
    for row in _people_reached(api, year, month, "COL", "admin1")[:6]:
        data = json.loads(
            get_page(client, "/public/data.json", year=year, month=month, admin1=row["admin1"])
        )
        shown = (data["headline"]["monthly"], data["headline"]["consolidated"])
        if shown != (row["monthly"], row["consolidated"]):
            problems.append(f"admin1={row['admin1']}: page {shown}, people-reached {row}")
    assert not problems, "\n".join(problems)


def _numbers(value: Any) -> Any:
    """The figures of a dashboard document, labels and links left out."""
    if isinstance(value, dict):
        return {
            k: _numbers(v)
            for k, v in value.items()
            if not any(word in k for word in ("label", "name", "url"))
        }
    if isinstance(value, list):
        items = [_numbers(v) for v in value]
        # rows of places are listed by name in the reader's language: compared by code
        if items and all(isinstance(v, dict) and "code" in v for v in items):
            items.sort(key=lambda v: str(v["code"]))
        return items
    return value


def test_public_dashboard_figures_are_the_same_in_every_language(demo, client):
    year, month = _periods(demo["months"])[-1]
    for params in ({}, {"country": "COL"}):
        documents = {
            language: json.loads(
                get_page(client, "/public/data.json", language, year=year, month=month, **params)
            )
            for language in LANGUAGES
        }
        assert _numbers(documents["es"]) == _numbers(documents["en"]), params
        assert _numbers(documents["pt"]) == _numbers(documents["en"]), params


# --- the public plan pages ---------------------------------------------------------------


def _published_plans(client: Any) -> list[str]:
    html = get_page(client, "/public/plans/")
    return sorted(set(re.findall(r'href="/public/plans/([^"/]+)/"', html)))


def _funding(api: Any, code: str, year: int, by: str) -> list[dict]:
    args = ["--plan", code, "--year", str(year)]
    params: dict[str, Any] = {"plan": code, "year": year}
    if by:
        args += ["--by", by]
        params["by"] = by
    from_cli = cli("funding_summary", *args)
    from_api = get_api(api, "/api/funding-summary/", params)
    assert from_api == from_cli, f"API and CLI differ for {params}"
    return from_cli


def _check_plan_page(client: Any, api: Any, plan: Any, year: int) -> list[str]:
    problems: list[str] = []
    where = f"/public/plans/{plan.code}/?year={year}"

    def same(what: str, shown: tuple[str, Decimal | None], expected: Any) -> None:
        raw, printed = shown
        if expected is None:
            if raw or printed is not None:
                problems.append(f"{where} {what}: page {raw!r} / {printed}, expected none")
            return
        if not raw or money(raw) != money(expected):
            problems.append(f"{where} {what}: data-value {raw!r}, funding-summary {expected}")
        if printed is None or printed != whole(money(expected)):
            problems.append(f"{where} {what}: printed {printed}, funding-summary {expected}")

    figures = plan_figures(get_page(client, f"/public/plans/{plan.code}/", year=year), "en")
    [summary] = _funding(api, plan.code, year, "")
    headline = figures["headline"]
    same("requirement", headline["requirement"], summary["requirement_usd"])
    same("funded", headline["funded"], summary["funded_usd"])
    raw, printed = headline["percent"]
    expected = summary["percent_funded"]
    if expected is None:
        if raw:
            problems.append(f"{where} percent funded: page {raw!r}, funding-summary none")
    else:
        if not raw or Decimal(raw) != Decimal(str(expected)):
            problems.append(
                f"{where} percent funded: data-value {raw!r}, funding-summary {expected}"
            )
        if printed != Decimal(str(expected)):
            problems.append(
                f"{where} percent funded: printed {printed} %, funding-summary {expected} %"
            )
    total = figures["total"]
    same("total requirement", total["requirement"], summary["requirement_usd"])
    same("total funded", total["funded"], summary["funded_usd"])

    by_country = {r["country"]: r for r in _funding(api, plan.code, year, "country")}
    shown_countries = figures["countries"]
    for iso3, row in shown_countries.items():
        expected_row = by_country.get(iso3, {"requirement_usd": 0, "funded_usd": 0})
        same(
            f"{iso3 or 'regional'} requirement", row["requirement"], expected_row["requirement_usd"]
        )
        same(f"{iso3 or 'regional'} funded", row["funded"], expected_row["funded_usd"])
    for iso3, row in by_country.items():
        if iso3 not in shown_countries and (row["requirement_usd"] or row["funded_usd"]):
            problems.append(
                f"{where}: funding-summary --by country has {iso3 or 'no country'} "
                f"(requirement {row['requirement_usd']}, funded {row['funded_usd']}), "
                "the page has no row for it"
            )
    # People targeted: no CLI or API gives them; the rows add up to the headline.
    targeted = [Decimal(r["targeted"][0]) for r in shown_countries.values() if r["targeted"][0]]
    if headline["targeted"][0] and targeted and sum(targeted) != Decimal(headline["targeted"][0]):
        problems.append(
            f"{where}: people targeted by country add up to {sum(targeted)}, "
            f"the headline says {headline['targeted'][0]}"
        )
    if headline["targeted"][0] != total["targeted"][0]:
        problems.append(f"{where}: people targeted, headline and total row differ")
    for shown in (headline["targeted"], *(r["targeted"] for r in shown_countries.values())):
        raw, printed = shown
        if raw and int(raw) and printed != Decimal(raw):
            problems.append(f"{where}: people targeted {raw} printed as {printed}")

    if figures["sectors"]:
        by_sector = {r["sector"]: r for r in _funding(api, plan.code, year, "sector")}
        for code, shown in figures["sectors"].items():
            expected = by_sector.get(code, {"requirement_usd": 0})["requirement_usd"]
            same(f"sector {code} requirement", shown, expected)
        for code, row in by_sector.items():
            if code and row["requirement_usd"] and code not in figures["sectors"]:
                problems.append(f"{where}: sector {code} has a requirement, the page no row")
    return problems


def test_public_plan_pages_agree_with_funding_summary_cli_and_api(demo, client, api):
    from puente.plans.selectors import plan_default_year

    codes = _published_plans(client)
    assert codes == sorted(p.code for p in demo["plans"])
    problems = []
    for plan in demo["plans"]:
        for year in plan.years:
            problems += _check_plan_page(client, api, plan, year)
        # Without ?year the page shows the plan's default year.
        default = plan_figures(get_page(client, f"/public/plans/{plan.code}/"), "en")
        chosen = plan_figures(
            get_page(client, f"/public/plans/{plan.code}/", year=plan_default_year(plan)), "en"
        )
        if default != chosen:
            problems.append(f"{plan.code}: the page without ?year is not its default year's")
    assert not problems, "\n".join(problems)


def test_inter_agency_plan_targets_agree_with_the_dashboard(demo, client):
    """An inter-agency plan's people targeted per country are the targets the public
    dashboard sets beside people reached (the largest sector per population group)."""
    problems = []
    for plan in demo["plans"]:
        if plan.kind != plan.Kind.INTER_AGENCY:
            continue
        for year in plan.years:
            figures = plan_figures(get_page(client, f"/public/plans/{plan.code}/", year=year), "en")
            for iso3, row in figures["countries"].items():
                if not iso3:
                    continue
                data = json.loads(
                    get_page(client, "/public/data.json", year=year, month=12, country=iso3)
                )
                expected = data["headline"]["targeted"]
                shown = int(row["targeted"][0]) if row["targeted"][0] else None
                if shown != expected:
                    problems.append(
                        f"{plan.code} {year} {iso3}: plan page {shown}, dashboard {expected}"
                    )
    assert not problems, "\n".join(problems)


def test_public_plan_pages_show_the_same_figures_in_every_language(demo, client):
    """The raw figures are the same in en, es and pt, and each language prints them as
    they are (parsed back with that language's separators)."""
    problems = []
    for plan in demo["plans"]:
        for year in plan.years:
            pages = {
                language: plan_figures(
                    get_page(client, f"/public/plans/{plan.code}/", language, year=year), language
                )
                for language in LANGUAGES
            }
            for language, figures in pages.items():
                where = f"{plan.code} {year} {language}"
                if _data_values(figures) != _data_values(pages["en"]):
                    problems.append(f"{where}: data-values differ from English")
                for name, (value, printed) in _printed(figures):
                    if not value:
                        continue
                    expected = Decimal(value) if name == "percent" else whole(Decimal(value))
                    # No one targeted prints as "–".
                    if printed != expected and not (name.endswith("targeted") and not expected):
                        problems.append(f"{where} {name}: {value} printed as {printed}")
    assert not problems, "\n".join(problems)


def _data_values(figures: Any) -> Any:
    """The data-values of plan_figures' result, the printed text left out."""
    if isinstance(figures, dict):
        return {k: _data_values(v) for k, v in figures.items()}
    if isinstance(figures, tuple):
        return figures[0]
    return figures


def _printed(figures: dict) -> list[tuple[str, tuple[str, Decimal | None]]]:
    found = list(figures["headline"].items()) + list(figures["total"].items())
    for iso3, row in figures["countries"].items():
        found += [(f"{iso3} {k}", v) for k, v in row.items()]
    found += [(f"sector {k}", v) for k, v in figures["sectors"].items()]
    return found
