"""Writes to the partner registry."""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path
from typing import IO, Any

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from puente.accounts.permissions import Action, Actor
from puente.core.imports import (
    ImportReport,
    ImportScope,
    RowCells,
    import_audit_record,
    write_whole_file,
)
from puente.core.services import audit_record
from puente.core.tabular import Column, normalize_value, open_table
from puente.partners.codes import PartnersCode
from puente.partners.models import Organisation
from puente.reference.codes import ReferenceCode
from puente.reference.models import Country
from puente.reference.selectors import country_lookup

PARTNER_COLUMNS = (
    Column(
        "name",
        aliases=("nombre", "nome", "organisation", "organization", "organizacion", "organizacao"),
    ),
    Column("acronym", aliases=("sigla", "siglas", "acronimo")),
    Column("name_es", required=False, aliases=("nombre_es", "nome_es", "name_spanish")),
    Column("name_pt", required=False, aliases=("nombre_pt", "nome_pt", "name_portuguese")),
    Column("type", aliases=("tipo",)),
    Column(
        "migrant_led",
        required=False,
        aliases=(
            "refugee_migrant_led",
            "liderada_por_migrantes",
            "liderada_por_refugiados_migrantes",
            "liderada_por_migrantes_refugiados",
            "migrant-led",
        ),
    ),
    Column(
        "women_led",
        required=False,
        aliases=("liderada_por_mujeres", "liderada_por_mulheres", "women-led"),
    ),
    Column("countries", aliases=("paises", "países", "country", "pais")),
    Column("appealing", required=False, aliases=("apelante", "requiriente", "solicitante")),
)

# Spellings accepted for a type besides its code and its label in the three languages.
TYPE_ALIASES = {
    "un": Organisation.Type.UN_AGENCY,
    "onu": Organisation.Type.UN_AGENCY,
    "ong internacional": Organisation.Type.INGO,
    "ong nacional": Organisation.Type.NATIONAL_NGO,
    "osc": Organisation.Type.NATIONAL_NGO,
    "cso": Organisation.Type.NATIONAL_NGO,
    "ngo": Organisation.Type.NATIONAL_NGO,
    "rlo": Organisation.Type.REFUGEE_MIGRANT_LED,
    "red cross": Organisation.Type.RED_CROSS,
    "cruz roja": Organisation.Type.RED_CROSS,
    "cruz vermelha": Organisation.Type.RED_CROSS,
    "ifi": Organisation.Type.IFI,
}


# Spanish and Portuguese names of the UN agencies of the response, by acronym: given to
# an organisation with that acronym whose names in those languages are not set.
AGENCY_NAMES = Path(__file__).resolve().parent / "data" / "agency_names.csv"


@cache
def agency_names() -> dict[str, dict[str, str]]:
    """{acronym (upper case): {"name_es": ..., "name_pt": ...}} from data/agency_names.csv."""
    with AGENCY_NAMES.open(encoding="utf-8", newline="") as handle:
        return {
            row["acronym"].upper(): {"name_es": row["name_es"], "name_pt": row["name_pt"]}
            for row in csv.DictReader(handle)
        }


def organisation_type_lookup() -> dict[str, str]:
    """Every accepted spelling of an organisation type (code, label in en/es/pt) -> code."""
    table: dict[str, str] = {normalize_value(k): v for k, v in TYPE_ALIASES.items()}
    for value, _label in Organisation.Type.choices:
        table[normalize_value(value)] = value
        for language in ("en", "es", "pt"):
            with translation.override(language):
                table[normalize_value(str(Organisation.Type(value).label))] = value
    return table


def organisations_import(
    *,
    source: IO[bytes] | Path | bytes,
    filename: str,
    acting_user: Actor | None = None,
    dry_run: bool = False,
) -> ImportReport:
    """Add or update organisations, keyed by acronym. Any row error and nothing is written.

    An organisation shows in every country it works in, so a row that adds or changes one
    needs the partners role over every country the row names and, for an organisation
    already in the directory, every country it works in now (None: the command line)."""
    report = ImportReport(dry_run=dry_run)
    scope = ImportScope(acting_user, Action.IMPORT_PARTNERS)
    if not scope.anywhere(report):
        return report
    table = open_table(source, filename=filename, columns=PARTNER_COLUMNS, report=report)
    if table is None:
        return report
    stored = {o.acronym.casefold(): o for o in Organisation.objects.prefetch_related("countries")}
    types, countries = organisation_type_lookup(), country_lookup()
    seen: dict[str, int] = {}
    parsed: list[dict[str, Any]] = []
    for number, raw in table:
        report.rows += 1
        cells = RowCells(report, number, raw)
        item = _organisation_read(cells, types, countries, seen=seen)
        if item is None:
            continue
        existing = stored.get(item["acronym"].casefold())
        if _organisation_changes(existing, item):
            now = list(existing.countries.all()) if existing else []
            scope.countries(
                {c.pk: c for c in [*item["countries"], *now]}.values(), name=item["acronym"]
            )
        parsed.append(item)
    scope.refuse(report)

    def write() -> None:
        for item in parsed:
            created = organisation_upsert(acting_user=acting_user, **item)
            if created is True:
                report.imported += 1
            elif created is None:
                report.updated += 1
        import_audit_record(
            acting_user=acting_user, kind="partners", filename=filename, report=report
        )

    return write_whole_file(report, write)


