"""Error codes of 5W reporting: the rules every row goes through, the import batches, the
review and the filters, beside the core, reference and review codes they share
(docs/imports.md and docs/api.md list them)."""

from django.utils.translation import gettext_lazy as _

from puente.core.codes import ErrorCode


class ReportingCode(ErrorCode):
    # Rules of a 5W row (reporting/services/rules.py)
    MONTH_IN_FUTURE = "month_in_future", _("%(month)s is in the future."), 400
    UNKNOWN_ORG = (
        "unknown_org",
        _("“%(value)s” is not an organisation of the registry (acronym or name)."),
        400,
    )
    ORG_NOT_IN_COUNTRY = (
        "org_not_in_country",
        _("%(org)s is not registered as working in %(country)s."),
        400,
    )
    UNKNOWN_MODALITY = (
        "unknown_modality",
        _("“%(value)s” is not a modality (in-kind, cva, service, capacity-building, other)."),
        400,
    )
    NEW_EXCEEDS_TOTAL = (
        "new_exceeds_total",
        _("New beneficiaries (%(new)s) exceed the monthly total (%(total)s)."),
        400,
    )
    BREAKDOWN_MISMATCH = (
        "breakdown_mismatch",
        _(
            "Girls, boys, women, men and other add up to %(sum)s, not to the %(new)s "
            "new beneficiaries."
        ),
        400,
    )
    DISABILITY_EXCEEDS_NEW = (
        "disability_exceeds_new",
        _("Persons with disabilities (%(disability)s) exceed the new beneficiaries (%(new)s)."),
        400,
    )
    CVA_VALUE_REQUIRED = (
        "cva_value_required",
        _("A cash and voucher row needs its value in USD."),
        400,
    )
    UNKNOWN_DELIVERY_MECHANISM = (
        "unknown_delivery_mechanism",
        _(
            "“%(value)s” is not a delivery mechanism (cash-in-hand, bank-transfer, "
            "mobile-money, prepaid-card, e-voucher, paper-voucher, other)."
        ),
        400,
    )
    UNKNOWN_CONDITIONALITY = (
        "unknown_conditionality",
        _("“%(value)s” is not a conditionality (conditional, unconditional)."),
        400,
    )
    UNKNOWN_RESTRICTION = (
        "unknown_restriction",
        _("“%(value)s” is not a restriction (restricted, unrestricted)."),
        400,
    )
    PERIOD_LOCKED = "period_locked", _("%(month)s is locked for %(country)s."), 400
    NOT_ALLOWED = (
        "not_allowed",
        _("Your roles do not allow reporting for %(org)s in %(country)s."),
        403,
    )
    INDICATOR_NOT_IN_FORCE = (
        "indicator_not_in_force",
        _("%(indicator)s is not in force in %(country)s in %(year)s."),
        400,
    )
    UNKNOWN_ADMIN2 = (
        "unknown_admin2",
        _("“%(value)s” is not an admin-2 area of %(admin1)s (%(country)s)."),
        400,
    )
    # Warnings: the row is written all the same
    ABOVE_PEOPLE_IN_NEED = (
        "above_people_in_need",
        _(
            "%(value)s people reached in a month is more than the %(need)s people in "
            "need of this sector and population group in %(country)s."
        ),
        400,
    )
    OUTLIER = (
        "outlier",
        _(
            "%(value)s is far above what %(org)s usually reports for %(indicator)s "
            "(about %(usual)s a month)."
        ),
        400,
    )
    # Import batches
    IMPORT_DIED = (
        "import_died",
        _(
            "The import stopped before it finished: the process reading the file "
            "ended (a file needing more memory than PUENTE_WORKER_MEMORY_BYTES "
            "allows ends it). Nothing was written."
        ),
        400,
    )
    IMPORT_FAILED = (
        "import_failed",
        _("The import failed before it finished. Nothing was written."),
        400,
    )
    ROWS_REJECTED = "rows_rejected", _("No row was written."), 400
    # Review and filters
    REVIEW_SET_CHANGED = (
        "review_set_changed",
        _(
            "The submissions matching these filters changed since the page was "
            "shown (%(then)s rows then, %(now)s now). Check them and decide again."
        ),
        400,
    )
    INVALID_FILTER = "invalid_filter", _("These filters are not valid: %(names)s."), 400
