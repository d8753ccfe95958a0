"""Reminders of overdue feedback, sent by `puente feedback-reminders` (run it from cron,
hourly for instance). An item is reminded again only after PUENTE_FEEDBACK_REMINDER_HOURS."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from puente.feedback.models import Feedback
from puente.feedback.services.deadlines import overdue_filter
from puente.feedback.services.notifications import feedback_handlers, feedback_remind


@dataclass(frozen=True)
class Reminder:
    feedback_id: int
    recipients: list[str]


def feedback_reminders_send(
    *, now: dt.datetime | None = None, dry_run: bool = False
) -> list[Reminder]:
    """E-mail the handlers of every overdue item not reminded recently; the item is
    marked reminded after its e-mails went out."""
    now = now or timezone.now()
    since = now - dt.timedelta(hours=settings.PUENTE_FEEDBACK_REMINDER_HOURS)
    items = (
        Feedback.objects.filter(overdue_filter(now))
        .filter(Q(reminded_at__isnull=True) | Q(reminded_at__lt=since))
        .select_related("type", "country", "sector", "organisation")
        .order_by("received_at", "pk")
    )
    reminders: list[Reminder] = []
    for item in items:
        recipients = [user.email for user in feedback_handlers(item)]
        if not dry_run:
            feedback_remind(item)
            Feedback.objects.filter(pk=item.pk).update(reminded_at=now)
        reminders.append(Reminder(feedback_id=item.pk, recipients=recipients))
    return reminders
