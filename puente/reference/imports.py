"""Reading reference keys (year, country, sector, population group) in the rows of an
import, with the same errors in every importer that names them: a population group read
with a country must apply in it."""

from __future__ import annotations

from typing import Any

from puente.core.imports import RowCells
from puente.reference.codes import ReferenceCode
from puente.reference.selectors import (
    country_lookup,
    group_countries,
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
