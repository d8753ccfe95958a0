import json
from pathlib import Path

import pytest
from django.core.management import call_command

from puente.reference.models import Admin1, Admin2

pytestmark = pytest.mark.django_db


def load(tmp_path, capsys, text: str, *extra: str, fails: bool = False) -> dict:
    path = tmp_path / "cod-ab-adm2.csv"
    path.write_text(text, encoding="utf-8")
    args = ("load_areas", str(path), "--level", "2", "--format", "json", *extra)
    if fails:
        with pytest.raises(SystemExit):
            call_command(*args)
    else:
        call_command(*args)
    return json.loads(capsys.readouterr().out)


def test_loads_a_cod_table_by_iso_code_or_pcode_of_the_parent(tmp_path, capsys):
    # given Atlántico known by its P-code
    Admin1.objects.filter(iso_code="CO-ATL").update(pcode="CO08")
    text = (
        "ADM2_PCODE,ADM2_ES,ADM2_EN,ADM1_PCODE\n"
        "CO05001,Medellín,Medellin,CO-ANT\n"
        "co08001,Barranquilla,,CO08\n"
    )
    # when
    out = load(tmp_path, capsys, text, "--country", "col")
    # then
    assert out["errors"] == []
    assert (out["rows"], out["imported"], out["updated"]) == (2, 2, 0)
    medellin = Admin2.objects.get(pcode="CO05001")
    assert (medellin.name, medellin.admin1.iso_code, medellin.country.iso3) == (
        "Medellín",
        "CO-ANT",
        "COL",
    )
    assert Admin2.objects.get(pcode="CO08001").admin1.iso_code == "CO-ATL"

    # a reload renames one area and leaves the other as it is
    text = text.replace("Barranquilla", "Barranquilla D.E.")
    out = load(tmp_path, capsys, text)
    assert (out["imported"], out["updated"], out["unchanged"]) == (0, 1, 1)
    assert Admin2.objects.get(pcode="CO08001").name == "Barranquilla D.E."
    assert Admin2.objects.count() == 2


def test_reads_the_hxl_style_headers(tmp_path, capsys):
    text = "admin2Pcode,admin2Name_es,admin1Pcode\nPE1501,Lima,PE-LMA\nPE1502,Barranca,PE-LIM\n"
    out = load(tmp_path, capsys, text)
    assert out["imported"] == 2
    assert Admin2.objects.get(pcode="PE1502").admin1.iso_code == "PE-LIM"


def test_refuses_the_whole_file_naming_row_and_column(tmp_path, capsys):
    # given one good row and one of each mistake
    text = (
        "ADM2_PCODE,ADM2_ES,ADM1_PCODE\n"
        "CO05001,Medellín,CO-ANT\n"  # row 2: good
        "CO99001,Nowhere,CO-XXX\n"  # row 3: no such admin-1
        "CO05001,Medellin bis,CO-ANT\n"  # row 4: P-code of row 2
        "PE1501,Lima,PE-LMA\n"  # row 5: Peru, with --country COL
        "CO05002,,CO-ANT\n"  # row 6: no name
        "CO05003,MEDELLIN,CO-ANT\n"  # row 7: the name of row 2 in the same department
        "CO 05004,Bello,CO-ANT\n"  # row 8: a space in the P-code
    )
    # when
    out = load(tmp_path, capsys, text, "--country", "COL", fails=True)
    # then
    found = [(e["row"], e["column"], e["code"], e["value"]) for e in out["errors"]]
    assert found == [
        (3, "adm1_pcode", "unknown_admin1", "CO-XXX"),
        (4, "adm2_pcode", "duplicate_row", "CO05001"),
        (5, "adm1_pcode", "area_parent_not_in_country", "PE-LMA"),
        (6, "adm2_name", "missing_area_name", ""),
        (7, "adm2_es", "duplicate_row", "MEDELLIN"),
        (8, "adm2_pcode", "invalid_pcode", "CO 05004"),
    ]
    assert "Peru" in out["errors"][2]["message"]
    assert "Colombia" in out["errors"][2]["message"]
    assert "row 2" in out["errors"][1]["message"]
    assert not Admin2.objects.exists()


def test_refuses_a_pcode_already_held_in_another_country(tmp_path, capsys):
    load(tmp_path, capsys, "ADM2_PCODE,ADM2_ES,ADM1_PCODE\nX001,Medellín,CO-ANT\n")
    out = load(tmp_path, capsys, "ADM2_PCODE,ADM2_ES,ADM1_PCODE\nX001,Lima,PE-LMA\n", fails=True)
    assert [(e["row"], e["code"]) for e in out["errors"]] == [(2, "pcode_of_another_country")]
    assert Admin2.objects.get(pcode="X001").country.iso3 == "COL"


def test_dry_run_writes_nothing(tmp_path, capsys):
    out = load(
        tmp_path, capsys, "ADM2_PCODE,ADM2_ES,ADM1_PCODE\nCO05001,Medellín,CO-ANT\n", "--dry-run"
    )
    assert (out["errors"], out["imported"]) == ([], 1)
    assert not Admin2.objects.exists()


def test_missing_columns_are_named(tmp_path, capsys):
    out = load(tmp_path, capsys, "ADM2_ES,ADM1_PCODE\nMedellín,CO-ANT\n", fails=True)
    assert [e["code"] for e in out["errors"]] == ["missing_header"]
    assert "adm2_pcode" in out["errors"][0]["message"]


def test_the_shipped_list_of_peru_loads(capsys):
    # given the list built by scripts/build_admin2.py
    path = Path(__file__).resolve().parents[1] / "data" / "admin2-PER.csv"
    # when
    call_command("load_areas", str(path), "--level", "2", "--country", "PER", "--format", "json")
    # then: 196 provinces, Lima's apart from the Lima region's nine
    assert json.loads(capsys.readouterr().out)["imported"] == 196
    assert Admin2.objects.filter(country__iso3="PER").count() == 196
    assert Admin2.objects.get(pcode="PE1501").admin1.iso_code == "PE-LMA"
    assert Admin2.objects.filter(admin1__iso_code="PE-LIM").count() == 9
    assert Admin2.objects.get(pcode="PE0701").admin1.iso_code == "PE-CAL"
