"""Error codes of field data collection: publishing XLSForms and the OpenRosa server
(docs/collect.md lists them with their status)."""

from django.utils.translation import gettext_lazy as _

from puente.core.codes import ErrorCode


class CollectCode(ErrorCode):
    # Publishing
    NOT_AN_XLSFORM = (
        "not_an_xlsform",
        _("“%(name)s” is not an XLSForm workbook (.xlsx, .xls, .csv or .md)."),
        400,
    )
    XLSFORM_INVALID = (
        "xlsform_invalid",
        _("The XLSForm could not be converted: nothing was published."),
        400,
    )
    VERSION_EXISTS = (
        "version_exists",
        _(
            "Version “%(version)s” of form “%(form_id)s” is already published with other "
            "content: change the version in the settings sheet."
        ),
        409,
    )
    FORM_IN_OTHER_PROJECT = (
        "form_in_other_project",
        _("The form ID “%(form_id)s” is already used by project “%(project)s”."),
        409,
    )
    UNKNOWN_PROJECT = "unknown_project", _("Unknown project “%(code)s”."), 404
    PROJECT_COUNTRY_REQUIRED = (
        "project_country_required",
        _("Project “%(code)s” is new: give its country (ISO3)."),
        400,
    )
    MEDIA_NAME_REQUIRED = "media_name_required", _("A media file needs a name."), 400
    UNKNOWN_USER = "unknown_user", _("No active user has the address %(email)s."), 400
    UNKNOWN_FORM = "unknown_form", _("Unknown form “%(form_id)s”."), 404
    # Submissions (OpenRosa)
    NO_SUBMISSION_FILE = (
        "no_submission_file",
        _("The request has no xml_submission_file part."),
        400,
    )
    SUBMISSION_UNREADABLE = (
        "submission_unreadable",
        _("The submission is not well-formed XML."),
        400,
    )
    NO_INSTANCE_ID = (
        "no_instance_id",
        _("The submission has no instanceID."),
        400,
    )
    FORM_NOT_PUBLISHED = (
        "form_not_published",
        _(
            "Form “%(form_id)s” version “%(version)s” is not published in this project: "
            "the submission is kept for an information management officer to resolve."
        ),
        404,
    )
    INSTANCE_CONFLICT = (
        "instance_conflict",
        _("A different submission with instanceID “%(instance_id)s” was already received."),
        409,
    )
    ALREADY_EDITED = (
        "already_edited",
        _("Submission “%(instance_id)s” was already replaced by an edit."),
        409,
    )
    ATTACHMENT_TOO_LARGE = (
        "attachment_too_large",
        _("The file “%(name)s” is larger than %(limit)s bytes."),
        413,
    )
    OPENROSA_HEADER_REQUIRED = (
        "openrosa_header_required",
        _("A submission must carry the X-OpenRosa-Version header."),
        400,
    )
    TWO_FACTOR_ACCOUNT = (
        "two_factor_account",
        _(
            "This account signs in with a second factor and cannot be used for data "
            "collection: use a data collector's account."
        ),
        403,
    )
    # Review
    INVALID_REVIEW_STATUS = (
        "invalid_review_status",
        _("A review approves or rejects: “%(status)s” is neither."),
        400,
    )
    REJECTION_REASON_REQUIRED = (
        "rejection_reason_required",
        _("Say why the submission is rejected."),
        400,
    )
    # Corrections
    CORRECTION_FIELD_UNKNOWN = (
        "correction_field_unknown",
        _(
            "“%(path)s” is not an answer of this submission that can be corrected (a field "
            "of the form version, not a file; in a repeat, written as repeat[number]/field)."
        ),
        400,
    )
    CORRECTION_VALUE_INVALID = (
        "correction_value_invalid",
        _("“%(value)s” does not fit field “%(path)s”: %(problem)s"),
        400,
    )
    CORRECTION_REASON_REQUIRED = (
        "correction_reason_required",
        _("Say why the answer is corrected."),
        400,
    )
    CORRECTION_UNCHANGED = (
        "correction_unchanged",
        _("Field “%(path)s” already has this value."),
        400,
    )
    # Quarantine
    QUARANTINE_CLOSED = (
        "quarantine_closed",
        _("This quarantined submission was already resolved or discarded."),
        400,
    )
    STILL_UNPUBLISHED = (
        "still_unpublished",
        _("Form “%(form_id)s” version “%(version)s” is still not published."),
        400,
    )
