"""E-mails about feedback: who handles an item, the notice of a new sensitive complaint
and the reminders of overdue items. No e-mail ever carries what the person wrote."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from puente.accounts.models import RoleAssignment, User
from puente.accounts.permissions import ROLE_ACTIONS, Action, Target, scope_covers
from puente.feedback.models import Feedback


def feedback_target(item: Feedback) -> Target:
    return Target(country=item.country, sector=item.sector, organisation=item.organisation)


def feedback_handling_action(item: Feedback) -> Action:
    """Sensitive items are handled by PSEA focal points, the rest by CFM operators."""
    return Action.VIEW_SENSITIVE_FEEDBACK if item.sensitive else Action.LOG_FEEDBACK


def feedback_handlers(item: Feedback) -> list[Any]:
    """Active users whose roles let them handle `item` (by the permission module's rules)."""
    action = feedback_handling_action(item)
    roles = [role for role, actions in ROLE_ACTIONS.items() if action in actions]
    target = feedback_target(item)
    users: dict[int, Any] = {}
    assignments = (
        RoleAssignment.objects.filter(role__in=roles, user__is_active=True)
        .select_related("user", "platform", "country", "sector", "organisation")
        .prefetch_related("platform__countries", "organisation__countries")
    )
    for assignment in assignments:
        if scope_covers(assignment, target):
            users[assignment.user.pk] = assignment.user
    return sorted(users.values(), key=lambda u: u.email)


def _send(user: User, subject: str, body: str) -> None:
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email], fail_silently=False)


def feedback_notify_sensitive(item: Feedback) -> int:
    """Tell the PSEA focal points of the scope that a sensitive complaint arrived."""
    sent = 0
    for user in feedback_handlers(item):
        with translation.override(user.language or translation.get_language() or "en"):
            subject = _("Puente: sensitive complaint #%(id)s received") % {"id": item.pk}
            body = _(
                "A sensitive complaint was received and must be acknowledged by "
                "%(due)s (UTC). Open it in Puente: %(path)s"
            ) % {
                "due": item.acknowledge_due.strftime("%Y-%m-%d %H:%M")
                if item.acknowledge_due
                else "-",
                "path": reverse("feedback:item", args=[item.pk]),
            }
            _send(user, subject, body)
        sent += 1
    return sent


def feedback_remind(item: Feedback) -> int:
    """Remind the handlers of an overdue item."""
    sent = 0
    for user in feedback_handlers(item):
        with translation.override(user.language or translation.get_language() or "en"):
            subject = _("Puente: feedback #%(id)s is overdue") % {"id": item.pk}
            body = _(
                "Feedback #%(id)s (%(status)s) is past its deadline. Open it in Puente: %(path)s"
            ) % {
                "id": item.pk,
                "status": item.get_status_display(),
                "path": reverse("feedback:item", args=[item.pk]),
            }
            _send(user, subject, body)
        sent += 1
    return sent
