"""/healthz and /readyz (docs/deploy.md): liveness asks nothing; readiness asks the
database, the migrations and a worker's heartbeat, which `puente worker` writes."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.management.commands import db_worker

from puente.core import health
from puente.core.models import WorkerHeartbeat

pytestmark = pytest.mark.django_db


def test_healthz_answers_without_a_session(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "alive"}
    assert "no-cache" in response["Cache-Control"]


def test_readyz_is_not_ready_until_a_worker_was_seen(client):
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "not ready"
    assert body["checks"]["database"] == {"ok": True}
    assert body["checks"]["migrations"] == {"ok": True, "unapplied": 0}
    assert body["checks"]["worker"]["ok"] is False
    assert body["checks"]["worker"]["last_seen_seconds"] is None


def test_a_worker_run_records_its_heartbeat_and_makes_the_process_ready(client, monkeypatch):
    # The worker closes connections it finds out of autocommit: here, the test's own.
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)
    call_command("worker", "--batch", "--worker-id", "web-1-worker", verbosity=0)
    beat = WorkerHeartbeat.objects.get()
    assert beat.worker_id == "web-1-worker"
    assert beat.pid > 0
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["status"] == "ready"
    assert response.json()["checks"]["worker"]["ok"] is True


def test_a_heartbeat_older_than_the_limit_is_not_ready(client, settings):
    settings.PUENTE_READY_WORKER_SECONDS = 120
    health.worker_heartbeat_record("w1")
    WorkerHeartbeat.objects.update(seen_at=timezone.now() - dt.timedelta(seconds=300))
    body = client.get("/readyz").json()
    assert body["checks"]["worker"]["ok"] is False
    assert body["checks"]["worker"]["last_seen_seconds"] >= 300
    assert body["checks"]["worker"]["limit_seconds"] == 120


def test_unapplied_migrations_make_it_not_ready(client, monkeypatch):
    health.worker_heartbeat_record("w1")
    monkeypatch.setattr(health, "unapplied_migrations", lambda: 3)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["migrations"] == {"ok": False, "unapplied": 3}


def test_beats_of_workers_gone_for_a_week_are_removed():
    health.worker_heartbeat_record("old")
    WorkerHeartbeat.objects.update(seen_at=timezone.now() - dt.timedelta(days=8))
    health.worker_heartbeat_record("new")
    assert list(WorkerHeartbeat.objects.values_list("worker_id", flat=True)) == ["new"]


def test_readyz_refuses_a_post(client):
    assert client.post("/readyz").status_code == 405
