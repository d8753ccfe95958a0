from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from puente.feedback.models import Feedback, FeedbackChannel, FeedbackType
from puente.feedback.services.intake import feedback_code_list_load, feedback_create
from puente.reference.models import Country


@pytest.fixture(autouse=True)
def _code_list(db: Any, settings: Any, tmp_path: Any) -> None:
    # Transactional tests elsewhere may have emptied the tables the migration filled.
    feedback_code_list_load()
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PUENTE_FEEDBACK_KEYS = []


@pytest.fixture
def make_feedback(db: Any) -> Callable[..., tuple[Feedback, str]]:
    """make_feedback("sensitive", country="COL", text=...) -> (item, receipt code)."""

    def make(type_code: str = "question", **kwargs: Any) -> tuple[Feedback, str]:
        country = kwargs.pop("country", "COL")
        if isinstance(country, str):
            country = Country.objects.get(iso3=country)
        kwargs.setdefault("text", "¿Dónde puedo vacunar a mis hijos?")
        return feedback_create(
            acting_user=kwargs.pop("acting_user", None),
            channel=FeedbackChannel.objects.get(code=kwargs.pop("channel", "hotline")),
            feedback_type=FeedbackType.objects.get(code=type_code),
            country=country,
            **kwargs,
        )

    return make
