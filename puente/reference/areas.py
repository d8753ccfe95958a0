"""Admin-2 areas from a common operational dataset (COD) table: one row per area, its
P-code, its name and its admin-1 parent (`puente load-areas FILE --level 2`).

A parent is named by the admin-1's ISO 3166-2 code (CO-ANT) or its P-code (CO05): COD
tables carry P-codes, Puente's admin-1 areas are keyed by ISO 3166-2 and learn their
P-code from official boundaries (`puente load-boundaries`)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import IO, Any

from django.utils.translation import gettext as _

from puente.accounts.permissions import Action, Actor
from puente.core.imports import (
    ImportReport,
    ImportScope,
    RowCells,
    import_audit_record,
    write_whole_file,
)
from puente.core.tabular import Column, normalize_value, open_table
from puente.reference.codes import ReferenceCode
from puente.reference.models import Admin1, Admin2, Country

AREA_LEVELS = (2,)
PCODE = re.compile(r"[A-Z0-9][A-Z0-9_-]{0,31}")

# The names COD tables (HDX) and their HXL-derived variants give to each column.
ADMIN2_COLUMNS = (
    Column(
        "adm2_pcode",
        aliases=("admin2pcode", "admin2_pcode", "pcode", "p-code", "adm2_code", "admin2code"),
    ),
    Column("adm2_name", required=False, aliases=("name", "admin2name", "nombre", "nome")),
    Column("adm2_es", required=False, aliases=("admin2name_es", "adm2_name_es", "name_es")),
    Column("adm2_pt", required=False, aliases=("admin2name_pt", "adm2_name_pt", "name_pt")),
    Column("adm2_en", required=False, aliases=("admin2name_en", "adm2_name_en", "name_en")),
    Column(
        "adm1_pcode",
        aliases=(
            "admin1pcode",
            "admin1_pcode",
            "parent_pcode",
            "parent",
            "adm1_code",
            "admin1code",
            "adm1_iso",
            "iso_3166_2",
        ),
    ),
)
NAME_COLUMNS = ("adm2_name", "adm2_es", "adm2_pt", "adm2_en")


def admin1_by_code() -> dict[str, Admin1]:
    """Every admin-1 area by its ISO 3166-2 code and by its P-code (normalised)."""
    areas = list(Admin1.objects.select_related("country"))
    table = {normalize_value(a.pcode): a for a in areas if a.pcode}
    table.update({normalize_value(a.iso_code): a for a in areas})
    return table


def areas_load(
    *,
    source: IO[bytes] | Path | bytes,
    filename: str,
    level: int = 2,
    country_iso3: str | None = None,
    dry_run: bool = False,
    acting_user: Actor | None = None,
    audit: bool = True,
) -> ImportReport:
    """Add or update admin-2 areas by P-code. Any row error and nothing is written; a
    reload never deletes an area (5W rows may name it). With `country_iso3`, every
    parent must be in that country (a COD table is one country's)."""
    report = ImportReport(dry_run=dry_run)
    scope = ImportScope(acting_user, Action.MANAGE_REFERENCE)
    scope.region(name=_("the admin areas of the whole region"))
    scope.refuse(report)
    if not report.ok:
        return report
    if level not in AREA_LEVELS:
        raise ValueError(f"Areas of level {level} are not loaded.")
    country: Country | None = None
    if country_iso3:
        country = Country.objects.filter(iso3__iexact=country_iso3).first()
        if country is None:
            unknown = ReferenceCode.UNKNOWN_COUNTRY
            report.error(None, None, unknown, unknown.text(value=country_iso3), country_iso3)
            return report
    table = open_table(source, filename=filename, columns=ADMIN2_COLUMNS, report=report)
    if table is None:
        return report
    parents = admin1_by_code()
    existing = {a.pcode: a for a in Admin2.objects.select_related("country")}
    seen_pcodes: dict[str, int] = {}
    seen_names: dict[tuple[int, str], int] = {}
    parsed: list[dict[str, Any]] = []
    for number, raw in table:
        report.rows += 1
        cells = RowCells(report, number, raw)
        item = _area_read(
            cells,
            parents,
            existing,
            country=country,
            seen_pcodes=seen_pcodes,
            seen_names=seen_names,
        )
        if item is not None:
            parsed.append(item)

    def write() -> None:
        new = [Admin2(**item) for item in parsed if item["pcode"] not in existing]
        Admin2.objects.bulk_create(new, batch_size=1000)
        report.imported += len(new)
        for item in parsed:
            area = existing.get(item["pcode"])
            if area is None:
                continue
            if area.name != item["name"] or area.admin1_id != item["admin1"].pk:
                area.name, area.admin1 = item["name"], item["admin1"]
                area.save(update_fields=["name", "admin1"])
                report.updated += 1
            else:
                report.unchanged += 1
        if audit:
            import_audit_record(
                acting_user=acting_user, kind="admin2-areas", filename=filename, report=report
            )

    return write_whole_file(report, write)


def _area_read(
    cells: RowCells,
    parents: dict[str, Admin1],
    existing: dict[str, Admin2],
    *,
    country: Country | None,
    seen_pcodes: dict[str, int],
    seen_names: dict[tuple[int, str], int],
) -> dict[str, Any] | None:
    """One row of an admin-2 table as the fields of `Admin2`, or None when it has errors
    (each in the report)."""
    cells.required("adm2_pcode", "adm1_pcode")
    pcode = cells.text.get("adm2_pcode", "").upper()
    name = next((cells.text[c] for c in NAME_COLUMNS if cells.text.get(c)), "")
    if not name:
        missing = ReferenceCode.MISSING_AREA_NAME
        cells.error("adm2_name", missing, missing.text())
    if pcode and not PCODE.fullmatch(pcode):
        invalid = ReferenceCode.INVALID_PCODE
        cells.invalid("adm2_pcode", invalid, invalid.text(value=cells.text["adm2_pcode"]))
    elif pcode:
        cells.first_of(
            seen_pcodes,
            pcode,
            "adm2_pcode",
            message=_("The P-code %(code)s is already in row %(row)s."),
            value=pcode,
            code=pcode,
        )
    unknown = ReferenceCode.UNKNOWN_ADMIN1
    parent: Admin1 | None = cells.lookup("adm1_pcode", parents, unknown, unknown.message)
    if parent is not None and country is not None and parent.country_id != country.pk:
        wrong = ReferenceCode.AREA_PARENT_NOT_IN_COUNTRY
        cells.invalid(
            "adm1_pcode",
            wrong,
            wrong.text(value=cells.text["adm1_pcode"], other=parent.country, country=country),
        )
    held = existing.get(pcode)
    if parent is not None and held is not None and held.country_id != parent.country_id:
        other = ReferenceCode.PCODE_OF_ANOTHER_COUNTRY
        cells.error("adm2_pcode", other, other.text(value=pcode, other=held.country), pcode)
    if parent is not None and name:
        cells.first_of(
            seen_names,
            (parent.pk, normalize_value(name)),
            _name_column(cells),
            message=_(
                "“%(name)s” is already an area of %(parent)s in row %(row)s: a name "
                "names one area of an admin-1."
            ),
            value=name,
            name=name,
            parent=parent.name,
        )
    if not cells.ok or parent is None:
        return None
    return {"pcode": pcode, "name": name, "admin1": parent, "country": parent.country}


def _name_column(cells: RowCells) -> str:
    return next((c for c in NAME_COLUMNS if cells.text.get(c)), NAME_COLUMNS[0])
