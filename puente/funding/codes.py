"""Error codes of funding: exchange rates and contributions, beside the plan, partner and
reference codes their imports share (docs/imports.md and docs/api.md list them)."""

from django.utils.translation import gettext_lazy as _

from puente.core.codes import ErrorCode


class FundingCode(ErrorCode):
    UNKNOWN_CURRENCY = (
        "unknown_currency",
        _("“%(value)s” is not an ISO 4217 currency code."),
        400,
    )
    INVALID_RATE = "invalid_rate", _("“%(value)s” is not a rate above zero."), 400
    NO_EXCHANGE_RATE = (
        "no_exchange_rate",
        _("No exchange rate for %(currency)s on or before %(date)s: import one first."),
        400,
    )
    DUPLICATE_CONTRIBUTION = (
        "duplicate_contribution",
        _("Contribution %(id)s from %(source)s is already recorded."),
        400,
    )
