"""Reference data: the geography, platforms, sectors, population groups and indicators
every other part of Puente names. Loads are idempotent: a second run creates nothing and
updates names that changed."""

from __future__ import annotations

import csv
import gettext
import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import pycountry
from django.db import transaction
from django.utils.translation import gettext as _

from puente.accounts.permissions import Action, Actor, check, signed_in
from puente.core.imports import (
    ImportReport,
    ImportScope,
    RowCells,
    import_audit_record,
    write_whole_file,
)
from puente.core.services import audit_record
from puente.core.tabular import Column, cell_text, normalize_value, open_table
from puente.reference.codes import ReferenceCode
from puente.reference.models import (
    Admin1,
    Boundary,
    Country,
    Indicator,
    Measure,
    Platform,
    PopulationGroup,
    Sector,
)
from puente.reference.selectors import country_lookup, platform_lookup, sector_lookup

DATA_DIR = Path(__file__).resolve().parent / "data"
DEFAULT_BOUNDARIES = DATA_DIR / "boundaries" / "admin1.geojson"
PYCOUNTRY_LANGUAGES = {"es": "es", "pt": "pt_BR"}


@dataclass
class LoadSummary:
    created: Counter[str] = field(default_factory=Counter)
    updated: Counter[str] = field(default_factory=Counter)

    def count(self, kind: str, created: bool, changed: bool) -> None:
        if created:
            self.created[kind] += 1
        elif changed:
            self.updated[kind] += 1


def _upsert(model: Any, lookup: dict[str, Any], values: dict[str, Any]) -> tuple[Any, bool, bool]:
    """Create or update one row; return (obj, created, changed) without touching unchanged rows."""
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        obj = model(**lookup, **values)
        obj.full_clean()
        obj.save()
        return obj, True, False
    changed = [k for k, v in values.items() if getattr(obj, k) != v]
    for key in changed:
        setattr(obj, key, values[key])
    if changed:
        obj.save(update_fields=changed)
    return obj, False, bool(changed)


