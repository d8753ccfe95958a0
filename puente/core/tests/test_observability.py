"""Logs and metrics (docs/deploy.md, "Logs and metrics"): the request id, the JSON access
line, /metrics behind its token, and the metrics a request, an import, the task queue and
the cube refresh move."""

from __future__ import annotations

import datetime as dt
import io
import json
import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.management.commands import db_worker
from prometheus_client.parser import text_string_to_metric_families

from puente.analytics.models import CubeState
from puente.core.observability.logs import (
    JsonFormatter,
    LogContextFilter,
    TextFormatter,
    request_id_var,
)
from puente.core.testing import csv_bytes
from puente.partners.models import Organisation
from puente.reference.models import Country
from puente.reporting.models import ActivityRow
from puente.reporting.services.imports import batch_create
from puente.reporting.tasks import batch_import_task
from puente.reporting.tests.conftest import as_rows, good_row

pytestmark = pytest.mark.django_db

TOKEN = "metrics-token-for-tests"


@pytest.fixture
def metrics_token(settings: Any) -> str:
    settings.PUENTE_METRICS_TOKEN = TOKEN
    return TOKEN


@pytest.fixture
def orga(db: Any) -> Organisation:
    org = Organisation.objects.create(
        name="Organización A", acronym="ORGA", type="national-ngo", appealing=True
    )
    org.countries.set(Country.objects.filter(iso3="COL"))
    return org


