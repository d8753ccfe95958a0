"""Error codes of community feedback: intake from the web form and the channels, the
handling workflow, the code list and the encryption of what people wrote (docs/api.md
lists them with their status)."""

from django.utils.translation import gettext_lazy as _

from puente.core.codes import ErrorCode


class FeedbackCode(ErrorCode):
    # Intake
    TEXT_REQUIRED = "text_required", _("Please write your message."), 400
    TEXT_TOO_LONG = (
        "text_too_long",
        _("The message is too long: at most %(limit)s characters."),
        400,
    )
    INVALID_AGE = "invalid_age", _("The age is not valid."), 400
    TOO_MANY_ATTACHMENTS = (
        "too_many_attachments",
        _("At most %(limit)s files can be attached."),
        400,
    )
    ATTACHMENT_TOO_LARGE = (
        "attachment_too_large",
        _("The file %(name)s is larger than %(limit)s MB."),
        400,
    )
    ATTACHMENT_TYPE_REFUSED = (
        "attachment_type_refused",
        _("The file %(name)s is not accepted: send a JPEG or PNG photo or a PDF document."),
        400,
    )
    COUNTRY_REQUIRED = (
        "country_required",
        _("Say which country the message is from (`country`, ISO alpha-3)."),
        400,
    )
    UNKNOWN_FEEDBACK_TYPE = (
        "unknown_feedback_type",
        _("Unknown feedback type %(value)s."),
        400,
    )
    # Workflow
    INVALID_TRANSITION = (
        "invalid_transition",
        _("Feedback that is %(status)s cannot become %(new)s."),
        400,
    )
    REFERRAL_TARGET_REQUIRED = (
        "referral_target_required",
        _("Choose the organisation or sector the feedback is referred to."),
        400,
    )
    CONSENT_REQUIRED = (
        "consent_required",
        _("A sensitive complaint is referred only with the person's recorded consent."),
        400,
    )
    ANSWER_REQUIRED = "answer_required", _("Write the answer given to the person."), 400
    INVALID_SATISFACTION = "invalid_satisfaction", _("Unknown satisfaction."), 400
    # Code list
    CODE_TAKEN = "code_taken", _("The code %(code)s is already used."), 400
    SENSITIVE_TYPE_IN_USE = (
        "sensitive_type_in_use",
        _(
            "This type has sensitive complaints: it stays sensitive. "
            "Deactivate it and create another type instead."
        ),
        400,
    )
    SENSITIVE_ITEM = (
        "sensitive_item",
        _("A sensitive complaint stays sensitive, whatever its type becomes."),
        400,
    )
    # Encryption
    ENCRYPTION_KEY_MISSING = (
        "encryption_key_missing",
        _(
            "Feedback cannot be stored: no encryption key is configured "
            "(PUENTE_FEEDBACK_KEYS). Tell the platform administrator."
        ),
        400,
    )
    ENCRYPTION_KEY_INVALID = (
        "encryption_key_invalid",
        _("An encryption key in PUENTE_FEEDBACK_KEYS is not a valid Fernet key."),
        400,
    )
    ENCRYPTION_KEY_UNKNOWN = (
        "encryption_key_unknown",
        _("Stored feedback cannot be decrypted with the configured keys."),
        400,
    )
