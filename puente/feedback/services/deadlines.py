"""Deadlines of a feedback item, fixed when it is received.

A type's own deadlines win; empty ones take the defaults: sensitive types are
acknowledged within PUENTE_FEEDBACK_SENSITIVE_ACK_HOURS (72), every type is answered
within PUENTE_FEEDBACK_RESPOND_DAYS (30). Other types have no acknowledgement deadline
unless one is configured."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from puente.feedback.models import FeedbackStatus, FeedbackType


@dataclass(frozen=True)
class Deadlines:
    acknowledge_due: dt.datetime | None
    respond_due: dt.datetime | None


def feedback_deadlines(*, feedback_type: FeedbackType, received_at: dt.datetime) -> Deadlines:
    hours = feedback_type.acknowledge_within_hours
    if hours is None and feedback_type.sensitive:
        hours = settings.PUENTE_FEEDBACK_SENSITIVE_ACK_HOURS
    days = feedback_type.respond_within_days
    if days is None:
        days = settings.PUENTE_FEEDBACK_RESPOND_DAYS
    return Deadlines(
        acknowledge_due=received_at + dt.timedelta(hours=hours) if hours is not None else None,
        respond_due=received_at + dt.timedelta(days=days) if days is not None else None,
    )


def overdue_filter(now: dt.datetime | None = None) -> Q:
    """Items past a deadline they have not met: not acknowledged in time, or not yet
    answered (responded or closed) in time."""
    now = now or timezone.now()
    not_acknowledged = Q(status=FeedbackStatus.NEW, acknowledge_due__lt=now)
    not_answered = Q(respond_due__lt=now) & ~Q(
        status__in=[FeedbackStatus.RESPONDED, FeedbackStatus.CLOSED]
    )
    return not_acknowledged | not_answered
