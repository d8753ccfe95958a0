"""The product walk's checks fail on the defects they look for, and only on those: a year
printed with a thousands separator, a literal None, English left on a translated page, a
server error or an unexpected 4xx. These run in the ordinary suite (no `walk` marker)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.http import HttpResponse

from .crawler import (
    Bounds,
    catalogue_from_messages,
    catalogue_load,
    download_problems,
    form_url,
    page_parse,
    page_problems,
    url_key,
    walk,
    years_with_separator,
)

CATALOGUE = catalogue_from_messages(
    "es",
    [
        ("Sign in", "Iniciar sesión"),
        ("Status", "Estado"),
        ("State", "Estado"),
        ("Search rows", "Buscar filas"),
        ("%(shown)s entries", "%(shown)s fichas"),
        ("Total", "Total"),  # the same in both: never reported
        ("Status", "Status"),  # kept as written by one catalogue, translated by another
        ("English", "Inglés"),
    ],
)


def kinds(html: str, catalogue=None) -> list[str]:
    return [kind for kind, _snippet in page_problems(page_parse(html), catalogue)]


# -- years


@pytest.mark.parametrize(
    "html",
    [
        "<h1>Gaps by country and sector, 2,026</h1>",
        "<h1>Análisis de necesidades 2.026</h1>",
        '<select name="year"><option value="2026">2,026</option></select>',
        "<p>Funding required in 2\u00a0026 (USD)</p>",
        "<p>RMRP 2 025–2 026</p>",
        "<table><tr><th>Year</th><th>Reached</th></tr><tr><td>2,026</td><td>5</td></tr></table>",
        "<table><tr><th>2,025</th><th>2,026</th></tr></table>",
        "<p>enero de 2.026</p>",
        "<dl><dt>Month</dt><dd>2,026-01</dd></dl>",
        '<a href="/dashboard/?year=2%2C026">Dashboard</a>',
        '<input name="year" value="2.026">',
    ],
)
def test_a_year_printed_with_a_separator_is_reported(html):
    assert "year printed with a thousands separator" in " ".join(kinds(html))


@pytest.mark.parametrize(
    "html",
    [
        "<h1>Gaps by country and sector, 2026</h1>",
        '<select name="year"><option value="2026">2026</option></select>',
        "<p>12,025,431 people reached; 2,025,431 in Colombia</p>",
        "<table><tr><th>Sector</th><th>Reached</th></tr><tr><td>Education</td><td>2,098</td></tr>"
        "</table>",
        "<p>2,098 people reached</p>",
        "<p><strong>1.975</strong> personas</p>",
        "<p>Showing 25 of 2,098</p>",
        "<td>In transit: 1,984</td>",
        "<table><thead><tr><th>Reached</th></tr></thead><tr><td><a href='/x/'>2,098</a></td></tr>"
        "</table>",
        "<dl><dt>People reached</dt><dd>2,050</dd></dl>",
        "<p>Rows 2,001–2,025 of 3,000</p>",
        '<a href="/dashboard/?year=2026&amp;month=2026-01">Dashboard</a>',
        "<p>29.2%</p>",
    ],
)
def test_figures_and_plain_years_are_not_reported(html):
    assert kinds(html) == []


def test_years_with_separator_reads_the_context_it_is_given():
    assert years_with_separator("2,026", "td", "Year") == ["2,026"]
    assert years_with_separator("2,026", "td", "People reached") == []
    assert years_with_separator("2,098", "td", "Reached this month") == []
    assert years_with_separator("2.098", "td", "Alcanzadas este mes") == []
    assert years_with_separator("2,026", "td", "Month") == ["2,026"]
    assert years_with_separator("2.026", "td", "Fecha de envío") == ["2.026"]
    assert years_with_separator("2,026", "option") == ["2,026"]
    assert years_with_separator("2,026", "strong") == []


# -- None


@pytest.mark.parametrize(
    "html",
    [
        "<td>None</td>",
        "<p>Organisation: None</p>",
        '<input name="admin1" value="None">',
        '<a href="/reporting/?country=None">rows</a>',
    ],
)
def test_a_literal_none_is_reported(html):
    assert any(kind.startswith("literal None") for kind in kinds(html))


def test_words_that_contain_none_are_not_reported():
    assert kinds("<p>Nonetheless, none of the rows</p><td>–</td>") == []


# -- English left on a translated page


def test_a_text_the_catalogue_translates_is_reported_on_a_translated_page():
    problems = page_problems(
        page_parse(
            "<title>State · Puente</title><th>State</th><p>1.717 entries</p>"
            '<input type="search" placeholder="Search rows"><a href="/accounts/login/">Sign in</a>'
        ),
        CATALOGUE,
    )
    snippets = [snippet for _kind, snippet in problems]
    assert snippets == [
        "State",
        "State",
        "1.717 entries",
        "Sign in",
        '<input placeholder="Search rows">',
    ]
    assert {kind for kind, _snippet in problems} == {"English left on a es page"}


def test_translated_text_and_untranslatable_places_are_not_reported():
    html = (
        "<th>Estado</th><p>1.717 fichas</p><td>Total</td><td>Status</td>"
        "<script>var label = 'State';</script><code>State</code>"
        '<span translate="no">State</span>'
        '<form action="/i18n/setlang/" method="post"><select name="language">'
        '<option value="en">English</option><option value="es" selected>Español</option>'
        "</select></form>"
    )
    assert kinds(html, CATALOGUE) == []


def test_the_project_catalogues_are_read():
    root = str(Path(settings.BASE_DIR).parent)
    spanish = catalogue_load("es", root)
    portuguese = catalogue_load("pt", root)
    assert spanish.lookup("Sign in") == "Sign in"
    assert portuguese.lookup("Sign in") == "Sign in"
    assert spanish.lookup("Iniciar sesión") is None
    assert spanish.lookup("Puente") is None


# -- forms, links and downloads


def test_a_get_form_is_submitted_with_the_values_it_shows():
    page = page_parse(
        '<form method="get" action="/reporting/">'
        '<input name="q" value="agua"><input type="checkbox" name="mine" value="1" checked>'
        '<input type="checkbox" name="late" value="1">'
        '<select name="country"><option value="">All</option><option value="COL" selected>'
        'Colombia</option></select><select name="sector"><option value="">All</option>'
        '<option value="HEA">Health</option></select><select name="year"><option>2026</option>'
        '</select><textarea name="note">\nhola</textarea><button type="submit">Go</button></form>'
    )
    (form,) = page.forms
    assert form_url("/reporting/?page=2", form) == (
        "/reporting/?q=agua&mine=1&country=COL&sector=&year=2026&note=hola"
    )


def test_links_the_walk_does_not_follow():
    assert url_key("/accounts/logout/") is None
    assert url_key("mailto:cfm@example.org") is None
    assert url_key("https://example.org/") is None
    assert url_key("/static/puente/puente.css") is None
    assert url_key("/reporting/?b=2&a=1#top") == "/reporting/?a=1&b=2"


def test_a_download_with_a_grouped_year_or_none_is_reported():
    csv_file = "Year,Country,People reached\r\n2,026 ,COL,None\r\n".replace("2,026 ", '"2,026"')
    response = HttpResponse(csv_file, content_type="text/csv")
    kinds_found = [
        kind for kind, _s in download_problems("/x/export.csv", response, response.content)
    ]
    assert kinds_found == [
        "year printed with a thousands separator (download)",
        "literal None (download)",
    ]
    clean = HttpResponse('Year,People reached\r\n2026,"2,098"\r\n', content_type="text/csv")
    assert download_problems("/x/export.csv", clean, clean.content) == []
    data = HttpResponse(b'{"year": "2.026", "rows": [{"name": "None"}]}', "application/json")
    assert len(download_problems("/x/data.json", data, data.content)) == 2


# -- the walk itself


class FakeClient:
    """Pages by URL; a URL missing answers 404; an exception stands for a view's error."""

    def __init__(self, pages):
        self.pages = pages
        self.asked = []

    def get(self, key):
        self.asked.append(key)
        page = self.pages.get(key)
        if isinstance(page, Exception):
            raise page
        if page is None:
            return HttpResponse("<html lang='en'><p>Not found</p></html>", status=404)
        if isinstance(page, HttpResponse):
            return page
        return HttpResponse(f"<html lang='en'><body>{page}</body></html>")


