"""Reading reference keys (year, country, sector, population group) in the rows of an
import, with the same errors in every importer that names them."""

from __future__ import annotations

from typing import Any

from puente.core.imports import RowCells
from puente.reference.codes import ReferenceCode
from puente.reference.selectors import country_lookup, population_group_lookup, sector_lookup


class ReferenceKeys:
    """The lookups, built once per file."""

    def __init__(self) -> None:
        self.countries = country_lookup()
        self.sectors = sector_lookup()
        self.groups = population_group_lookup()

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
        return {column: readers[column]() for column in columns}
