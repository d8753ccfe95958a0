import json

import pytest
from django.core.management import CommandError, call_command

from puente.reference.models import Admin1, Boundary

pytestmark = pytest.mark.django_db

SQUARE = {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]]}


def feature(props, geometry=SQUARE):
    return {"type": "Feature", "properties": props, "geometry": geometry}


def test_shipped_boundaries_cover_every_country():
    for iso3 in ("ARG", "ABW", "BRA", "COL", "CUW", "DOM", "PER", "TTO"):
        assert Boundary.objects.filter(admin1__country__iso3=iso3).exists(), iso3
    # every Colombian department has a polygon
    assert Boundary.objects.filter(admin1__country__iso3="COL").count() == 33
    geometry = Boundary.objects.get(admin1__iso_code="CO-ATL").geometry
    assert geometry["type"] in {"Polygon", "MultiPolygon"}


def test_official_boundaries_replace_a_country_and_fill_pcodes(tmp_path, capsys):
    # given an official file keyed by P-code, with names to match on first use
    path = tmp_path / "col.geojson"
    path.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    feature({"ADM1_PCODE": "CO08", "ADM1_ES": "Atlántico"}),
                    feature({"ADM1_PCODE": "CO-ANT", "ADM1_ES": "Antioquia"}),
                    feature({"ADM1_PCODE": "CO99", "ADM1_ES": "Nowhere"}),
                ],
            }
        )
    )
    # when
    call_command(
        "load_boundaries",
        str(path),
        "--country",
        "COL",
        "--code-field",
        "ADM1_PCODE",
        "--name-field",
        "ADM1_ES",
    )
    # then
    out = capsys.readouterr().out
    assert "2 boundaries loaded for COL." in out
    assert "P-code filled: CO-ATL=CO08" in out
    assert "1 features matched nothing" in out and "CO99" in out
    assert Admin1.objects.get(iso_code="CO-ATL").pcode == "CO08"
    assert Boundary.objects.filter(admin1__country__iso3="COL").count() == 2
    assert Boundary.objects.get(admin1__iso_code="CO-ATL").geometry == SQUARE
    assert Boundary.objects.filter(admin1__country__iso3="PER").count() == 26

    # a second file keyed by the P-code alone now matches
    path.write_text(
        json.dumps({"type": "FeatureCollection", "features": [feature({"pcode": "CO08"})]})
    )
    call_command("load_boundaries", str(path), "--country", "col", "--code-field", "pcode")
    assert Boundary.objects.filter(admin1__country__iso3="COL").count() == 1


@pytest.mark.parametrize(
    "content,message",
    [
        ("not json", "not a GeoJSON"),
        (
            json.dumps({"type": "FeatureCollection", "features": [feature({"code": "XX-1"})]}),
            "No feature",
        ),
    ],
)
def test_bad_boundary_files_change_nothing(tmp_path, content, message):
    path = tmp_path / "b.geojson"
    path.write_text(content)
    before = Boundary.objects.filter(admin1__country__iso3="PER").count()
    with pytest.raises(CommandError, match=message):
        call_command("load_boundaries", str(path), "--country", "PER", "--code-field", "code")
    assert Boundary.objects.filter(admin1__country__iso3="PER").count() == before
