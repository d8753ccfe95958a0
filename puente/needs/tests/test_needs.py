"""The needs analysis: import with row errors, replacement per year and country, the
inter-sector rule, the page and the exports."""

import io

import hxl
import pytest
from django.urls import reverse
from openpyxl import load_workbook

from puente.core.testing import run_import
from puente.needs.models import NeedFigure, PopulationFigure
from puente.needs.selectors import INTER_SECTOR, people_in_need_by_country_and_sector
from puente.reference.models import Country

pytestmark = pytest.mark.django_db
HEADER = ["year", "country", "admin1", "sector", "population_group", "people_in_need", "severity"]
ROWS = [
    [2025, "COL", "CO-ATL", "HEA", "in-destination", "1,000", 4],
    [2025, "COL", "CO-ATL", "FSC", "in-destination", "1500", 3],
    [2025, "COL", "CO-ANT", "HEA", "in-destination", "700", 2],
    [2025, "COL", "CO-ANT", "FSC", "in-destination", "200", ""],
    [2025, "COL", "CO-ANT", "HEA", "host-community", "300", 5],
    [2025, "Ecuador", "", "Salud", "En tránsito", "250", ""],
]


def test_imports_people_in_need_and_sums_them_by_the_rule(tmp_path, capsys):
    out = run_import(tmp_path, capsys, "needs", [HEADER, *ROWS])
    assert (out["imported"], out["errors"]) == (6, [])
    colombia, ecuador = Country.objects.get(iso3="COL"), Country.objects.get(iso3="ECU")
    from puente.reference.models import Sector

    health, food = Sector.objects.get(code="HEA"), Sector.objects.get(code="FSC")
    cells = people_in_need_by_country_and_sector(year=2025)
    # a sector sums its areas and groups
    assert cells[(colombia.pk, health.pk)]["people_in_need"] == 1000 + 700 + 300
    assert cells[(colombia.pk, food.pk)]["people_in_need"] == 1500 + 200
    # severity shown is the highest behind the figure
    assert cells[(colombia.pk, health.pk)]["severity"] == 5
    # inter-sector: the largest sector per (admin1, group), summed: ATL 1500, ANT in-dest
    # 700, ANT host 300
    assert cells[(colombia.pk, INTER_SECTOR)]["people_in_need"] == 1500 + 700 + 300
    assert cells[(ecuador.pk, INTER_SECTOR)]["people_in_need"] == 250


def test_a_new_file_replaces_the_figures_of_its_year_and_country_only(tmp_path, capsys):
    run_import(tmp_path, capsys, "needs", [HEADER, *ROWS])
    run_import(
        tmp_path, capsys, "needs", [HEADER, [2024, "COL", "", "HEA", "in-destination", 9, ""]]
    )
    out = run_import(
        tmp_path, capsys, "needs", [HEADER, [2025, "COL", "", "HEA", "in-destination", 10, ""]]
    )
    assert (out["imported"], out["updated"]) == (1, 5)
    assert NeedFigure.objects.filter(year=2025, country__iso3="COL").count() == 1
    assert NeedFigure.objects.filter(year=2025, country__iso3="ECU").count() == 1
    assert NeedFigure.objects.filter(year=2024).count() == 1


@pytest.mark.parametrize(
    "row,code,column",
    [
        ([2025, "VEN", "", "HEA", "in-destination", 1, ""], "unknown_country", "country"),
        ([2025, "COL", "EC-P", "HEA", "in-destination", 1, ""], "unknown_admin1", "admin1"),
        ([2025, "COL", "", "XXX", "in-destination", 1, ""], "unknown_sector", "sector"),
        (
            [2025, "COL", "", "HEA", "tourists", 1, ""],
            "unknown_population_group",
            "population_group",
        ),
        ([2025, "COL", "", "HEA", "in-destination", -5, ""], "negative_number", "people_in_need"),
        ([2025, "COL", "", "HEA", "in-destination", 5, 6], "out_of_range", "severity"),
        (["20x5", "COL", "", "HEA", "in-destination", 5, ""], "invalid_year", "year"),
        ([2025, "COL", "", "HEA", "in-destination", "", ""], "missing_required", "people_in_need"),
    ],
)
def test_bad_rows_are_named_and_nothing_is_written(tmp_path, capsys, row, code, column):
    out = run_import(tmp_path, capsys, "needs", [HEADER, ROWS[0], row], ok=False)
    assert [(e["row"], e["column"], e["code"]) for e in out["errors"]] == [(3, column, code)]
    assert NeedFigure.objects.count() == 0


