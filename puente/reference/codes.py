"""Error codes of the reference data (countries, admin-1 areas, sectors, population
groups, indicators): the codes of every door that reads a reference key, declared once
here and used by the apps above (docs/imports.md and docs/api.md list them)."""

from django.utils.translation import gettext_lazy as _

from puente.core.codes import ErrorCode


class ReferenceCode(ErrorCode):
    UNKNOWN_COUNTRY = (
        "unknown_country",
        _("“%(value)s” is not one of the response's countries."),
        400,
    )
    UNKNOWN_ADMIN1 = "unknown_admin1", _("“%(value)s” is not an admin-1 area."), 400
    ADMIN1_NOT_IN_COUNTRY = (
        "admin1_not_in_country",
        _("The area is not in the country chosen."),
        400,
    )
    UNKNOWN_SECTOR = "unknown_sector", _("Unknown sector “%(value)s”."), 400
    UNKNOWN_SUBSECTOR = "unknown_subsector", _("Unknown sub-sector “%(value)s”."), 400
    SUBSECTOR_NOT_IN_SECTOR = (
        "subsector_not_in_sector",
        _("“%(subsector)s” is not a sub-sector of %(sector)s."),
        400,
    )
    UNKNOWN_POPULATION_GROUP = (
        "unknown_population_group",
        _("“%(value)s” is not a population group."),
        400,
    )
    UNKNOWN_INDICATOR = (
        "unknown_indicator",
        _("“%(value)s” is not an indicator code of the registry."),
        400,
    )
    UNKNOWN_MEASURE = (
        "unknown_measure",
        _("“%(value)s” is not a measure: people-reached, people-trained, output or stock."),
        400,
    )
    # A shipped reference file that does not load is a packaging error, not the user's.
    INVALID_REFERENCE = (
        "invalid_reference",
        _("A reference data file shipped with the platform has errors."),
        500,
    )
    INVALID_GEOJSON = (
        "invalid_geojson",
        _("The file is not a GeoJSON FeatureCollection."),
        400,
    )
    NO_BOUNDARY_MATCHED = (
        "no_boundary_matched",
        _(
            "No feature of the file matched an admin-1 area of %(country)s through the field "
            "“%(field)s”."
        ),
        400,
    )
    # Where a population group applies and when and where an indicator is in force
    POPULATION_GROUP_NOT_IN_COUNTRY = (
        "population_group_not_in_country",
        _("“%(group)s” is not a population group of %(country)s."),
        400,
    )
    UNKNOWN_PLATFORM = "unknown_platform", _("“%(value)s” is not a platform."), 400
    YEARS_REVERSED = (
        "years_reversed",
        _("The last year (%(last)s) is before the first year (%(first)s)."),
        400,
    )
    # Admin-2 areas (puente load-areas) and the 5W rows that name them
    AREA_PARENT_NOT_IN_COUNTRY = (
        "area_parent_not_in_country",
        _("The admin-1 area “%(value)s” is in %(other)s, not in %(country)s."),
        400,
    )
    PCODE_OF_ANOTHER_COUNTRY = (
        "pcode_of_another_country",
        _("The P-code %(value)s is already an admin-2 area of %(other)s."),
        400,
    )
    MISSING_AREA_NAME = (
        "missing_area_name",
        _("The row gives no name for the area (a name column: ADM2_ES, ADM2_PT, ADM2_EN…)."),
        400,
    )
    INVALID_PCODE = (
        "invalid_pcode",
        _("“%(value)s” is not a P-code: letters, digits and hyphens, 32 at most."),
        400,
    )
