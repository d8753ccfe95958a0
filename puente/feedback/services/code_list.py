"""The code list (types and channels), configured by regional admins on the code list
page or by superusers in the Django admin.

Deadlines and names apply to feedback received afterwards: an item's deadlines are fixed
when it arrives. Marking a type sensitive hands its existing items to the PSEA focal
points at once; a type with items cannot stop being sensitive, since that would open
complaints made in confidence to every reader of ordinary feedback."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from puente.accounts.permissions import Action, Actor, check
from puente.core.services import audit_record
from puente.feedback.codes import FeedbackCode
from puente.feedback.models import (
    Feedback,
    FeedbackChannel,
    FeedbackType,
)

TYPE_FIELDS = (
    "name_en",
    "name_es",
    "name_pt",
    "sensitive",
    "public",
    "active",
    "acknowledge_within_hours",
    "respond_within_days",
    "position",
)
CHANNEL_FIELDS = ("name_en", "name_es", "name_pt", "country", "default_type", "active", "position")


def _changes(instance: Any, fields: tuple[str, ...], data: dict[str, Any]) -> dict[str, Any]:
    changed: dict[str, Any] = {}
    for field in fields:
        if field not in data:
            continue
        before, after = getattr(instance, field), data[field]
        if before != after:
            changed[field] = [str(before) if before is not None else None, str(after)]
            setattr(instance, field, after)
    return changed


@transaction.atomic
def feedback_type_save(
    *, acting_user: Actor | None, code: str, data: dict[str, Any], create: bool = False
) -> FeedbackType:
    """Create (`create=True`) or change one feedback type."""
    if acting_user is not None:
        check(acting_user, Action.MANAGE_FEEDBACK)
    if create:
        if FeedbackType.objects.filter(code=code).exists():
            raise FeedbackCode.CODE_TAKEN.error(code=code)
        feedback_type = FeedbackType(code=code)
    else:
        feedback_type = FeedbackType.objects.select_for_update().get(code=code)
    was_sensitive = feedback_type.sensitive
    changed = _changes(feedback_type, TYPE_FIELDS, data)
    unmarked = was_sensitive and not feedback_type.sensitive
    if unmarked and Feedback.objects.filter(type=feedback_type).exists():
        raise FeedbackCode.SENSITIVE_TYPE_IN_USE.error()
    feedback_type.full_clean()
    feedback_type.save()
    if feedback_type.sensitive and not was_sensitive:
        Feedback.objects.filter(type=feedback_type).update(sensitive=True)
    audit_record(
        acting_user=acting_user,
        action="feedback.type_create" if create else "feedback.type_update",
        target=feedback_type,
        data=changed,
    )
    return feedback_type


@transaction.atomic
def feedback_channel_save(
    *, acting_user: Actor | None, code: str, data: dict[str, Any], create: bool = False
) -> FeedbackChannel:
    """Create (`create=True`) or change one intake channel."""
    if acting_user is not None:
        check(acting_user, Action.MANAGE_FEEDBACK)
    if create:
        if FeedbackChannel.objects.filter(code=code).exists():
            raise FeedbackCode.CODE_TAKEN.error(code=code)
        channel = FeedbackChannel(code=code)
    else:
        channel = FeedbackChannel.objects.select_for_update().get(code=code)
    changed = _changes(channel, CHANNEL_FIELDS, data)
    channel.full_clean()
    channel.save()
    audit_record(
        acting_user=acting_user,
        action="feedback.channel_create" if create else "feedback.channel_update",
        target=channel,
        data=changed,
    )
    return channel