def _organisation_read(
    cells: RowCells,
    types: dict[str, str],
    countries: dict[str, Country],
    *,
    seen: dict[str, int],
) -> dict[str, Any] | None:
    """One row of a partner file as the keyword arguments of `organisation_upsert`, or
    None when it has errors (each in the report)."""
    cells.required("name", "acronym", "type", "countries")
    acronym = cells.text.get("acronym", "")
    if acronym:
        cells.first_of(
            seen,
            acronym.casefold(),
            "acronym",
            message=_("The acronym %(acronym)s is already in row %(row)s."),
            value=acronym,
            acronym=acronym,
        )
    org_type = cells.lookup(
        "type", types, PartnersCode.UNKNOWN_TYPE, PartnersCode.UNKNOWN_TYPE.message
    )
    flags = {c: bool(cells.yes_no(c)) for c in ("migrant_led", "women_led", "appealing")}
    if org_type == Organisation.Type.REFUGEE_MIGRANT_LED:
        if cells.text.get("migrant_led") and not flags["migrant_led"]:
            cells.invalid(
                "migrant_led",
                PartnersCode.TYPE_CONTRADICTS_FLAG,
                PartnersCode.TYPE_CONTRADICTS_FLAG.message,
            )
        flags["migrant_led"] = True
    found = cells.lookup_many(
        "countries",
        countries,
        ReferenceCode.UNKNOWN_COUNTRY,
        _("“%(value)s” is not one of the response's countries (use ISO3 codes separated by ;)."),
    )
    if not cells.ok:
        return None
    return {
        "acronym": acronym,
        "name": cells.text["name"],
        "name_es": cells.text.get("name_es") or None,
        "name_pt": cells.text.get("name_pt") or None,
        "type": org_type,
        "countries": found,
        **flags,
    }


def _organisation_changes(org: Organisation | None, item: dict[str, Any]) -> bool:
    """True when importing `item` would create or change `org` (see organisation_upsert)."""
    if org is None:
        return True
    for field in ("name", "type", "migrant_led", "women_led", "appealing"):
        if getattr(org, field) != item[field]:
            return True
    for field in ("name_es", "name_pt"):
        if item[field] is not None and getattr(org, field) != item[field]:
            return True
    return {c.pk for c in org.countries.all()} != {c.pk for c in item["countries"]}


@transaction.atomic
def organisation_upsert(
    *,
    acting_user: Actor | None,
    acronym: str,
    name: str,
    type: str,
    countries: list[Country],
    migrant_led: bool = False,
    women_led: bool = False,
    appealing: bool = False,
    name_es: str | None = None,
    name_pt: str | None = None,
) -> bool | None:
    """Create or update one organisation by acronym (case-insensitive).

    `name_es`/`name_pt` left out (None) keep the names stored; where none is stored, a
    UN agency of data/agency_names.csv gets its own (IOM: Organización Internacional para
    las Migraciones).

    Returns True when created, None when changed, False when nothing changed.
    """
    org = Organisation.objects.filter(acronym__iexact=acronym).first()
    values: dict[str, Any] = {
        "name": name,
        "type": type,
        "migrant_led": migrant_led,
        "women_led": women_led,
        "appealing": appealing,
    }
    known = agency_names().get(acronym.upper(), {})
    for field, given in (("name_es", name_es), ("name_pt", name_pt)):
        stored = getattr(org, field, "")
        if given is not None:
            values[field] = given
        elif not stored and known.get(field):
            values[field] = known[field]
    if org is None:
        org = Organisation(acronym=acronym, **values)
        org.full_clean()
        org.save()
        org.countries.set(countries)
        audit_record(
            acting_user=acting_user,
            action="organisation.create",
            target=org,
            data={**values, "countries": sorted(c.iso3 for c in countries)},
        )
        return True
    changed = {k: v for k, v in values.items() if getattr(org, k) != v}
    for key, value in changed.items():
        setattr(org, key, value)
    old_countries = set(org.countries.values_list("iso3", flat=True))
    new_countries = {c.iso3 for c in countries}
    if changed:
        org.full_clean()
        org.save(update_fields=[*changed, "updated_at"])
    if old_countries != new_countries:
        org.countries.set(countries)
        changed["countries"] = sorted(new_countries)
    if not changed:
        return False
    audit_record(acting_user=acting_user, action="organisation.update", target=org, data=changed)
    return None
