"""The public form's rate limit holds exactly under concurrent posts: 40 posts at once
from one address, each in its own thread with its own database connection and its own
committed transactions (as separate server processes would be), let exactly the limit
through, on SQLite and on PostgreSQL.

The threads do not share the test's transaction. On PostgreSQL they write to the test
database and what they wrote is removed afterwards; on SQLite (whose test database lives
in memory, where concurrent writers fail at once instead of waiting) they write to a file
copy of it, as a server's processes would."""

import sqlite3
import sys
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.db import connection, connections
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from puente.core.models import RateCounter
from puente.feedback.models import Feedback

pytestmark = pytest.mark.django_db

POSTS = 40
LIMIT = 10
ADDRESS = "198.51.100.23"


def _in_thread(work: Callable[[], Any]) -> Any:
    """Run `work` on a connection of its own, committed, outside the test's transaction."""
    result: dict[str, Any] = {}

    def run() -> None:
        try:
            result["value"] = work()
        except BaseException as exc:  # noqa: BLE001 - raised again by the caller
            result["error"] = exc
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(timeout=120)
    if "error" in result:
        raise result["error"]
    return result.get("value")


@pytest.fixture(scope="session")
def sqlite_copy(django_db_setup: Any, django_db_blocker: Any, tmp_path_factory: Any) -> Any:
    """A file copy of the SQLite test database, taken before any test's transaction."""
    with django_db_blocker.unblock():
        if connection.vendor != "sqlite":
            return None
        copy = tmp_path_factory.mktemp("threads") / "threads.sqlite3"
        connection.ensure_connection()
        with sqlite3.connect(copy) as target:
            connection.connection.backup(target)
        return str(copy)


@pytest.fixture
def threads_database(sqlite_copy: Any) -> Iterator[None]:
    database = connections.settings["default"]
    if sqlite_copy is None:
        before = set(Feedback.objects.values_list("pk", flat=True))
        yield
        _in_thread(lambda: Feedback.objects.exclude(pk__in=before).delete())
        _in_thread(lambda: RateCounter.objects.all().delete())
        return
    memory = database["NAME"]
    database["NAME"] = sqlite_copy
    try:
        _in_thread(lambda: RateCounter.objects.all().delete())
        yield
    finally:
        database["NAME"] = memory


def _post_all(address: str) -> list[int]:
    statuses: list[int] = []
    errors: list[BaseException] = []
    start = threading.Barrier(POSTS)
    lock = threading.Lock()

    def post() -> None:
        try:
            client = Client()
            start.wait(timeout=60)
            response = client.post(
                reverse("feedback:public-form"),
                {
                    "feedback_type": "question",
                    "country": "COL",
                    "text": "¿Dónde hay atención médica gratuita en Cúcuta?",
                    "website": "",
                },
                REMOTE_ADDR=address,
            )
            with lock:
                statuses.append(response.status_code)
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            with lock:
                errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=post) for _i in range(POSTS)]
    # Switch threads as often as the interpreter can, as processes on several cores would
    # interleave: a counter that reads then writes loses counts here.
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=300)
    finally:
        sys.setswitchinterval(interval)
    assert not errors, errors
    return statuses


def test_forty_concurrent_posts_let_exactly_the_limit_through(settings, threads_database, tmp_path):
    # the project's own cache, whose counter would not be atomic
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(tmp_path / "cache"),
        }
    }
    settings.PUENTE_FEEDBACK_FORM_LIMIT = LIMIT
    settings.PUENTE_FEEDBACK_FORM_WINDOW = 3600
    since = timezone.now()
    # when 40 posts from one address arrive at once
    statuses = _post_all(ADDRESS)
    # then exactly 10 are stored, and the 30 others refused as too many
    assert sorted(statuses) == [201] * LIMIT + [429] * (POSTS - LIMIT)
    stored = _in_thread(lambda: Feedback.objects.filter(received_at__gte=since).count())
    assert stored == LIMIT
    assert _in_thread(lambda: list(RateCounter.objects.values_list("count", flat=True))) == [POSTS]
