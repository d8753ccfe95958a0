"""The restore drill (docs/deploy.md, "Backups"): the demo response, backed up with
`puente backup`, restored with `puente restore` into a new, empty database (a new
PostgreSQL database beside the test one, or a new SQLite file) by another process, as an
operator would: every table's rows, the region's people reached and a plan's funding
summary are the same; the complaints open with the same keys; the cube and its columnar
copy are rebuilt; a second restore into the now full database is refused without
--force. Runs with the walk, whose demo response is committed."""

from __future__ import annotations

import hashlib
import io
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection

from puente.feedback.models import Feedback
from puente.feedback.services.crypto import feedback_keys, unseal
from puente.funding.models import Contribution
from puente.reporting.models import ActivityRow
from puente.site.backup import table_counts

pytestmark = [pytest.mark.walk, pytest.mark.django_db]

PUENTE = str(Path(sys.executable).parent / "puente")

COMPLAINTS_DIGEST = (
    "import hashlib; from puente.feedback.models import Feedback; "
    "from puente.feedback.services.crypto import unseal; "
    "texts = [unseal(t) for t in "
    "Feedback.objects.order_by('pk').values_list('text_sealed', flat=True)]; "
    "print('DIGEST', hashlib.sha256('\\x1f'.join(texts).encode()).hexdigest(), len(texts))"
)
COUNTS = (
    "import json; from puente.site.backup import table_counts; "
    "print('COUNTS', json.dumps(table_counts()))"
)


@pytest.fixture
def restored_database(tmp_path: Path) -> Iterator[str]:
    """The URL of a new, empty database of the same engine as the test database."""
    if connection.vendor == "sqlite":
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        return
    import psycopg

    conf = connection.settings_dict
    name = f"{conf['NAME']}_restored"[:63]
    server = {
        "dbname": "postgres",
        "host": conf.get("HOST") or None,
        "port": conf.get("PORT") or None,
        "user": conf.get("USER") or None,
        "password": conf.get("PASSWORD") or None,
    }
    with psycopg.connect(**server, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    user = conf.get("USER") or "postgres"
    password = f":{conf['PASSWORD']}" if conf.get("PASSWORD") else ""
    host = conf.get("HOST") or "127.0.0.1"
    port = conf.get("PORT") or "5432"
    yield f"postgresql://{user}{password}@{host}:{port}/{name}"
    with psycopg.connect(**server, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _puente(env: dict[str, str], *args: str, check: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run(  # noqa: S603
        [PUENTE, *args], env=env, capture_output=True, text=True, timeout=600, check=False
    )
    if check:
        assert result.returncode == 0, result.stderr[-3000:]
    return result


def _line(output: str, tag: str) -> str:
    return next(line for line in output.splitlines() if line.startswith(tag + " "))[len(tag) + 1 :]


def _command(*args: Any) -> Any:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return json.loads(out.getvalue())


def test_a_backup_restored_into_a_new_database_gives_the_same_response(
    walk_db: dict, tmp_path: Path, restored_database: str
) -> None:
    # given the demo response
    counts = table_counts()
    assert counts["reporting_activityrow"] > 1000

    # when it is backed up
    backup = tmp_path / "backup"
    call_command("backup", "--out", str(backup), stdout=io.StringIO())
    manifest = json.loads((backup / "manifest.json").read_text())
    assert manifest["tables"] == counts
    assert manifest["feedback_keys"] == "not included"
    keys = [k.decode() for k in feedback_keys()]
    assert not any(key in (backup / "manifest.json").read_text() for key in keys)

    # (its figures, as they read here)
    last = ActivityRow.objects.order_by("-month").values_list("month", flat=True).first()
    assert last is not None
    reach_args = ["--year", str(last.year), "--through", f"{last:%Y-%m}", "--by", "country"]
    people_reached = _command("people_reached", *reach_args, "--format", "json")
    assert sum(row["consolidated"] for row in people_reached) > 0
    plan = Contribution.objects.order_by("plan__code").values_list("plan__code", flat=True)[0]
    funding = _command("funding_summary", "--plan", plan, "--by", "country", "--format", "json")
    sealed = Feedback.objects.order_by("pk").values_list("text_sealed", flat=True)
    texts = [unseal(t) for t in sealed]
    assert len(texts) > 10
    complaints = hashlib.sha256("\x1f".join(texts).encode()).hexdigest()

    # and restored by another process into a new, empty database
    env = {
        **os.environ,
        "DATABASE_URL": restored_database,
        "PUENTE_DEBUG": "1",
        "PUENTE_FEEDBACK_KEYS": ",".join(keys),
        "PUENTE_MEDIA_ROOT": str(tmp_path / "media"),
        "PUENTE_COLUMNAR_DIR": str(tmp_path / "columnar"),
        "PUENTE_CACHE_DIR": str(tmp_path / "cache"),
        "PUENTE_LANGUAGE": "en",
    }
    restored = _puente(env, "restore", str(backup))
    assert f"Restored {len(counts)} tables" in restored.stdout
    assert f"{len(texts)} complaints open with this server's feedback keys" in restored.stdout

    # then every table, people reached, the funding summary and the complaints are the same
    assert json.loads(_line(_puente(env, "shell", "-c", COUNTS).stdout, "COUNTS")) == counts
    again = _puente(env, "people-reached", *reach_args, "--format", "json").stdout
    assert json.loads(again) == people_reached
    summary = _puente(
        env, "funding-summary", "--plan", plan, "--by", "country", "--format", "json"
    ).stdout
    assert json.loads(summary) == funding
    digest = _line(_puente(env, "shell", "-c", COMPLAINTS_DIGEST).stdout, "DIGEST")
    assert digest == f"{complaints} {len(texts)}"
    # and the cube's columnar copy was written again for every year of the 5W
    years = {d.year for d in ActivityRow.objects.dates("month", "year")}
    assert {p.name for p in (tmp_path / "columnar").iterdir() if p.is_dir()} >= {
        str(y) for y in years
    }

    # a restore into the database now full is refused, and replaces it with --force
    refused = _puente(env, "restore", str(backup), check=False)
    assert refused.returncode != 0
    assert "already holds tables" in refused.stderr
    _puente(env, "restore", str(backup), "--force")
    assert json.loads(_line(_puente(env, "shell", "-c", COUNTS).stdout, "COUNTS")) == counts


def test_a_restore_with_other_keys_says_the_complaints_do_not_open(
    walk_db: dict, tmp_path: Path, restored_database: str
) -> None:
    from cryptography.fernet import Fernet

    backup = tmp_path / "backup"
    call_command("backup", "--out", str(backup), stdout=io.StringIO())
    env = {
        **os.environ,
        "DATABASE_URL": restored_database,
        "PUENTE_DEBUG": "1",
        "PUENTE_FEEDBACK_KEYS": Fernet.generate_key().decode(),
        "PUENTE_MEDIA_ROOT": str(tmp_path / "media"),
        "PUENTE_COLUMNAR_DIR": str(tmp_path / "columnar"),
        "PUENTE_CACHE_DIR": str(tmp_path / "cache"),
        "PUENTE_LANGUAGE": "en",
    }
    result = _puente(env, "restore", str(backup), check=False)
    assert result.returncode != 0
    assert "do not open the restored complaints" in result.stderr
