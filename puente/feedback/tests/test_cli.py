"""`puente feedback-reminders`: e-mails the handlers of overdue items, once per period."""

import datetime as dt
import subprocess
import sys

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from puente.feedback.models import Feedback

pytestmark = pytest.mark.django_db

LONG_AGO = timezone.now() - dt.timedelta(days=40)


def test_reminders_go_to_the_handlers_in_scope(make_feedback, make_user, capsys):
    # given
    operator = make_user("cfm-operator", "country:COL", email="operador@example.org")
    make_user("cfm-operator", "country:PER", email="peru@example.org")
    focal_point = make_user("psea-focal-point", "country:COL", email="psea@example.org")
    make_user("regional-admin", "region", email="admin@example.org")
    question, _c = make_feedback("question", received_at=LONG_AGO, text="pregunta privada")
    sensitive, _c = make_feedback("sensitive", received_at=LONG_AGO, text="abuso privado")
    make_feedback("question")  # not overdue
    # when
    call_command("feedback_reminders", "--language", "es")
    # then
    sent = sorted((m.to[0], m.subject) for m in mail.outbox)
    assert sent == [
        (operator.email, f"Puente: el caso n.º {question.pk} está vencido"),
        (focal_point.email, f"Puente: el caso n.º {sensitive.pk} está vencido"),
    ]
    assert not any("privad" in m.body for m in mail.outbox)
    assert "2 caso(s) vencido(s)" in capsys.readouterr().out
    assert Feedback.objects.filter(reminded_at__isnull=False).count() == 2
    # a second run within the reminder period sends nothing
    call_command("feedback_reminders")
    assert len(mail.outbox) == 2


def test_dry_run_sends_nothing(make_feedback, make_user, capsys):
    make_user("cfm-operator", "country:COL", email="operador@example.org")
    item, _c = make_feedback("question", received_at=LONG_AGO)
    call_command("feedback_reminders", "--dry-run", "--language", "en")
    out = capsys.readouterr().out
    assert f"#{item.pk}: operador@example.org" in out
    assert "Dry run: nothing was sent." in out
    assert mail.outbox == []
    assert Feedback.objects.get().reminded_at is None


def test_commands_are_reachable_through_the_puente_cli():
    result = subprocess.run(
        [sys.executable, "-m", "puente.cli", "feedback-reminders", "--help"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0
    assert "--dry-run" in result.stdout


def test_unknown_channel_for_a_token(capsys):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError) as exc_info:
        call_command("feedback_channel_token", "carrier-pigeon")
    assert "hotline" in str(exc_info.value)
