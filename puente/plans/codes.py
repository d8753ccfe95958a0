"""Error codes of response plans: plan files, partners' entries and their review (the
review codes are also those of 5W reviews). docs/imports.md and docs/api.md list them."""

from django.utils.translation import gettext_lazy as _

from puente.core.codes import ErrorCode


class PlansCode(ErrorCode):
    # Plan files
    UNKNOWN_PLAN = "unknown_plan", _("There is no plan “%(value)s”."), 400
    INVALID_PLAN_KIND = (
        "invalid_plan_kind",
        _("“%(value)s” is not inter-agency or agency."),
        400,
    )
    INVALID_STATUS = "invalid_status", _("“%(value)s” is not draft or published."), 400
    INVALID_SPLIT = "invalid_split", _("“%(value)s” is not published or illustrative."), 400
    PLAN_MISMATCH = (
        "plan_mismatch",
        _("“%(value)s” differs from “%(first)s” given in row %(row)s."),
        400,
    )
    YEAR_OUTSIDE_PLAN = "year_outside_plan", _("The year is outside the plan."), 400
    COUNTRY_OUTSIDE_PLAN = (
        "country_outside_plan",
        _("The country is not one of the plan's countries."),
        400,
    )
    # Targets
    INDICATOR_NOT_IN_SECTOR = (
        "indicator_not_in_sector",
        _("%(indicator)s is an indicator of %(indicator_sector)s, not of %(sector)s."),
        400,
    )
    # Partners' entries
    NOT_AN_AGENCY_APPEAL = (
        "not_an_agency_appeal",
        _("Only an agency appeal is part of an inter-agency plan."),
        400,
    )
    NOT_INTER_AGENCY = (
        "not_inter_agency",
        _("Only an inter-agency plan takes partners' entries."),
        400,
    )
    ENTRY_APPROVED = (
        "entry_approved",
        _("This entry is approved; ask the sector coordinator to return it first."),
        400,
    )
    # Reviews (of plan entries, and of 5W rows)
    INVALID_DECISION = "invalid_decision", _("A review approves or returns."), 400
    COMMENT_REQUIRED = "comment_required", _("Say why the entry is returned."), 400
    NOTHING_TO_REVIEW = (
        "nothing_to_review",
        _("Only a submitted entry can be reviewed."),
        400,
    )