def test_one_sector_is_given_per_admin1_or_for_the_country_never_both(tmp_path, capsys):
    rows = [ROWS[0], [2025, "COL", "", "HEA", "in-destination", 5000, ""]]
    out = run_import(tmp_path, capsys, "needs", [HEADER, *rows], ok=False)
    assert [(e["row"], e["code"]) for e in out["errors"]] == [(3, "mixed_admin_levels")]


def test_errors_are_in_the_language_asked(tmp_path, capsys):
    path = tmp_path / "needs.csv"
    from puente.core.testing import csv_bytes

    path.write_bytes(csv_bytes([HEADER, [2025, "VEN", "", "HEA", "in-destination", 1, ""]]))
    from django.core.management import call_command

    with pytest.raises(SystemExit):
        call_command("import_data", "needs", str(path), "--language", "es")
    assert "no es uno de los países de la respuesta" in capsys.readouterr().err


def test_population_figures_with_legal_status(tmp_path, capsys):
    header = ["year", "country", "population_group", "population", "regular", "irregular"]
    out = run_import(
        tmp_path,
        capsys,
        "population",
        [header, [2024, "COL", "in-destination", "2,810,000", "2,000,000", "810,000"]],
    )
    assert out["errors"] == []
    figure = PopulationFigure.objects.get()
    assert (figure.population, figure.regular, figure.irregular) == (2810000, 2000000, 810000)
    out = run_import(
        tmp_path,
        capsys,
        "population",
        [header, [2024, "PER", "in-destination", 10, 8, 5]],
        ok=False,
    )
    assert [e["code"] for e in out["errors"]] == ["status_above_population"]


def test_page_upload_and_exports(tmp_path, capsys, client, make_user):
    # given a regional admin, who may load needs of every country
    client.force_login(make_user("regional-admin", "region"))
    from puente.core.testing import csv_bytes

    upload = io.BytesIO(csv_bytes([HEADER, *ROWS]))
    upload.name = "rmna.csv"
    # when the file is uploaded through the page
    response = client.post(
        reverse("needs:needs") + "?year=2025", {"import_kind": "needs", "file": upload}
    )
    # then it is imported and the table shows the inter-sector figure
    assert response.status_code == 200
    assert NeedFigure.objects.count() == 6
    from puente.core.models import Upload

    assert Upload.objects.get().accepted
    page = response.content.decode()
    assert "2.500" in page or "2,500" in page
    # exports: XLSX with the import's columns, HXL read by libhxl
    xlsx = client.get(reverse("needs:export", args=["needs", "xlsx"]), {"year": 2025})
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert [c.value for c in sheet[1]] == HEADER
    assert sheet.max_row == 7
    tagged = client.get(reverse("needs:export", args=["needs", "hxl"]), {"year": 2025})
    dataset = hxl.data(io.BytesIO(tagged.content), hxl.input.InputOptions(allow_local=True))
    assert sum(int(row.get("#inneed")) for row in dataset) == 3950
    # an export imports again unchanged
    csv_file = client.get(reverse("needs:export", args=["needs", "csv"]), {"year": 2025})
    path = tmp_path / "again.csv"
    path.write_bytes(csv_file.content)
    from django.core.management import call_command

    call_command("import_data", "needs", str(path), "--format", "json")
    assert NeedFigure.objects.count() == 6