@pytest.mark.django_db
def test_the_walk_reports_errors_unexpected_4xx_and_defects_on_the_pages_it_reaches():
    client = FakeClient(
        {
            "/": '<a href="/a/">a</a> <a href="/broken/">b</a> <a href="/missing/">c</a>'
            '<a href="/allowed/">d</a><a href="/accounts/logout/">out</a>'
            '<form method="get" action="/a/"><input name="year" value="2026"></form>',
            "/a/": "<h1>Plan 2,026</h1>",
            "/a/?year=2026": '<p>ok</p><a href="/a/export.csv">CSV</a>',
            "/a/export.csv": HttpResponse("Year\r\nNone\r\n", content_type="text/csv"),
            "/broken/": ZeroDivisionError("division by zero"),
            "/allowed/": HttpResponse("<html lang='en'></html>", status=403),
        }
    )

    result = walk(
        client,
        start=["/"],
        catalogue=None,
        expected_status=lambda key, status: "a rule" if key == "/allowed/" else None,
        language="en",
        bounds=Bounds(),
    )

    assert "/accounts/logout/" not in client.asked
    assert (result.pages, result.forms, result.downloads) == (4, 1, 1)
    assert [(p.url, p.kind) for p in result.problems] == [
        ("/a/", "year printed with a thousands separator"),
        ("/broken/", "server error"),
        ("/missing/", "status 404"),
        ("/a/export.csv", "literal None (download)"),
    ]
    assert "ZeroDivisionError" in result.problems[1].snippet
    assert result.problems[2].source == "/"
