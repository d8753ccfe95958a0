"""Error codes of the partner directory: organisations and their types (docs/imports.md
and docs/api.md list them)."""

from django.utils.translation import gettext_lazy as _

from puente.core.codes import ErrorCode


class PartnersCode(ErrorCode):
    UNKNOWN_ORGANISATION = (
        "unknown_organisation",
        _("“%(value)s” is not an organisation of the partner directory."),
        400,
    )
    UNKNOWN_TYPE = "unknown_type", _("Unknown organisation type “%(value)s”."), 400
    TYPE_CONTRADICTS_FLAG = (
        "type_contradicts_flag",
        _("A refugee/migrant-led organisation must have migrant_led = yes."),
        400,
    )