def test_partner_viewers_see_but_cannot_load(client, make_user, organisation):
    client.force_login(make_user("partner-viewer", "organisation:FPRU"))
    assert client.get(reverse("needs:needs")).status_code == 200
    upload = io.BytesIO(b"year\n2025\n")
    upload.name = "x.csv"
    assert client.post(reverse("needs:needs"), {"file": upload}).status_code == 403


def test_a_web_upload_writes_only_countries_in_scope(client, make_user):
    from puente.core.testing import csv_bytes

    client.force_login(make_user("platform-im-officer", "country:COL"))
    upload = io.BytesIO(
        csv_bytes([HEADER, ROWS[0], [2025, "PER", "", "HEA", "in-destination", 5, ""]])
    )
    upload.name = "rmna.csv"
    page = client.post(
        reverse("needs:needs"), {"import_kind": "needs", "file": upload}
    ).content.decode()
    assert "not_allowed" in page
    assert NeedFigure.objects.count() == 0


def _needs_2025_and_2024():
    from puente.reference.models import PopulationGroup, Sector

    destination = PopulationGroup.objects.get(code="in-destination")
    for year, iso3, sector, people in [
        (2025, "COL", "HEA", 1500),
        (2025, "PER", "FSC", 700),
        (2025, "BRA", "HEA", 300),
        (2024, "COL", "HEA", 900),
    ]:
        NeedFigure.objects.create(
            year=year,
            country=Country.objects.get(iso3=iso3),
            sector=Sector.objects.get(code=sector),
            population_group=destination,
            people_in_need=people,
        )
    PopulationFigure.objects.create(
        year=2025,
        country=Country.objects.get(iso3="COL"),
        population_group=destination,
        population=2810000,
    )


def test_page_in_spanish_works_with_the_year_it_shows(client, make_user, settings, organisation):
    import re

    # given figures of two years, grouping of numbers on (the worst case for a year) and
    # a reader in Spanish
    _needs_2025_and_2024()
    settings.USE_THOUSAND_SEPARATOR = True
    client.force_login(make_user("partner-viewer", "organisation:FPRU"))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"
    # when the page opens on its own year
    response = client.get(reverse("needs:needs"))
    page = response.content.decode()
    # then the year is written as a year in the title and in the field
    assert response.status_code == 200
    assert re.search(r"<h1>[^<]*2025</h1>", page)
    (value,) = re.findall(r'<input[^>]*name="year"[^>]*value="([^"]*)"', page)
    assert value == "2025"
    # and Show, the years with figures and the six downloads all answer
    assert client.get(reverse("needs:needs"), {"year": value}).status_code == 200
    links = re.findall(r'href="(\?year=[^"]*)"', page)
    assert links == ["?year=2025", "?year=2024"]
    for link in links:
        assert client.get(reverse("needs:needs") + link).status_code == 200
    downloads = re.findall(r'href="(/needs/\w+\.\w+\?year=[^"]*)"', page)
    assert len(downloads) == 6
    for link in downloads:
        download = client.get(link)
        assert download.status_code == 200, link
        assert "-2025." in download["Content-Disposition"]
    # sectors are headed by their names, countries by name in the reader's language
    assert "Salud" in page and "Seguridad Alimentaria" in page
    body = page[page.index('id="needs-table"') :]
    assert body.index(">Brasil<") < body.index(">Colombia<") < body.index(">Perú<")
    assert "2.810.000" in page


@pytest.mark.parametrize("year", ["20x5", "99999", "1850", "2,024", "2.024"])
def test_an_invalid_year_is_an_error_on_the_page(client, make_user, organisation, year):
    _needs_2025_and_2024()
    client.force_login(make_user("partner-viewer", "organisation:FPRU"))
    response = client.get(reverse("needs:needs"), {"year": year})
    assert response.status_code == 400
    page = response.content.decode()
    assert "is not a year" in page
    assert 'id="needs-table"' not in page
    download = client.get(reverse("needs:export", args=["population", "csv"]), {"year": year})
    assert download.status_code == 400
    assert "is not a year" in download.content.decode()
