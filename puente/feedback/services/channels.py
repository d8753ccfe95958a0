"""Channel integrations (RapidPro, WhatsApp, SMS gateways): one secret token per channel,
kept only as its SHA-256."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from django.db import transaction

from puente.accounts.permissions import Action, Actor, check
from puente.core.services import audit_record
from puente.feedback.models import FeedbackChannel


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@transaction.atomic
def channel_token_create(*, acting_user: Actor | None, channel: FeedbackChannel) -> str:
    """A new token for `channel` (the old one stops working); shown once. The CLI
    passes no user; a person needs `manage_feedback`."""
    if acting_user is not None:
        check(acting_user, Action.MANAGE_FEEDBACK)
    token = secrets.token_urlsafe(32)
    channel.token_hash = _token_hash(token)
    channel.save(update_fields=["token_hash"])
    audit_record(acting_user=acting_user, action="feedback.channel_token", target=channel)
    return token


def channel_authenticate(*, code: str, token: str) -> FeedbackChannel | None:
    """The active channel `code` when `token` is its token, else None."""
    channel = FeedbackChannel.objects.filter(code=code, active=True).first()
    if channel is None or not channel.token_hash or not token:
        return None
    if not hmac.compare_digest(channel.token_hash, _token_hash(token)):
        return None
    return channel
