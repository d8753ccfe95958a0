import datetime as dt

import pytest

from puente.feedback.demo import feedback_demo_create
from puente.feedback.models import Feedback, FeedbackStatus
from puente.feedback.services.deadlines import overdue_filter

pytestmark = pytest.mark.django_db


def test_demo_feedback_covers_the_loop_and_is_idempotent():
    created = feedback_demo_create(seed=3, count=150, today=dt.date(2026, 11, 29))
    assert created == 150
    items = Feedback.objects.all()
    assert set(items.values_list("status", flat=True)) == set(FeedbackStatus.values)
    assert items.filter(sensitive=True).exists()
    assert set(items.values_list("country__iso3", flat=True)) == {"COL", "PER", "ECU", "BRA", "CHL"}
    assert items.filter(overdue_filter(dt.datetime(2026, 11, 29, 12, tzinfo=dt.UTC))).exists()
    assert feedback_demo_create(seed=3, count=150) == 0
    assert Feedback.objects.count() == 150