@pytest.fixture
def json_lines() -> Iterator[tuple[io.StringIO, logging.Logger]]:
    """What the `puente.request` logger writes, as the settings' JSON handler writes it."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(LogContextFilter())
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("puente.request")
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    yield stream, logger
    logger.removeHandler(handler)
    logger.setLevel(level)


def _parsed(stream: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def scrape(client: Any) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample /metrics serves: {(name, sorted labels): value}."""
    response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 200
    samples = {}
    for family in text_string_to_metric_families(response.content.decode()):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def sample(samples: dict, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


# The request id -------------------------------------------------------------------------


def test_a_sane_request_id_from_the_proxy_is_kept(client):
    response = client.get("/healthz", HTTP_X_REQUEST_ID="5f0c2a9e-proxy.1")
    assert response["X-Request-ID"] == "5f0c2a9e-proxy.1"


def test_without_a_request_id_one_is_made(client):
    first = client.get("/healthz")["X-Request-ID"]
    second = client.get("/healthz")["X-Request-ID"]
    assert len(first) == 32 and int(first, 16) >= 0
    assert first != second


@pytest.mark.parametrize("given", ["a b", "x" * 129, "<script>", "id\nforged line"])
def test_an_unsafe_request_id_is_replaced(client, given):
    made = client.get("/healthz", HTTP_X_REQUEST_ID=given)["X-Request-ID"]
    assert made != given
    assert len(made) == 32


# Logs ------------------------------------------------------------------------------------


def test_the_access_line_is_json_with_the_request_id(client, json_lines):
    stream, _logger = json_lines
    client.get("/healthz?probe=1", HTTP_X_REQUEST_ID="req-42")
    (line,) = _parsed(stream)
    assert line["logger"] == "puente.request"
    assert line["level"] == "INFO"
    assert line["request_id"] == "req-42"
    assert (line["method"], line["path"], line["status"]) == ("GET", "/healthz", 200)
    assert line["user_id"] is None
    assert isinstance(line["duration_ms"], float) and line["duration_ms"] >= 0
    assert dt.datetime.fromisoformat(line["time"]).utcoffset() == dt.timedelta(0)


def test_django_s_line_about_a_refused_request_carries_the_request_id(client, json_lines):
    # given Django's own logger of 4xx and 5xx answers, written as the server writes it
    stream, _logger = json_lines
    django_request = logging.getLogger("django.request")
    handler = logging.StreamHandler(stream)
    handler.addFilter(LogContextFilter())
    handler.setFormatter(JsonFormatter())
    django_request.addHandler(handler)
    try:
        # when a page that does not exist is asked for
        client.get("/no-such-page/", HTTP_X_REQUEST_ID="req-404")
    finally:
        django_request.removeHandler(handler)
    # then both lines, the access line and Django's warning written after it, name it
    lines = {line["logger"]: line for line in _parsed(stream)}
    assert lines["django.request"]["level"] == "WARNING"
    assert lines["django.request"]["request_id"] == "req-404"
    assert lines["puente.request"]["request_id"] == "req-404"


def test_the_access_line_names_the_signed_in_user(client, make_user, json_lines):
    stream, _logger = json_lines
    user = make_user("platform-im-officer", "platform:colombia")
    client.force_login(user)
    assert client.get("/reference/countries/").status_code == 200
    (line,) = _parsed(stream)
    assert line["user_id"] == user.pk
    assert line["path"] == "/reference/countries/"


def test_a_password_reset_token_is_not_logged(client, json_lines):
    stream, _logger = json_lines
    client.get("/accounts/reset/MQ/c0ffee-5ecret/")
    (line,) = _parsed(stream)
    assert "5ecret" not in json.dumps(line)
    assert "[redacted]" in line["path"]


def test_a_line_logged_outside_a_request_has_no_id_and_keeps_extra_fields(json_lines):
    stream, logger = json_lines
    try:
        raise ValueError("boom")
    except ValueError:
        logger.exception("it failed", extra={"batch": 7})
    (line,) = _parsed(stream)
    assert line["request_id"] is None
    assert line["message"] == "it failed"
    assert line["batch"] == 7
    assert "ValueError: boom" in line["exception"]


# A process logging one warning with the settings of its environment.
LOG_ONE_WARNING = (
    "import django, logging; django.setup(); "
    "logging.getLogger('puente.probe').warning('hello %s', 'there')"
)


def _log_one_warning(tmp_path: Path, **extra: str) -> subprocess.CompletedProcess[str]:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "puente.settings",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        **extra,
    }
    return subprocess.run(
        [sys.executable, "-c", LOG_ONE_WARNING],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_a_server_logs_json_and_debug_mode_text(tmp_path):
    server = _log_one_warning(tmp_path)
    line = json.loads(server.stderr.splitlines()[-1])
    assert (line["logger"], line["level"], line["message"]) == (
        "puente.probe",
        "WARNING",
        "hello there",
    )
    debug = _log_one_warning(tmp_path, PUENTE_DEBUG="on")
    assert debug.stderr.splitlines()[-1].endswith(" WARNING puente.probe: hello there")
    chosen = _log_one_warning(tmp_path, PUENTE_LOG_FORMAT="text")
    assert chosen.stderr.splitlines()[-1].endswith(" WARNING puente.probe: hello there")


def test_an_unknown_log_format_stops_the_process(tmp_path):
    result = _log_one_warning(tmp_path, PUENTE_LOG_FORMAT="xml")
    assert result.returncode != 0
    assert "PUENTE_LOG_FORMAT must be json or text" in result.stderr


def test_the_text_format_shows_the_request_id():
    record = logging.makeLogRecord({"name": "puente.x", "levelname": "INFO", "msg": "saved"})
    token = request_id_var.set("req-7")
    try:
        LogContextFilter().filter(record)
    finally:
        request_id_var.reset(token)
    assert TextFormatter().format(record).endswith(" INFO puente.x [req-7]: saved")


# /metrics ----------------------------------------------------------------------------------


def test_metrics_are_not_found_without_a_token_set(client, settings):
    settings.PUENTE_METRICS_TOKEN = ""
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer ").status_code == 404


def test_metrics_are_refused_without_the_token(client, metrics_token):
    assert client.get("/metrics").status_code == 403
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 403
    assert client.get("/metrics", HTTP_AUTHORIZATION=f"Basic {TOKEN}").status_code == 403


def test_metrics_are_served_with_the_token_and_never_cached(client, metrics_token):
    response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    assert "no-cache" in response["Cache-Control"]
    assert "# TYPE puente_http_request_duration_seconds histogram" in response.content.decode()


def test_metrics_are_exempt_from_the_https_redirect(client, metrics_token, settings):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/reference/countries/").status_code == 301
    assert client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}").status_code == 200


def test_a_user_who_needs_a_second_factor_still_reads_metrics(client, make_user, settings):
    settings.PUENTE_METRICS_TOKEN = TOKEN
    settings.PUENTE_REQUIRE_2FA = True
    client.force_login(make_user("regional-admin", "region"))
    page = client.get("/reference/countries/")
    assert (page.status_code, page["Location"].split("?")[0]) == (302, "/accounts/two-factor/")
    response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 200


def test_the_latency_histogram_counts_a_request_by_route_name(client, metrics_token):
    labels = {"route": "reference:country", "method": "GET", "status": "3xx"}
    before = sample(scrape(client), "puente_http_request_duration_seconds_count", **labels)
    # not signed in: redirected to the login page
    assert client.get("/reference/countries/COL/").status_code == 302
    after = scrape(client)
    assert sample(after, "puente_http_request_duration_seconds_count", **labels) == before + 1
    # the raw path is never a label value
    assert not any("/reference/" in str(key) for key in after)