def _read_csv(name: str) -> list[dict[str, str]]:
    with (DATA_DIR / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _pycountry_name(name: str, language: str) -> str:
    translator = gettext.translation(
        "iso3166-1", pycountry.LOCALES_DIR, languages=[PYCOUNTRY_LANGUAGES[language]], fallback=True
    )
    return translator.gettext(name)


@transaction.atomic
def reference_load(*, boundaries: Path | None = DEFAULT_BOUNDARIES) -> LoadSummary:
    """Load or refresh all reference data shipped with Puente."""
    summary = LoadSummary()
    countries = _load_countries(summary)
    _load_admin1(summary, countries)
    _load_platforms(summary, countries)
    _load_population_groups(summary, countries)
    _load_sectors(summary)
    # The package's own list, part of the reference load (no import to audit).
    report = indicators_import(
        source=DATA_DIR / "indicators.csv", filename="indicators.csv", audit=False
    )
    if report.errors:  # the shipped file is tested; this guards against a broken edit
        raise ReferenceCode.INVALID_REFERENCE.error(
            message="The default indicator file has errors."
        )
    summary.created["indicator"] += report.imported
    summary.updated["indicator"] += report.updated
    if boundaries is not None and boundaries.exists():
        _load_default_boundaries(summary, boundaries)
    return summary


def _load_countries(summary: LoadSummary) -> dict[str, Country]:
    countries = {}
    for row in _read_csv("countries.csv"):
        record = pycountry.countries.get(alpha_3=row["iso3"])
        if record is None:
            raise ReferenceCode.INVALID_REFERENCE.error(message=f"Unknown ISO3 code {row['iso3']}")
        base = getattr(record, "common_name", None) or record.name
        values = {
            "iso2": record.alpha_2,
            "name_en": row["name_en"] or base,
            "name_es": row["name_es"] or _pycountry_name(record.name, "es"),
            "name_pt": row["name_pt"] or _pycountry_name(record.name, "pt"),
        }
        country, created, changed = _upsert(Country, {"iso3": record.alpha_3}, values)
        summary.count("country", created, changed)
        countries[country.iso3] = country
    return countries


def _load_admin1(summary: LoadSummary, countries: dict[str, Country]) -> None:
    for country in countries.values():
        subdivisions = sorted(
            pycountry.subdivisions.get(country_code=country.iso2) or [],
            key=lambda s: (s.parent_code is not None, s.code),
        )
        if not subdivisions:
            # Aruba and Curaçao have no ISO 3166-2 subdivisions: the island is its own area.
            _obj, created, changed = _upsert(
                Admin1,
                {"iso_code": country.iso2},
                {"country": country, "name": country.name_en, "kind": "Country", "parent": None},
            )
            summary.count("admin1", created, changed)
            continue
        by_code: dict[str, Admin1] = {}
        for sub in subdivisions:
            parent = by_code.get(sub.parent_code) if sub.parent_code else None
            obj, created, changed = _upsert(
                Admin1,
                {"iso_code": sub.code},
                {"country": country, "name": sub.name, "kind": sub.type, "parent": parent},
            )
            by_code[sub.code] = obj
            summary.count("admin1", created, changed)


def _load_platforms(summary: LoadSummary, countries: dict[str, Country]) -> None:
    entries = json.loads((DATA_DIR / "platforms.json").read_text(encoding="utf-8"))
    for entry in entries:
        platform, created, changed = _upsert(
            Platform,
            {"code": entry["code"]},
            {k: entry[k] for k in ("kind", "name_en", "name_es", "name_pt")},
        )
        wanted = {countries[c].pk for c in entry["countries"]}
        current = set(platform.countries.values_list("pk", flat=True))
        if wanted != current:
            platform.countries.set(wanted)
            changed = True
        summary.count("platform", created, changed)


def _load_population_groups(summary: LoadSummary, countries: dict[str, Country]) -> None:
    for position, row in enumerate(_read_csv("population_groups.csv")):
        group, created, changed = _upsert(
            PopulationGroup,
            {"code": row["code"]},
            {
                "name_en": row["name_en"],
                "name_es": row["name_es"],
                "name_pt": row["name_pt"],
                "position": position,
            },
        )
        # The shipped countries go to a group that has none (new, or just migrated): a
        # regional admin's choice (population_group_countries_set) outlives a reload.
        if not group.countries.exists():
            group.countries.set([countries[c] for c in row["countries"].split()])
            changed = changed or not created
        summary.count("population_group", created, changed)


def _load_sectors(summary: LoadSummary) -> None:
    by_code: dict[str, Sector] = {}
    existing = set(Sector.objects.values_list("code", flat=True))
    for position, row in enumerate(_read_csv("sectors.csv")):
        values: dict[str, Any] = {
            "name_en": row["name_en"],
            "name_es": row["name_es"],
            "name_pt": row["name_pt"],
            "position": position,
            "parent": by_code.get(row["parent"]) if row["parent"] else None,
        }
        # Shipped for a new sector only: a regional admin's choice outlives later loads.
        if row["code"] not in existing:
            values["in_intersector"] = row["in_intersector"] != "no"
        sector, created, changed = _upsert(Sector, {"code": row["code"]}, values)
        by_code[sector.code] = sector
        summary.count("sector", created, changed)


def _load_default_boundaries(summary: LoadSummary, path: Path) -> None:
    collection = json.loads(path.read_text(encoding="utf-8"))
    areas = {a.iso_code: a for a in Admin1.objects.all()}
    for feature in collection["features"]:
        area = areas.get(feature["properties"]["iso_3166_2"])
        if area is None:
            continue
        _obj, created, changed = _upsert(
            Boundary,
            {"admin1": area},
            {"geometry": feature["geometry"], "source": "Natural Earth admin-1 (public domain)"},
        )
        summary.count("boundary", created, changed)


# --- boundaries -------------------------------------------------------------------------


@dataclass
class BoundaryLoadResult:
    matched: list[str]
    unmatched: list[dict[str, str]]
    pcodes_filled: list[str]


@transaction.atomic
def boundaries_load(
    *,
    source: IO[bytes] | Path,
    country_iso3: str,
    code_field: str,
    name_field: str | None = None,
    source_label: str = "",
) -> BoundaryLoadResult:
    """Replace one country's admin-1 boundaries with an official GeoJSON.

    Features match an admin-1 area by ISO 3166-2 code or P-code in `code_field`. When
    `name_field` is given, a feature whose code matches nothing but whose name matches an
    area (ignoring case and accents) fills that area's P-code.
    """
    country = Country.objects.filter(iso3=country_iso3.upper()).first()
    if country is None:
        raise ReferenceCode.UNKNOWN_COUNTRY.error(value=country_iso3)
    raw = source.read_bytes() if isinstance(source, Path) else source.read()
    try:
        collection = json.loads(raw)
        features = collection["features"]
        if not isinstance(features, list):
            raise TypeError
    except (ValueError, KeyError, TypeError) as exc:
        raise ReferenceCode.INVALID_GEOJSON.error() from exc

    areas = list(country.admin1_areas.all())
    by_code = {a.iso_code.upper(): a for a in areas}
    by_code.update({a.pcode.upper(): a for a in areas if a.pcode})
    by_name = {normalize_value(a.name): a for a in areas}
    result = BoundaryLoadResult(matched=[], unmatched=[], pcodes_filled=[])
    geometries: dict[int, tuple[Admin1, dict[str, Any]]] = {}
    for index, feature in enumerate(features, start=1):
        props = (feature or {}).get("properties") or {}
        geometry = (feature or {}).get("geometry")
        code = cell_text(props.get(code_field)).upper()
        name = cell_text(props.get(name_field)) if name_field else ""
        if not geometry or geometry.get("type") not in {"Polygon", "MultiPolygon"}:
            result.unmatched.append(
                {"feature": str(index), "code": code, "name": name, "reason": "no polygon geometry"}
            )
            continue
        area = by_code.get(code)
        if area is None and name:
            area = by_name.get(normalize_value(name))
            if area is not None and code and area.pcode != code:
                area.pcode = code
                area.save(update_fields=["pcode"])
                result.pcodes_filled.append(f"{area.iso_code}={code}")
        if area is None:
            result.unmatched.append(
                {
                    "feature": str(index),
                    "code": code,
                    "name": name,
                    "reason": "no admin-1 area with this code",
                }
            )
            continue
        geometries[area.pk] = (area, geometry)
        result.matched.append(area.iso_code)
    if not geometries:
        raise ReferenceCode.NO_BOUNDARY_MATCHED.error(
            extra={"unmatched": result.unmatched[:50]}, country=country.name, field=code_field
        )
    Boundary.objects.filter(admin1__country=country).delete()
    Boundary.objects.bulk_create(
        Boundary(admin1=area, geometry=geometry, source=source_label or "uploaded")
        for area, geometry in geometries.values()
    )
    return result


# --- indicators -------------------------------------------------------------------------

INDICATOR_COLUMNS = (
    Column("code", aliases=("codigo", "código", "indicator", "indicador")),
    Column("sector", aliases=("setor",)),
    Column("subsector", required=False, aliases=("subsetor", "sub_sector", "sub-setor")),
    Column("name_en", aliases=("name", "nombre_en", "nome_en")),
    Column("name_es", required=False, aliases=("nombre_es", "nome_es", "nombre")),
    Column("name_pt", required=False, aliases=("nombre_pt", "nome_pt", "nome")),
    Column("unit", aliases=("unidad", "unidade")),
    Column("measure", required=False, aliases=("medida", "kind", "tipo de medida")),
    # Files written before measures: yes reads as people reached, no as an output.
    Column(
        "counts_people",
        required=False,
        aliases=("cuenta_personas", "conta_pessoas", "people", "personas", "pessoas"),
    ),
)

# The words an indicator file may give a measure in (accents and case ignored).
MEASURE_WORDS = {
    **{measure.value: measure.value for measure in Measure},
    "people reached": Measure.PEOPLE_REACHED,
    "personas alcanzadas": Measure.PEOPLE_REACHED,
    "pessoas alcancadas": Measure.PEOPLE_REACHED,
    "people trained": Measure.PEOPLE_TRAINED,
    "personas capacitadas": Measure.PEOPLE_TRAINED,
    "pessoas capacitadas": Measure.PEOPLE_TRAINED,
    "producto": Measure.OUTPUT,
    "produto": Measure.OUTPUT,
    "existencias": Measure.STOCK,
    "estoque": Measure.STOCK,
}


def indicators_import(
    *,
    source: IO[bytes] | Path | bytes,
    filename: str,
    dry_run: bool = False,
    acting_user: Actor | None = None,
    audit: bool = True,
) -> ImportReport:
    """Add or update indicators from CSV/XLSX. Any row error and nothing is written.
    Indicators are reference data of the whole region: an acting user needs a
    region-wide reference role (None: the command line)."""
    report = ImportReport(dry_run=dry_run)
    scope = ImportScope(acting_user, Action.MANAGE_REFERENCE)
    scope.region(name=_("the indicators of the whole region"))
    scope.refuse(report)
    if not report.ok:
        return report
    columns = (*INDICATOR_COLUMNS, *IN_FORCE_COLUMNS)
    table = open_table(source, filename=filename, columns=columns, report=report)
    if table is None:
        return report
    sectors = sector_lookup()
    in_force = _InForceReader()
    seen: dict[str, int] = {}
    parsed: list[dict[str, Any]] = []
    for number, raw in table:
        report.rows += 1
        cells = RowCells(report, number, raw)
        item = _indicator_read(cells, sectors, seen=seen)
        places = in_force.read(cells)
        if item is not None and places is not None:
            parsed.append(item | places)

    def write() -> None:
        for item in parsed:
            countries, platforms = item.pop("countries"), item.pop("platforms")
            obj, created, changed = _upsert(Indicator, {"code": item.pop("code")}, item)
            changed = _in_force_places_set(obj, countries, platforms) or changed
            report.imported += created
            report.updated += changed and not created
        if audit:
            import_audit_record(
                acting_user=acting_user, kind="indicators", filename=filename, report=report
            )

    return write_whole_file(report, write)


def _indicator_read(
    cells: RowCells, sectors: dict[str, Sector], *, seen: dict[str, int]
) -> dict[str, Any] | None:
    """One row of an indicator file as the fields of `Indicator`, or None when it has
    errors (each in the report)."""
    cells.required("code", "sector", "name_en", "unit")
    if not cells.text.get("counts_people"):
        cells.required("measure")
    code = cells.text.get("code", "").upper()
    if code:
        cells.first_of(
            seen,
            code,
            "code",
            message=_("The code %(code)s is already in row %(row)s."),
            value=code,
            code=code,
        )
    unknown_sector = ReferenceCode.UNKNOWN_SECTOR
    sector = cells.lookup("sector", sectors, unknown_sector, unknown_sector.message)
    if sector is not None and sector.parent_id is not None:  # a sub-sector
        cells.invalid("sector", unknown_sector, unknown_sector.text(value=cells.text["sector"]))
    subsector = cells.lookup(
        "subsector",
        sectors,
        ReferenceCode.UNKNOWN_SUBSECTOR,
        ReferenceCode.UNKNOWN_SUBSECTOR.message,
    )
    if subsector is not None and sector is not None and subsector.parent_id != sector.pk:
        cells.invalid(
            "subsector",
            ReferenceCode.SUBSECTOR_NOT_IN_SECTOR,
            ReferenceCode.SUBSECTOR_NOT_IN_SECTOR.text(
                subsector=cells.text["subsector"], sector=sector.code
            ),
        )
    unknown_measure = ReferenceCode.UNKNOWN_MEASURE
    measure = cells.lookup("measure", MEASURE_WORDS, unknown_measure, unknown_measure.message)
    if not cells.text.get("measure"):
        counts_people = cells.yes_no("counts_people")
        measure = Measure.PEOPLE_REACHED if counts_people else Measure.OUTPUT
    if not cells.ok:
        return None
    return {
        "code": code,
        "sector": sector,
        "subsector": subsector,
        "name_en": cells.text["name_en"],
        "name_es": cells.text.get("name_es", ""),
        "name_pt": cells.text.get("name_pt", ""),
        "unit": cells.text["unit"],
        "measure": str(measure),
    }


# When and where an indicator is in force (docs/methodology.md): read after the columns
# of INDICATOR_COLUMNS, written by indicators_table in the same order.
IN_FORCE_COLUMNS = (
    Column("first_year", required=False, aliases=("primer_año", "primeiro_ano")),
    Column("last_year", required=False, aliases=("último_año", "último_ano")),
    Column("countries", required=False, aliases=("países", "paises")),
    Column("platforms", required=False, aliases=("plataformas",)),
)


class _InForceReader:
    """Reads when and where an indicator of a file is in force: `first_year` and
    `last_year` (blank: open-ended), `countries` (ISO3 codes or names) and `platforms`
    (codes or names), each a list separated by `;` or `,` (both blank: everywhere)."""

    def __init__(self) -> None:
        self.countries = country_lookup()
        self.platforms = platform_lookup()

    def read(self, cells: RowCells) -> dict[str, Any] | None:
        """The in-force fields of the row, or None when they have errors (each in the
        report)."""
        errors = len(cells.report.errors)
        first, last = cells.year("first_year"), cells.year("last_year")
        if first is not None and last is not None and last < first:
            cells.invalid(
                "last_year",
                ReferenceCode.YEARS_REVERSED,
                ReferenceCode.YEARS_REVERSED.text(first=first, last=last),
            )
        countries = cells.lookup_many(
            "countries",
            self.countries,
            ReferenceCode.UNKNOWN_COUNTRY,
            ReferenceCode.UNKNOWN_COUNTRY.message,
        )
        platforms = cells.lookup_many(
            "platforms",
            self.platforms,
            ReferenceCode.UNKNOWN_PLATFORM,
            ReferenceCode.UNKNOWN_PLATFORM.message,
        )
        if len(cells.report.errors) != errors:
            return None
        return {
            "first_year": first,
            "last_year": last,
            "countries": countries,
            "platforms": platforms,
        }


def _in_force_places_set(
    indicator: Indicator, countries: list[Country], platforms: list[Platform]
) -> bool:
    """Limit an indicator to these countries and platforms; True when that changed."""
    changed = False
    for related, wanted in ((indicator.countries, countries), (indicator.platforms, platforms)):
        ids = {item.pk for item in wanted}
        if ids != set(related.values_list("pk", flat=True)):
            related.set(ids)
            changed = True
    return changed


@transaction.atomic
def population_group_countries_set(
    *, acting_user: Actor | None, group: PopulationGroup, countries: list[Country]
) -> bool:
    """Set the countries where a population group applies: a regional admin's choice,
    which later reference loads keep. The 5W validation, the needs, population and targets
    imports and the demo follow it. True when it changed."""
    check(acting_user, Action.MANAGE_REFERENCE)
    before = sorted(group.countries.values_list("iso3", flat=True))
    after = sorted(c.iso3 for c in countries)
    if before == after:
        return False
    group.countries.set(countries)
    audit_record(
        acting_user=signed_in(acting_user),
        action="population_group.countries",
        target=group,
        data={"before": before, "after": after},
    )
    return True


def indicators_table() -> tuple[list[str], list[list[Any]]]:
    """The indicator registry as a file reads it (headers and rows): what
    `indicators_import` takes back unchanged, so a registry is edited in a spreadsheet and
    imported again."""
    indicators = Indicator.objects.select_related("sector", "subsector").prefetch_related(
        "countries", "platforms"
    )
    special: dict[str, Any] = {
        "sector": lambda i: i.sector.code,
        "subsector": lambda i: i.subsector.code if i.subsector else "",
        "countries": lambda i: ";".join(sorted(c.iso3 for c in i.countries.all())),
        "platforms": lambda i: ";".join(sorted(p.code for p in i.platforms.all())),
    }
    # A column kept only to read older files (no field of that name) is not written.
    columns = [
        column.name
        for column in (*INDICATOR_COLUMNS, *IN_FORCE_COLUMNS)
        if column.name in special or hasattr(Indicator, column.name)
    ]
    rows = [
        [
            special[name](indicator) if name in special else getattr(indicator, name)
            for name in columns
        ]
        for indicator in indicators.order_by("sector__position", "code")
    ]
    return columns, rows
