"""Writes to the partner registry."""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path
from typing import IO, Any

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from puente.accounts.permissions import Action
from puente.core.imports import (
    ImportReport,
    ImportScope,
    import_audit_record,
    parse_yes_no,
    write_whole_file,
    yes_no_error_message,
)
from puente.core.services import audit_record
from puente.core.tabular import Column, cell_text, normalize_value, open_table
from puente.partners.models import Organisation
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


def _parse_countries(text: str, lookup: dict[str, Country]) -> tuple[list[Country], list[str]]:
    found, unknown = [], []
    for part in text.replace(",", ";").split(";"):
        part = part.strip()
        if not part:
            continue
        country = lookup.get(normalize_value(part))
        (found.append(country) if country else unknown.append(part))
    return found, unknown


def organisations_import(
    *,
    source: IO[bytes] | Path | bytes,
    filename: str,
    acting_user: Any = None,
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
    types = organisation_type_lookup()
    countries = country_lookup()
    seen: dict[str, int] = {}
    parsed: list[dict[str, Any]] = []
    for number, raw in table:
        report.rows += 1
        values = {k: cell_text(v) for k, v in raw.items()}
        before = len(report.errors)
        for required in ("name", "acronym", "type", "countries"):
            if not values.get(required):
                report.error(
                    number,
                    required,
                    "missing_required",
                    _("The column “%(column)s” is required.") % {"column": required},
                )
        acronym = values.get("acronym", "")
        key = acronym.casefold()
        if acronym and key in seen:
            report.error(
                number,
                "acronym",
                "duplicate_row",
                _("The acronym %(acronym)s is already in row %(row)s.")
                % {"acronym": acronym, "row": seen[key]},
                acronym,
            )
        seen.setdefault(key, number)
        org_type = types.get(normalize_value(values.get("type", "")))
        if values.get("type") and org_type is None:
            report.error(
                number,
                "type",
                "unknown_type",
                _("Unknown organisation type “%(value)s”.") % {"value": values["type"]},
                values["type"],
            )
        flags: dict[str, bool] = {}
        for column in ("migrant_led", "women_led", "appealing"):
            text = values.get(column, "")
            flag = parse_yes_no(text)
            if flag is None:
                report.error(number, column, "invalid_yes_no", yes_no_error_message(text), text)
            flags[column] = bool(flag)
        if (
            org_type == Organisation.Type.REFUGEE_MIGRANT_LED
            and values.get("migrant_led")
            and not flags["migrant_led"]
        ):
            report.error(
                number,
                "migrant_led",
                "type_contradicts_flag",
                _("A refugee/migrant-led organisation must have migrant_led = yes."),
                values["migrant_led"],
            )
        if org_type == Organisation.Type.REFUGEE_MIGRANT_LED:
            flags["migrant_led"] = True
        found, unknown = _parse_countries(values.get("countries", ""), countries)
        for code in unknown:
            report.error(
                number,
                "countries",
                "unknown_country",
                _(
                    "“%(value)s” is not one of the response's countries (use ISO3 codes "
                    "separated by ;)."
                )
                % {"value": code},
                code,
            )
        if len(report.errors) == before:
            item = {
                "acronym": acronym,
                "name": values["name"],
                "name_es": values.get("name_es") or None,
                "name_pt": values.get("name_pt") or None,
                "type": org_type,
                "countries": found,
                **flags,
            }
            existing = stored.get(key)
            if _organisation_changes(existing, item):
                now = list(existing.countries.all()) if existing else []
                scope.countries({c.pk: c for c in [*found, *now]}.values(), name=acronym)
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
    acting_user: Any,
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
