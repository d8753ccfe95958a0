"""`puente serve` and the deploy folder: the production server refuses unsafe settings,
reads its settings from the environment and the command line, and behind a trusted proxy
every client keeps its own rate limit. The server answering for real is exercised by the
ODK Collect contract test (puente/collect/tests/test_contract.py), which runs under it."""

from __future__ import annotations

import configparser
import json
import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from puente.core.forwarded import forwarded_client, trusted_networks

BIN = Path(sys.executable).parent
DEPLOY = Path(__file__).resolve().parents[3] / "deploy"
KEYS = {
    "PUENTE_SECRET_KEY": "serve-test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
    "PUENTE_FEEDBACK_KEYS": "gdOPkYTHv3zPnQVFtPsruOQsx7j573Rjspzmy-eaMrY=",
}


def _serve(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("PUENTE_")}
    return subprocess.run(  # noqa: S603
        [BIN / "puente", "serve", *args],
        env={**base, "DJANGO_SETTINGS_MODULE": "puente.settings", **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_serve_refuses_to_start_without_keys() -> None:
    result = _serve("--bind", "127.0.0.1:1")
    assert result.returncode == 1
    assert "PUENTE_SECRET_KEY is not set" in result.stderr
    assert "puente generate-keys" in result.stderr


def test_serve_refuses_debug_mode() -> None:
    result = _serve("--bind", "127.0.0.1:1", PUENTE_DEBUG="1", **KEYS)
    assert result.returncode == 1
    assert "refuses to serve" in result.stderr
    assert "PUENTE_DEBUG is on" in result.stderr


def test_serve_settings_come_from_the_environment_and_the_command_line() -> None:
    result = _serve(
        "--print-config",
        "--threads",
        "2",
        PUENTE_BIND="0.0.0.0:9000",
        PUENTE_WEB_WORKERS="3",
        PUENTE_WEB_THREADS="8",
        PUENTE_TRUSTED_PROXIES="10.0.0.0/8, 127.0.0.1",
    )
    assert result.returncode == 0, result.stderr
    config = dict(line.split(" = ", 1) for line in result.stdout.splitlines())
    assert config["bind"] == "'0.0.0.0:9000'"
    assert config["workers"] == "3"
    assert config["threads"] == "2"  # the command line wins
    assert config["worker_class"] == "'gthread'"
    assert config["forwarded_allow_ips"] == "'10.0.0.0/8,127.0.0.1'"
    assert config["accesslog"] == "None"
    # Four connections per thread of the command line's threads, not the environment's.
    assert config["worker_connections"] == "8"


def test_the_connections_a_process_holds_come_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from puente.site import serving

    assert serving.gunicorn_settings(threads=4)["worker_connections"] == 16
    monkeypatch.setenv("PUENTE_WEB_CONNECTIONS", "40")
    assert serving.gunicorn_settings(threads=4)["worker_connections"] == 40


@pytest.mark.parametrize("writable", [True, False])
def test_the_heartbeat_files_go_to_dev_shm_only_where_the_process_may_write(
    monkeypatch: pytest.MonkeyPatch, writable: bool
) -> None:
    from puente.site import serving

    shm = "/dev/shm"  # noqa: S108 (the folder the choice is about)
    asked: list[str] = []

    def access(path: str, mode: int) -> bool:
        asked.append(path)
        return writable

    monkeypatch.setattr(serving.os, "access", access)
    options = serving.gunicorn_settings()
    assert asked == [shm]
    # gunicorn's own default (the system's temporary folder) otherwise: a container whose
    # /dev/shm is not writable failed to start a worker.
    assert options.get("worker_tmp_dir") == (shm if writable else None)


@pytest.mark.parametrize(
    ("remote", "forwarded", "client"),
    [
        ("127.0.0.1", "203.0.113.5", "203.0.113.5"),
        # what the client wrote itself (left) is never read
        ("127.0.0.1", "198.51.100.1, 203.0.113.5", "203.0.113.5"),
        # two proxies of ours: the first address that is not ours
        ("127.0.0.1", "203.0.113.5, 10.1.2.3", "203.0.113.5"),
        # not from a trusted proxy: the header is the client's word, ignored
        ("192.0.2.7", "203.0.113.5", "192.0.2.7"),
        # garbage in the header: the last address that could be believed
        ("127.0.0.1", "not-an-address", "127.0.0.1"),
        ("127.0.0.1", "", "127.0.0.1"),
        ("::1", "2001:db8::5", "2001:db8::5"),
    ],
)
def test_forwarded_client(remote: str, forwarded: str, client: str) -> None:
    networks = trusted_networks(["127.0.0.1", "10.0.0.0/8", "::1"])
    assert forwarded_client(remote, forwarded, networks) == client


def test_a_wrong_trusted_proxy_is_a_configuration_error() -> None:
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured, match="not-a-network"):
        trusted_networks(["not-a-network"])


def _status_check(client: Client, forwarded_for: str) -> int:
    response = client.post(
        reverse("feedback:public-status"),
        {"code": "ZZZZ-ZZZZ"},
        HTTP_X_FORWARDED_FOR=forwarded_for,
    )
    return response.status_code


@pytest.mark.django_db
def test_behind_a_trusted_proxy_each_client_has_its_own_rate_limit(settings) -> None:
    settings.PUENTE_FEEDBACK_FORM_LIMIT = 1  # the status check allows 3 per window
    settings.PUENTE_TRUSTED_PROXIES = ["127.0.0.1"]
    proxy = Client()  # the test client connects from 127.0.0.1, as a local proxy does
    assert [_status_check(proxy, "203.0.113.5") for _ in range(3)] == [404, 404, 404]
    assert _status_check(proxy, "203.0.113.5") == 429
    # the same client writing another address in front is still itself
    assert _status_check(proxy, "198.51.100.1, 203.0.113.5") == 429
    # another client behind the same proxy is not affected
    assert _status_check(proxy, "203.0.113.6") == 404


@pytest.mark.django_db
def test_without_trusted_proxies_the_forwarded_header_is_ignored(settings) -> None:
    settings.PUENTE_FEEDBACK_FORM_LIMIT = 1
    settings.PUENTE_TRUSTED_PROXIES = []
    client = Client()
    statuses = [_status_check(client, f"203.0.113.{n}") for n in range(4)]
    assert statuses == [404, 404, 404, 429]  # one address (127.0.0.1), whatever the header


def _unit(name: str) -> configparser.ConfigParser:
    unit = configparser.ConfigParser(interpolation=None, strict=False)
    unit.read(DEPLOY / "systemd" / name)
    return unit


@pytest.mark.parametrize(
    ("unit", "command"),
    [
        ("puente-web.service", "serve"),
        ("puente-worker.service", "worker"),
        ("puente-reminders.service", "feedback-reminders"),
        ("puente-backup.service", "backup"),
    ],
)
def test_systemd_units_run_commands_that_exist(unit: str, command: str) -> None:
    from django.core.management import get_commands

    from puente.cli import command_name

    service = _unit(unit)["Service"]
    words = shlex.split(service["ExecStart"].replace("%%", "%"))
    if words[:2] == ["/bin/sh", "-c"]:
        words = shlex.split(words[2])
    assert words[0] == "/opt/puente/venv/bin/puente" or words[:2] == [
        "exec",
        "/opt/puente/venv/bin/puente",
    ]
    assert command in words
    assert command_name(command) in get_commands()
    assert service["EnvironmentFile"] == "/etc/puente/puente.env"
    assert service["User"] == "puente"


def test_every_timer_starts_a_service_of_the_folder() -> None:
    timers = sorted((DEPLOY / "systemd").glob("*.timer"))
    assert timers
    for timer in timers:
        assert (timer.with_suffix(".service")).exists(), timer.name
        assert _unit(timer.name)["Timer"]["OnCalendar"]


def test_the_example_environment_names_only_settings_that_exist() -> None:
    documented = (Path(__file__).resolve().parents[3] / "docs" / "settings.md").read_text()
    example = (DEPLOY / "systemd" / "puente.env.example").read_text()
    names = [
        line.lstrip("# ").split("=", 1)[0]
        for line in example.splitlines()
        if "=" in line and not line.startswith("# /") and not line.startswith("# `")
    ]
    assert "PUENTE_SECRET_KEY" in names
    for name in names:
        assert f"`{name}`" in documented, name


def test_the_server_serves_collected_static_files_itself(settings, tmp_path: Path) -> None:
    # given a collected static file (`puente collectstatic` into PUENTE_STATIC_ROOT)
    (tmp_path / "puente").mkdir()
    (tmp_path / "puente" / "site.css").write_text("body { color: black; }")
    settings.STATIC_ROOT = tmp_path
    settings.DEBUG = False
    # when a client asks for it, with no proxy in front
    response = Client().get("/static/puente/site.css")
    # then the application answers it, with a cache header
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"body { color: black; }"
    assert "max-age" in response["Cache-Control"]


def test_gunicorn_s_own_lines_are_written_in_puente_s_format() -> None:
    # given gunicorn's logger set up from the server's settings, outside debug mode
    code = (
        "import django; django.setup()\n"
        "from gunicorn.config import Config\n"
        "from gunicorn.glogging import Logger\n"
        "from puente.site.serving import gunicorn_settings\n"
        "config = Config()\n"
        "for key, value in gunicorn_settings().items(): config.set(key, value)\n"
        "Logger(config).info('Booting worker with pid: %s', 4242)\n"
        "import logging; logging.getLogger('puente.test').warning('after gunicorn')\n"
    )
    base = {k: v for k, v in os.environ.items() if not k.startswith("PUENTE_")}
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code],
        env={**base, "DJANGO_SETTINGS_MODULE": "puente.settings", "PUENTE_LOG_FORMAT": "json"},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    # then its line is one JSON object, as are Puente's own lines after it
    lines = [json.loads(line) for line in result.stderr.splitlines()]
    assert [(line["logger"], line["message"]) for line in lines] == [
        ("gunicorn.error", "Booting worker with pid: 4242"),
        ("puente.test", "after gunicorn"),
    ]
    assert lines[0]["level"] == "INFO"
