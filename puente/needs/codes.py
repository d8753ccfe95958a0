"""Error codes of people in need and population figures, beside the reference codes their
imports share (docs/imports.md lists them)."""

from django.utils.translation import gettext_lazy as _

from puente.core.codes import ErrorCode


class NeedsCode(ErrorCode):
    MIXED_ADMIN_LEVELS = (
        "mixed_admin_levels",
        _(
            "People in need of %(sectors)s are given per admin-1 area for this population "
            "group: a figure for the whole country would be added to them."
        ),
        400,
    )
    SECTOR_WITHOUT_NEED = (
        "sector_without_need",
        _(
            "%(sector)s has no people in need: it stays out of inter-sector figures "
            "(Common Services). Leave its rows out of the needs analysis."
        ),
        400,
    )
    STATUS_ABOVE_POPULATION = (
        "status_above_population",
        _("Regular and irregular status add up to more than the population."),
        400,
    )
