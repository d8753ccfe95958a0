"""Key rotation: everything sealed is re-sealed under the first key of
PUENTE_FEEDBACK_KEYS, so older keys can then be removed."""

from __future__ import annotations

from django.db import transaction

from puente.feedback.models import Feedback, FeedbackAttachment
from puente.feedback.services.crypto import reseal, reseal_bytes


@transaction.atomic
def feedback_keys_rotate() -> int:
    """Re-seal every item and attachment under the first key; returns items re-sealed."""
    count = 0
    for item in Feedback.objects.select_for_update().only(
        "pk", "text_sealed", "name_sealed", "contact_sealed", "answer_sealed"
    ):
        for field in ("text_sealed", "name_sealed", "contact_sealed", "answer_sealed"):
            setattr(item, field, reseal(getattr(item, field)))
        item.save(update_fields=["text_sealed", "name_sealed", "contact_sealed", "answer_sealed"])
        count += 1
    for attachment in FeedbackAttachment.objects.all():
        with attachment.file.open("rb") as handle:
            content = reseal_bytes(handle.read())
        with attachment.file.open("wb") as handle:
            handle.write(content)
    return count
