"""Feedback in: from operators, the public form and channel integrations, all through
`feedback_create`. The submission is stored (sealed) in one transaction before any
e-mail goes out, so nothing a person sent is lost to a failing side effect."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
import uuid
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from puente.accounts.permissions import Actor, signed_in
from puente.core.errors import ApplicationError
from puente.core.services import audit_record
from puente.feedback.codes import FeedbackCode
from puente.feedback.models import (
    Consent,
    Feedback,
    FeedbackAttachment,
    FeedbackChannel,
    FeedbackType,
    SensitiveCategory,
)
from puente.feedback.services.crypto import seal, seal_bytes
from puente.feedback.services.deadlines import feedback_deadlines
from puente.partners.models import Organisation
from puente.reference.codes import ReferenceCode
from puente.reference.models import Admin1, Country, PopulationGroup, Sector

# No 0/O, 1/I: read aloud on a hotline or copied from a phone screen without confusion.
RECEIPT_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
RECEIPT_LENGTH = 10
MAX_ATTACHMENTS = 3
MAX_NAME_LENGTH = 200
MAX_AGE = 120
ATTACHMENT_SIGNATURES = {
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "application/pdf": (b"%PDF-",),
}
# Control characters other than tab and newlines.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass(frozen=True)
class Upload:
    name: str
    content: bytes


def receipt_code_new() -> str:
    return "".join(secrets.choice(RECEIPT_ALPHABET) for _i in range(RECEIPT_LENGTH))


def receipt_normalise(code: str) -> str:
    return re.sub(r"[\s-]", "", code).upper()


def receipt_hash(code: str) -> str:
    return hashlib.sha256(receipt_normalise(code).encode("ascii", "ignore")).hexdigest()


def receipt_display(code: str) -> str:
    return f"{code[:5]}-{code[5:]}"


def text_clean(text: str) -> str:
    return _CONTROL.sub("", text or "").strip()


def attachment_content_type(upload: Upload) -> str:
    """The type the content really has (by its first bytes), or an error: the name and
    the declared type are not trusted."""
    if len(upload.content) > settings.PUENTE_FEEDBACK_MAX_ATTACHMENT_BYTES:
        raise FeedbackCode.ATTACHMENT_TOO_LARGE.error(
            name=upload.name,
            limit=settings.PUENTE_FEEDBACK_MAX_ATTACHMENT_BYTES // (1024 * 1024),
        )
    for content_type, signatures in ATTACHMENT_SIGNATURES.items():
        if upload.content.startswith(signatures):
            return content_type
    raise FeedbackCode.ATTACHMENT_TYPE_REFUSED.error(name=upload.name)


def _validate(
    *,
    text: str,
    name: str,
    contact: str,
    country: Country,
    admin1: Admin1 | None,
    age: int | None,
    attachments: list[Upload],
) -> None:
    if not text:
        raise FeedbackCode.TEXT_REQUIRED.error()
    if len(text) > settings.PUENTE_FEEDBACK_MAX_TEXT:
        raise FeedbackCode.TEXT_TOO_LONG.error(limit=settings.PUENTE_FEEDBACK_MAX_TEXT)
    if len(name) > MAX_NAME_LENGTH or len(contact) > MAX_NAME_LENGTH:
        raise ApplicationError(
            _("Name and contact are limited to %(limit)s characters.") % {"limit": MAX_NAME_LENGTH},
            code=FeedbackCode.TEXT_TOO_LONG,
        )
    if admin1 is not None and admin1.country_id != country.pk:
        raise ReferenceCode.ADMIN1_NOT_IN_COUNTRY.error()
    if age is not None and not 0 <= age <= MAX_AGE:
        raise FeedbackCode.INVALID_AGE.error()
    if len(attachments) > MAX_ATTACHMENTS:
        raise FeedbackCode.TOO_MANY_ATTACHMENTS.error(limit=MAX_ATTACHMENTS)


@transaction.atomic
def feedback_create(
    *,
    acting_user: Actor | None,
    channel: FeedbackChannel,
    feedback_type: FeedbackType,
    country: Country,
    text: str,
    name: str = "",
    contact: str = "",
    anonymous: bool = False,
    admin1: Admin1 | None = None,
    sector: Sector | None = None,
    organisation: Organisation | None = None,
    population_group: PopulationGroup | None = None,
    sex: str = "",
    age: int | None = None,
    language: str = "",
    sensitive_category: str = "",
    consent: str = "",
    external_id: str = "",
    attachments: list[Upload] | None = None,
    received_at: dt.datetime | None = None,
) -> tuple[Feedback, str]:
    """Store one piece of feedback, sealed, with its deadlines; returns it and the
    receipt code, which is shown once and kept only as a hash."""
    attachments = attachments or []
    text = text_clean(text)
    name, contact = text_clean(name), text_clean(contact)
    if anonymous:
        name, contact = "", ""
    _validate(
        text=text,
        name=name,
        contact=contact,
        country=country,
        admin1=admin1,
        age=age,
        attachments=attachments,
    )
    content_types = [attachment_content_type(upload) for upload in attachments]
    if not feedback_type.sensitive:
        sensitive_category = ""
    elif sensitive_category not in SensitiveCategory.values:
        sensitive_category = SensitiveCategory.OTHER
    received_at = received_at or timezone.now()
    deadlines = feedback_deadlines(feedback_type=feedback_type, received_at=received_at)
    code = receipt_code_new()
    item = Feedback(
        receipt_hash=receipt_hash(code),
        channel=channel,
        external_id=external_id[:128],
        type=feedback_type,
        sensitive=feedback_type.sensitive,
        sensitive_category=sensitive_category,
        language=language[:8],
        country=country,
        admin1=admin1,
        sector=sector,
        organisation=organisation,
        population_group=population_group,
        sex=sex,
        age=age,
        anonymous=anonymous,
        text_sealed=seal(text),
        name_sealed=seal(name),
        contact_sealed=seal(contact),
        received_at=received_at,
        acknowledge_due=deadlines.acknowledge_due,
        respond_due=deadlines.respond_due,
        consent=consent if consent in Consent.values else "",
        consent_recorded_at=received_at if consent in (Consent.GIVEN, Consent.REFUSED) else None,
        logged_by=signed_in(acting_user),
    )
    item.full_clean()
    item.save()
    for upload, content_type in zip(attachments, content_types, strict=True):
        attachment = FeedbackAttachment(
            feedback=item, content_type=content_type, size=len(upload.content)
        )
        attachment.file.save(f"{uuid.uuid4().hex}.bin", ContentFile(seal_bytes(upload.content)))
    audit_record(
        acting_user=acting_user,
        action="feedback.create",
        target=item,
        data={"channel": channel.code, "type": feedback_type.code},
    )
    if item.sensitive:
        from puente.feedback.services.notifications import feedback_notify_sensitive

        transaction.on_commit(lambda: feedback_notify_sensitive(item))
    return item, code


def feedback_code_list_load() -> None:
    """Create the default types and channels that are missing (existing ones are kept
    as configured)."""
    from puente.feedback.code_list import CHANNELS, TYPES

    for position, (code, en, es, pt, sensitive, public) in enumerate(TYPES):
        FeedbackType.objects.get_or_create(
            code=code,
            defaults={
                "name_en": en,
                "name_es": es,
                "name_pt": pt,
                "sensitive": sensitive,
                "public": public,
                "position": position,
            },
        )
    for position, (code, en, es, pt) in enumerate(CHANNELS):
        FeedbackChannel.objects.get_or_create(
            code=code, defaults={"name_en": en, "name_es": es, "name_pt": pt, "position": position}
        )


def feedback_log(*, acting_user: Actor | None, **fields: Any) -> tuple[Feedback, str]:
    """Feedback logged by an operator: needs LOG_FEEDBACK over the item's country,
    sector and organisation concerned."""
    from puente.accounts.permissions import Action, Target, check

    check(
        acting_user,
        Action.LOG_FEEDBACK,
        Target(
            country=fields["country"],
            sector=fields.get("sector"),
            organisation=fields.get("organisation"),
        ),
    )
    return feedback_create(acting_user=acting_user, **fields)


WEB_CHANNEL = "web-form"


def feedback_channel_web() -> FeedbackChannel:
    """The channel of the public form (created with the code list when missing)."""
    channel = FeedbackChannel.objects.filter(code=WEB_CHANNEL).first()
    if channel is None:
        feedback_code_list_load()
        channel = FeedbackChannel.objects.get(code=WEB_CHANNEL)
    return channel
