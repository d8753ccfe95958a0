"""Outside debug mode Puente serves only with its own keys; a debug server says so."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.core.management.base import SystemCheckError

PUENTE = str(Path(sys.executable).parent / "puente")

# The production environment docs/settings.md documents ("A server"), less the two keys.
PRODUCTION_ENV = {
    "PUENTE_ALLOWED_HOSTS": "puente.example.org",
    "PUENTE_HSTS_SECONDS": "31536000",
    "PUENTE_HSTS_SUBDOMAINS": "on",
    "PUENTE_HSTS_PRELOAD": "on",
    "PUENTE_SSL_REDIRECT": "on",
}


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """A bare environment: no PUENTE_DEBUG, no keys unless given."""
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "PUENTE_CACHE_DIR": str(tmp_path / "cache"),
        "PUENTE_DEV_FEEDBACK_KEY_FILE": str(tmp_path / "dev-feedback-key"),
        "PUENTE_LANGUAGE": "en",
        **extra,
    }


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    # The timeout only ends a server that wrongly started; nothing is measured.
    return subprocess.run(args, env=env, capture_output=True, text=True, timeout=120, check=False)


def _generated_keys() -> dict[str, str]:
    out = _run([PUENTE, "generate-keys"], {"PATH": os.environ.get("PATH", "")}).stdout
    return dict(line.split("=", 1) for line in out.splitlines())


@pytest.mark.parametrize(
    "command",
    [
        ["runserver", "127.0.0.1:8201", "--noreload"],
        ["db-worker", "--no-reload"],
        ["db_worker", "--no-reload"],
        ["worker", "--no-reload"],
    ],
)
def test_server_and_worker_refuse_to_start_without_keys(tmp_path, command):
    result = _run([PUENTE, *command], _env(tmp_path))
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "PUENTE_SECRET_KEY is not set; PUENTE_FEEDBACK_KEYS is not set" in lines[0]
    assert "puente generate-keys" in lines[0]


def test_asking_how_to_run_a_server_is_answered_without_keys(tmp_path):
    result = _run([PUENTE, "worker", "--help"], _env(tmp_path))
    assert result.returncode == 0
    assert "usage: puente worker" in result.stdout


def test_a_secret_key_without_feedback_keys_is_refused(tmp_path):
    keys = _generated_keys()
    env = _env(tmp_path, PUENTE_SECRET_KEY=keys["PUENTE_SECRET_KEY"])
    result = _run([PUENTE, "runserver", "127.0.0.1:8202", "--noreload"], env)
    assert result.returncode == 1
    assert "PUENTE_FEEDBACK_KEYS is not set" in result.stderr
    assert "PUENTE_SECRET_KEY is not set" not in result.stderr


def test_the_wsgi_application_refuses_to_load_without_keys(tmp_path):
    result = _run([sys.executable, "-c", "import puente.wsgi"], _env(tmp_path))
    assert result.returncode != 0
    assert "ImproperlyConfigured: Puente refuses to start without debug mode" in result.stderr


def test_the_wsgi_application_loads_with_keys_or_in_debug(tmp_path):
    with_keys = _env(tmp_path, **_generated_keys())
    assert _run([sys.executable, "-c", "import puente.wsgi"], with_keys).returncode == 0
    debug = _env(tmp_path, PUENTE_DEBUG="1")
    assert _run([sys.executable, "-c", "import puente.wsgi"], debug).returncode == 0


def test_the_wsgi_application_has_read_every_view_before_its_first_request(tmp_path):
    # A process that took requests before reading its URLs made the first of them wait for
    # the imports (1.1 s on an idle machine, longer under load).
    script = (
        "import sys, puente.wsgi; "
        "print(' '.join(m for m in ('puente.urls', 'puente.collect.server', "
        "'puente.reporting.views', 'pyxform') if m in sys.modules))"
    )
    result = _run([sys.executable, "-c", script], _env(tmp_path, PUENTE_DEBUG="1"))
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "puente.urls",
        "puente.collect.server",
        "puente.reporting.views",
        "pyxform",
    ]


def test_the_wsgi_application_has_its_url_names_in_every_language_before_its_first_request(
    tmp_path,
):
    # Django builds the table `reverse()` reads once per language, on the first call in that
    # language; requests arriving together each built it at once, in every thread, and the
    # first uploads of a month-end peak waited 300-420 ms instead of about 100.
    script = (
        "import puente.wsgi; from django.urls import get_resolver; "
        "print(' '.join(sorted(get_resolver()._reverse_dict)))"
    )
    result = _run([sys.executable, "-c", script], _env(tmp_path, PUENTE_DEBUG="1"))
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["en", "es", "pt"]


def test_check_deploy_is_clean_on_the_documented_production_settings(tmp_path):
    env = _env(tmp_path, **PRODUCTION_ENV, **_generated_keys())
    result = _run([PUENTE, "check", "--deploy", "--fail-level", "WARNING"], env)
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_documented_production_settings_are_the_ones_tested():
    doc = (Path(__file__).resolve().parents[3] / "docs" / "settings.md").read_text()
    for name, value in PRODUCTION_ENV.items():
        assert f"{name}={value}" in doc


def test_check_deploy_reports_missing_keys(settings):
    settings.DEBUG = False
    settings.SECRET_KEY = settings.DEVELOPMENT_SECRET_KEY
    settings.PUENTE_FEEDBACK_KEYS = []
    with pytest.raises(SystemCheckError) as exc_info:
        call_command("check", "--deploy", "--tag", "security")
    assert "puente.E001" in str(exc_info.value)
    assert "puente generate-keys" in str(exc_info.value)


def test_generate_keys_prints_a_secret_key_and_a_feedback_key(capsys):
    call_command("generate_keys")
    lines = capsys.readouterr().out.splitlines()
    assert [line.split("=", 1)[0] for line in lines] == [
        "PUENTE_SECRET_KEY",
        "PUENTE_FEEDBACK_KEYS",
    ]
    secret = lines[0].split("=", 1)[1]
    feedback_key = lines[1].split("=", 1)[1]
    assert len(secret) >= 50
    assert not secret.startswith("puente-insecure-")
    assert Fernet(feedback_key.encode()).decrypt(Fernet(feedback_key.encode()).encrypt(b"x"))


def test_debug_server_says_so_on_every_page(client, settings, db):
    settings.DEBUG = True
    for path in ["/", "/accounts/login/", "/feedback/new/"]:
        body = client.get(path).content.decode()
        assert 'class="debug-banner"' in body, path
    settings.DEBUG = False
    assert 'class="debug-banner"' not in client.get("/").content.decode()
