"""Reading reference keys (year, country, sector, population group) in the rows of an
import, with the same errors in every importer that names them: a population group read
with a country must apply in it."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from puente.core.imports import RowCells
from puente.core.tabular import normalize_value
from puente.reference.codes import ReferenceCode
from puente.reference.models import Admin1, Indicator
from puente.reference.selectors import (
    country_lookup,
    group_countries,
    keyed_lookup,
    population_group_lookup,
    sector_lookup,
)


class ReferenceKeys:
    """The lookups, built once per file."""

    def __init__(self) -> None:
        self.countries = country_lookup()
        self.sectors = sector_lookup()
        self.groups = population_group_lookup()
        self.group_countries = group_countries()
        self._admin1_areas: dict[str, Admin1] | None = None
        self._indicators: dict[str, Indicator] | None = None

    def country(self, cells: RowCells, column: str = "country") -> Any:
        return cells.lookup(
            column,
            self.countries,
            ReferenceCode.UNKNOWN_COUNTRY,
            ReferenceCode.UNKNOWN_COUNTRY.message,
        )

    def sector(self, cells: RowCells, column: str = "sector") -> Any:
        return cells.lookup(
            column, self.sectors, ReferenceCode.UNKNOWN_SECTOR, ReferenceCode.UNKNOWN_SECTOR.message
        )

    def population_group(self, cells: RowCells, column: str = "population_group") -> Any:
        return cells.lookup(
            column,
            self.groups,
            ReferenceCode.UNKNOWN_POPULATION_GROUP,
            ReferenceCode.UNKNOWN_POPULATION_GROUP.message,
        )

    def read(self, cells: RowCells, *columns: str) -> dict[str, Any]:
        """The year and the references among `columns`, each None when blank or wrong."""
        readers = {
            "year": lambda: cells.year(),
            "country": lambda: self.country(cells),
            "sector": lambda: self.sector(cells),
            "population_group": lambda: self.population_group(cells),
        }
        values = {column: readers[column]() for column in columns}
        country, group = values.get("country"), values.get("population_group")
        if country is not None and group is not None:
            self.group_in_country(cells, group, country)
        return values

    def group_in_country(
        self, cells: RowCells, group: Any, country: Any, column: str = "population_group"
    ) -> bool:
        """`population_group_not_in_country`: False (and the error recorded) when the group
        does not apply in the country."""
        if country.pk in self.group_countries.get(group.pk, ()):
            return True
        code = ReferenceCode.POPULATION_GROUP_NOT_IN_COUNTRY
        cells.invalid(column, code, code.text(group=group.name, country=country.name))
        return False

    def admin1(self, cells: RowCells, country: Any, column: str = "admin1") -> Any:
        """`unknown_admin1`: the admin-1 area by ISO 3166-2 code or P-code, or by its name
        within the country; an area of another country is an error too (None: blank, the
        country as a whole, or not read)."""
        text = cells.text.get(column, "")
        if not text or country is None:
            return None
        if self._admin1_areas is None:
            self._admin1_areas = keyed_lookup(
                Admin1.objects.select_related("country"), "iso_code", "pcode"
            )
        admin1 = self._admin1_areas.get(normalize_value(text))
        if admin1 is None:
            admin1 = keyed_lookup(country.admin1_areas.all(), "name").get(normalize_value(text))
        if admin1 is None or admin1.country_id != country.pk:
            cells.error(
                column,
                ReferenceCode.UNKNOWN_ADMIN1,
                _("“%(value)s” is not an admin-1 area of %(country)s.")
                % {"value": text, "country": country.name},
                text,
            )
        return admin1

    def indicator(self, cells: RowCells, column: str = "indicator") -> Any:
        """`unknown_indicator`: the indicator by its code (None: blank or unknown)."""
        if self._indicators is None:
            self._indicators = keyed_lookup(
                Indicator.objects.select_related("sector", "subsector"), "code"
            )
        return cells.lookup(
            column,
            self._indicators,
            ReferenceCode.UNKNOWN_INDICATOR,
            ReferenceCode.UNKNOWN_INDICATOR.message,
        )
