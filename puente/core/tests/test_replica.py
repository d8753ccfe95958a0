"""Which database a read goes to when a replica is configured (puente.core.replica). The
same on a real primary and standby: tests/replica (make test-replica)."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.sessions.models import Session
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory

from puente.accounts.models import User
from puente.core import replica
from puente.core.replica import (
    PIN_COOKIE,
    ReplicaMiddleware,
    ReplicaRouter,
    primary_position,
    primary_reads,
    replica_reads,
    replica_reads_from,
)
from puente.reporting.models import ActivityRow

router = ReplicaRouter()


def test_reads_go_to_the_primary_outside_a_request() -> None:
    assert router.db_for_read(ActivityRow) == "default"


def test_reads_of_data_go_to_the_replica_inside_the_window() -> None:
    with replica_reads():
        assert router.db_for_read(ActivityRow) == "replica"


@pytest.mark.parametrize("model", [User, Session])
def test_sign_in_and_permissions_are_read_on_the_primary(model: Any) -> None:
    with replica_reads():
        assert router.db_for_read(model) == "default"


@pytest.mark.django_db
def test_reads_inside_a_transaction_go_to_the_primary() -> None:
    with replica_reads(), transaction.atomic():
        assert router.db_for_read(ActivityRow) == "default"


def test_writes_and_migrations_go_to_the_primary_only() -> None:
    with replica_reads():
        assert router.db_for_write(ActivityRow) == "default"
    assert router.allow_migrate("default", "reporting")
    assert not router.allow_migrate("replica", "reporting")


def _seen_by(view_db: list[str]) -> Any:
    def view(request: HttpRequest) -> HttpResponse:
        view_db.append(router.db_for_read(ActivityRow))
        return HttpResponse("ok")

    return view


@pytest.fixture
def configured(monkeypatch: pytest.MonkeyPatch, settings: Any) -> None:
    monkeypatch.setattr(replica, "replica_configured", lambda: True)
    settings.PUENTE_REPLICA_PIN_SECONDS = 7


def test_a_get_reads_the_replica(configured: None) -> None:
    seen: list[str] = []
    response = ReplicaMiddleware(_seen_by(seen))(RequestFactory().get("/dashboard/"))
    assert seen == ["replica"]
    assert PIN_COOKIE not in response.cookies


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_a_write_reads_the_primary_and_pins_the_client(configured: None, method: str) -> None:
    seen: list[str] = []
    response = ReplicaMiddleware(_seen_by(seen))(getattr(RequestFactory(), method)("/reporting/"))
    assert seen == ["default"]
    assert response.cookies[PIN_COOKIE]["max-age"] == 7
    assert response.cookies[PIN_COOKIE]["httponly"]


def test_a_client_that_wrote_lately_reads_the_primary(configured: None) -> None:
    seen: list[str] = []
    request = RequestFactory().get("/reporting/review/")
    request.COOKIES[PIN_COOKIE] = "1"
    ReplicaMiddleware(_seen_by(seen))(request)
    assert seen == ["default"]


def test_a_view_marked_primary_reads_reads_the_primary(configured: None) -> None:
    seen: list[str] = []
    ReplicaMiddleware(primary_reads(_seen_by(seen)))(RequestFactory().get("/reporting/imports/1/"))
    assert seen == ["default"]


def test_without_a_replica_nothing_is_pinned() -> None:
    seen: list[str] = []
    response = ReplicaMiddleware(_seen_by(seen))(RequestFactory().post("/reporting/"))
    assert seen == ["default"]
    assert PIN_COOKIE not in response.cookies


def test_without_a_replica_there_is_no_position_to_wait_for() -> None:
    assert primary_position() is None
    with replica_reads(), replica_reads_from(None):
        assert router.db_for_read(ActivityRow) == "replica"