def test_a_path_no_url_matches_is_counted_as_unmatched(client, metrics_token):
    labels = {"route": "unmatched", "method": "GET", "status": "4xx"}
    before = sample(scrape(client), "puente_http_request_duration_seconds_count", **labels)
    client.get("/no-such-page-1234")
    after = sample(scrape(client), "puente_http_request_duration_seconds_count", **labels)
    assert after == before + 1


def test_a_5w_import_moves_the_import_counters(client, metrics_token, orga, tmp_path, capsys):
    # given
    before = scrape(client)
    path = tmp_path / "5w.csv"
    path.write_bytes(csv_bytes(as_rows(good_row(), good_row(admin2="Malambo"))))
    # when
    call_command("import_data", "5w", str(path), "--format", "json")
    # then
    assert json.loads(capsys.readouterr().out)["imported"] == 2
    after = scrape(client)
    rows = "puente_import_rows_total"
    assert sample(after, rows, kind="5w", outcome="imported") == (
        sample(before, rows, kind="5w", outcome="imported") + 2
    )
    seconds = "puente_import_duration_seconds_count"
    assert sample(after, seconds, kind="5w") == sample(before, seconds, kind="5w") + 1


def test_a_dry_run_is_not_counted(client, metrics_token, orga, tmp_path, capsys):
    before = scrape(client)
    path = tmp_path / "5w.csv"
    path.write_bytes(csv_bytes(as_rows(good_row())))
    call_command("import_data", "5w", str(path), "--dry-run", "--format", "json")
    after = scrape(client)
    seconds = "puente_import_duration_seconds_count"
    assert sample(after, seconds, kind="5w") == sample(before, seconds, kind="5w")


def test_queue_depth_counts_waiting_tasks_and_the_worker_logs_the_task_id(
    client, metrics_token, orga, settings, monkeypatch
):
    # given a server's task backend and a 5W file waiting for the worker
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    batch = batch_create(
        acting_user=None,
        filename="5w.csv",
        content=csv_bytes(as_rows(good_row())),
        source="file",
    )
    before = scrape(client)
    assert sample(before, "puente_task_queue_depth", queue="default") == 0
    # when it is queued
    result = batch_import_task.enqueue(batch.pk)
    # then the queue holds it
    queued = scrape(client)
    assert sample(queued, "puente_task_queue_depth", queue="default") == 1
    assert sample(queued, "puente_task_queue_oldest_seconds", queue="default") >= 0
    # and when the worker runs it, its log lines carry the task's id
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(LogContextFilter())
    handler.setFormatter(JsonFormatter())
    tasks_logger = logging.getLogger("django_tasks")
    tasks_logger.addHandler(handler)
    # The worker sets its loggers' levels from its verbosity: put back afterwards.
    levels = {name: logging.getLogger(name).level for name in ("django_tasks", "django_tasks_db")}
    # The worker closes connections it finds out of autocommit: here, the test's own.
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)
    try:
        call_command("worker", batch=True, verbosity=1)
    finally:
        tasks_logger.removeHandler(handler)
        for name, level in levels.items():
            logging.getLogger(name).setLevel(level)
    lines = [line for line in _parsed(stream) if line["message"].startswith("Task id=")]
    assert [line["message"].split()[-1] for line in lines] == ["state=RUNNING", "state=SUCCESSFUL"]
    assert {line["task_id"] for line in lines} == {str(result.id)}
    assert ActivityRow.objects.count() == 1
    after = scrape(client)
    assert sample(after, "puente_task_queue_depth", queue="default") == 0
    rows = "puente_import_rows_total"
    assert sample(after, rows, kind="5w", outcome="imported") == (
        sample(before, rows, kind="5w", outcome="imported") + 1
    )


def test_the_cube_age_follows_its_newest_refresh(
    client, metrics_token, orga, tmp_path, capsys, django_capture_on_commit_callbacks
):
    # given no cube yet: no age to tell
    assert ("puente_cube_age_seconds", ()) not in scrape(client)
    # when validated rows are imported, the cube of Colombia is refreshed on commit
    path = tmp_path / "5w.csv"
    path.write_bytes(csv_bytes(as_rows(good_row())))
    with django_capture_on_commit_callbacks(execute=True):
        call_command("import_data", "5w", str(path), "--status", "validated", "--format", "json")
    capsys.readouterr()
    assert CubeState.objects.filter(country__iso3="COL").exists()
    # then, that refresh said to be two hours old, so is the cube
    CubeState.objects.update(refreshed_at=timezone.now() - dt.timedelta(hours=2))
    age = sample(scrape(client), "puente_cube_age_seconds")
    assert 2 * 3600 <= age < 3 * 3600
    # and the newest refresh counts, not the oldest
    CubeState.objects.create(country=Country.objects.get(iso3="PER"), year=2020)
    assert sample(scrape(client), "puente_cube_age_seconds") < 3600
