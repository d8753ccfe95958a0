"""The error codes of flow monitoring: its imports (points, daily counts) and the
planning command. docs/imports.md and docs/flows.md list them."""

from django.utils.translation import gettext_lazy as _

from puente.core.codes import ErrorCode


class FlowsCode(ErrorCode):
    UNKNOWN_POINT = (
        "unknown_point",
        _("“%(value)s” is not the code of a flow-monitoring point."),
        400,
    )
    INVALID_POINT_KIND = (
        "invalid_point_kind",
        _(
            "“%(value)s” is not a kind of point "
            "(border-crossing, bus-terminal, route-point, other)."
        ),
        400,
    )
    INVALID_COORDINATE = (
        "invalid_coordinate",
        _("“%(value)s” is not a latitude (-90 to 90) or longitude (-180 to 180) in degrees."),
        400,
    )
    INVALID_DIRECTION = (
        "invalid_direction",
        _("“%(value)s” is not a direction (entry or exit; entrada, salida, saída)."),
        400,
    )
    UNKNOWN_NATIONALITY = (
        "unknown_nationality",
        _("“%(value)s” is not a country (ISO code or name)."),
        400,
    )
    INVALID_SEX = "invalid_sex", _("“%(value)s” is not a sex (female or male)."), 400
    INVALID_AGE_GROUP = (
        "invalid_age_group",
        _("“%(value)s” is not an age group (0-17, 18-59, 60+)."),
        400,
    )
    INVALID_TRANSPORT = (
        "invalid_transport",
        _("“%(value)s” is not a means of transport."),
        400,
    )
    DATE_IN_FUTURE = "date_in_future", _("%(value)s is after today."), 400
    INVALID_PERIOD = (
        "invalid_period",
        _("The period ends (%(end)s) before it starts (%(start)s)."),
        400,
    )
    NO_FLOW_COUNTS = (
        "no_flow_counts",
        _("No entries were counted at border crossings of %(country)s from %(start)s to %(end)s."),
        400,
    )
