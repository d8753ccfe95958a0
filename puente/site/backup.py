"""`puente backup` and `puente restore` (docs/deploy.md, "Backups").

A backup is a folder: the database (PostgreSQL: `pg_dump` in its custom format; SQLite: a
copy made with SQLite's online backup), the uploaded files and attachments (`media/`, as
stored: feedback attachments stay encrypted), and `manifest.json`: what the backup holds,
each file's size and SHA-256, the rows of every table and the migrations applied. The
feedback keys are never in it: a restored server opens the complaints only with the keys
of the server that sealed them (PUENTE_FEEDBACK_KEYS), kept apart from the backups.

On PostgreSQL the row counts and the dump read one snapshot (`pg_export_snapshot`), so
the manifest describes exactly what was dumped even while the server keeps writing.

A restore checks every checksum first, refuses a database that already holds tables
unless forced, loads the database and the files, checks every table's rows against the
manifest, checks that the feedback keys of this server open the complaints, and rebuilds
what is derived from the data: the consolidated cube and its columnar copy, and the
cached figures."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connection, connections
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone
from django.utils.translation import gettext as _

FORMAT = 1
MANIFEST = "manifest.json"
PG_DUMP = "database.dump"
SQLITE_COPY = "database.sqlite3"
MEDIA = "media"
# How long a SQLite backup waits for a writer to let go before it gives up.
LOCKED_SECONDS = 120


class BackupError(Exception):
    """A backup or a restore that cannot go on; the message says why."""


@dataclass
class RestoreReport:
    tables: int = 0
    rows: int = 0
    files: int = 0
    years_rebuilt: list[int] = field(default_factory=list)
    cube_cells: int = 0
    complaints_checked: int = 0
    complaints_open: bool = True


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1024 * 1024), b""):
            digest.update(block)
    return digest.hexdigest()


def _pg_counts(execute: Any) -> dict[str, int]:
    """Rows of every table of the current schema; `execute(sql)` gives the rows."""
    names = [
        r[0] for r in execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
    ]
    counts = {}
    for name in sorted(names):
        quoted = '"' + name.replace('"', '""') + '"'
        counts[name] = int(execute(f"SELECT COUNT(*) FROM {quoted}")[0][0])  # noqa: S608
    return counts


def _sqlite_counts(db: sqlite3.Connection) -> dict[str, int]:
    names = [
        r[0]
        for r in db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    ]
    return {
        name: int(db.execute(f'SELECT COUNT(*) FROM "{name}"').fetchone()[0])  # noqa: S608
        for name in sorted(names)
    }


def table_counts() -> dict[str, int]:
    """Rows of every table of the default database."""
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        return _sqlite_counts(connection.connection)
    with connection.cursor() as cursor:

        def execute(sql: str) -> list[tuple[Any, ...]]:
            cursor.execute(sql)
            return list(cursor.fetchall())

        return _pg_counts(execute)


def _engine() -> str:
    return str(connection.vendor)


def _pg_env() -> tuple[list[str], dict[str, str]]:
    """Connection arguments and environment of pg_dump / pg_restore for the default
    database (the test database in tests)."""
    conf = connection.settings_dict
    args = ["--dbname", conf["NAME"]]
    if conf.get("HOST"):
        args += ["--host", str(conf["HOST"])]
    if conf.get("PORT"):
        args += ["--port", str(conf["PORT"])]
    if conf.get("USER"):
        args += ["--username", str(conf["USER"])]
    env = {**os.environ}
    if conf.get("PASSWORD"):
        env["PGPASSWORD"] = str(conf["PASSWORD"])
    return args, env


def _run(command: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        raise BackupError(
            _("%(command)s failed: %(error)s")
            % {"command": command[0], "error": (result.stderr or result.stdout).strip()[-2000:]}
        )


@contextmanager
def _pg_snapshot() -> Iterator[tuple[str, dict[str, int]]]:
    """A snapshot of the database held open, its id and the rows of every table in it."""
    import psycopg

    conf = connection.settings_dict
    with psycopg.connect(
        dbname=conf["NAME"],
        host=conf.get("HOST") or None,
        port=conf.get("PORT") or None,
        user=conf.get("USER") or None,
        password=conf.get("PASSWORD") or None,
    ) as raw:
        raw.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        row = raw.execute("SELECT pg_export_snapshot()").fetchone()
        assert row is not None  # noqa: S101
        counts = _pg_counts(lambda sql: raw.execute(sql).fetchall())
        yield str(row[0]), counts
        raw.execute("COMMIT")


def _media_files(root: Path) -> list[Path]:
    if not root.is_dir():
        return []
    skip = {Path(settings.PUENTE_DEV_FEEDBACK_KEY_FILE).resolve()}
    return sorted(
        p for p in root.rglob("*") if p.is_file() and not p.is_symlink() and p.resolve() not in skip
    )


def _migrations() -> dict[str, str]:
    latest: dict[str, str] = {}
    for app, name in MigrationRecorder(connection).applied_migrations():
        latest[app] = max(latest.get(app, ""), name)
    return dict(sorted(latest.items()))


def backup_create(out: Path) -> dict[str, Any]:
    """Write a backup into `out` (a new or empty folder); its manifest."""
    out = Path(out)
    if out.exists() and any(out.iterdir()):
        raise BackupError(_("%(folder)s is not empty: give a new folder.") % {"folder": out})
    out.mkdir(parents=True, exist_ok=True)
    engine = _engine()
    if engine == "postgresql":
        if not shutil.which("pg_dump"):
            raise BackupError(_("pg_dump is not installed (PostgreSQL's client programs)."))
        database = out / PG_DUMP
        args, env = _pg_env()
        with _pg_snapshot() as (snapshot, counts):
            _run(
                [
                    "pg_dump",
                    "--format=custom",
                    "--no-owner",
                    "--no-privileges",
                    f"--snapshot={snapshot}",
                    "--file",
                    str(database),
                    *args,
                ],
                env,
            )
        return _backup_finish(out, engine, database, counts)
    if engine == "sqlite":
        database = out / SQLITE_COPY
        if connection.in_atomic_block:
            _sqlite_copy_in_transaction(database)
        else:
            _sqlite_copy(database)
        copy = sqlite3.connect(database)
        try:
            counts = _sqlite_counts(copy)
        finally:
            copy.close()
    else:
        raise BackupError(_("Backups are made of PostgreSQL or SQLite databases only."))
    return _backup_finish(out, engine, database, counts)


def _sqlite_copy_in_transaction(database: Path) -> None:
    """Within a transaction of the caller's (SQLite takes its write lock at BEGIN, so no
    other connection may read meanwhile): what that transaction sees, dumped as SQL
    through its own connection into a new database file."""
    connection.ensure_connection()
    target = sqlite3.connect(database, isolation_level=None)
    try:
        target.execute("BEGIN")
        for statement in connection.connection.iterdump():
            if statement in ("BEGIN TRANSACTION;", "COMMIT;"):
                continue
            target.execute(statement)
        target.execute("COMMIT")
    finally:
        target.close()


def _sqlite_copy(database: Path) -> None:
    """SQLite's online backup from a connection of its own: a consistent copy of what is
    committed while the server keeps writing."""
    name = str(connection.settings_dict["NAME"])
    source = sqlite3.connect(name, uri=name.startswith("file:"))
    target = sqlite3.connect(database)
    deadline = time.monotonic() + LOCKED_SECONDS

    def progress(status: int, remaining: int, total: int) -> None:
        # SQLite retries a step while a writer holds the database: not for ever.
        if time.monotonic() > deadline:
            raise BackupError(
                _("The database stayed locked by a writer for %(seconds)s seconds.")
                % {"seconds": LOCKED_SECONDS}
            )

    try:
        source.backup(target, pages=1024, progress=progress)
    finally:
        target.close()
        source.close()


def _backup_finish(
    out: Path, engine: str, database: Path, counts: dict[str, int]
) -> dict[str, Any]:
    """The media files and the manifest beside the database."""
    files = []
    media_root = Path(settings.MEDIA_ROOT)
    for source in _media_files(media_root):
        relative = source.relative_to(media_root)
        target_path = out / MEDIA / relative
        target_path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target_path)
        files.append(
            {
                "path": relative.as_posix(),
                "size": target_path.stat().st_size,
                "sha256": _sha256(target_path),
            }
        )
    manifest = {
        "format": FORMAT,
        "created_at": timezone.now().isoformat(timespec="seconds"),
        "engine": engine,
        "database": {
            "file": database.name,
            "size": database.stat().st_size,
            "sha256": _sha256(database),
        },
        "migrations": _migrations(),
        "tables": counts,
        "files": files,
        # Never the keys themselves: they are kept apart from the backups.
        "feedback_keys": "not included",
    }
    (out / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
    return manifest


def backup_verify(source: Path) -> dict[str, Any]:
    """The manifest of the backup in `source`, once every checksum it lists is checked."""
    source = Path(source)
    try:
        manifest = json.loads((source / MANIFEST).read_text())
    except (OSError, ValueError) as error:
        raise BackupError(
            _("%(folder)s holds no readable manifest.json: %(error)s")
            % {"folder": source, "error": error}
        ) from error
    if manifest.get("format") != FORMAT:
        raise BackupError(_("This backup's format is not one this version reads."))
    entries = [(manifest["database"]["file"], manifest["database"])] + [
        (f"{MEDIA}/{f['path']}", f) for f in manifest["files"]
    ]
    for name, entry in entries:
        path = source / name
        if not path.is_file():
            raise BackupError(_("%(file)s is missing from the backup.") % {"file": name})
        if path.stat().st_size != entry["size"] or _sha256(path) != entry["sha256"]:
            raise BackupError(
                _("%(file)s differs from the backup's manifest (size or checksum).")
                % {"file": name}
            )
    return manifest


def _pg_empty_schema() -> None:
    with connection.cursor() as cursor:
        cursor.execute("DROP SCHEMA public CASCADE")
        cursor.execute("CREATE SCHEMA public")


def _complaints_open() -> tuple[int, bool]:
    """How many sealed complaints were tried, and whether this server's keys open them."""
    from puente.core.errors import ApplicationError
    from puente.feedback.models import Feedback
    from puente.feedback.services.crypto import unseal

    tokens = list(
        Feedback.objects.exclude(text_sealed="")
        .order_by("pk")
        .values_list("text_sealed", flat=True)
    )
    for token in tokens:
        try:
            unseal(token)
        except ApplicationError:
            return len(tokens), False
    return len(tokens), True


def _rebuild_derived(report: RestoreReport) -> None:
    from puente.analytics.services.cube import cube_refresh, cube_version_bump
    from puente.reference.models import Country
    from puente.reporting.models import ActivityRow

    countries = list(Country.objects.values_list("pk", flat=True))
    years = sorted({d.year for d in ActivityRow.objects.dates("month", "year")})
    for year in years:
        report.cube_cells += cube_refresh(country_ids=countries, year=year)
    report.years_rebuilt = years
    cube_version_bump()
    cache.clear()


def backup_restore(source: Path, *, force: bool = False) -> RestoreReport:
    """Load the backup in `source` into the default database and the media folder."""
    source = Path(source)
    manifest = backup_verify(source)
    engine = _engine()
    if manifest["engine"] != engine:
        raise BackupError(
            _("This backup is of a %(backup)s database; this server uses %(server)s.")
            % {"backup": manifest["engine"], "server": engine}
        )
    if table_counts() and not force:
        raise BackupError(
            _(
                "The database already holds tables: restore into an empty database, or "
                "give --force to replace everything in it."
            )
        )
    database = source / manifest["database"]["file"]
    if engine == "postgresql":
        if not shutil.which("pg_restore"):
            raise BackupError(_("pg_restore is not installed (PostgreSQL's client programs)."))
        if force:
            _pg_empty_schema()
        connections.close_all()
        args, env = _pg_env()
        _run(
            [
                "pg_restore",
                "--no-owner",
                "--no-privileges",
                "--exit-on-error",
                *args,
                str(database),
            ],
            env,
        )
    else:
        name = connection.settings_dict["NAME"]
        if not isinstance(name, str | Path) or str(name).startswith(("file:", ":memory:")):
            raise BackupError(_("A restore needs a database file."))
        connections.close_all()
        for suffix in ("-wal", "-shm"):
            Path(f"{name}{suffix}").unlink(missing_ok=True)
        shutil.copyfile(database, name)
    media_root = Path(settings.MEDIA_ROOT)
    for entry in manifest["files"]:
        target = media_root / entry["path"]
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source / MEDIA / entry["path"], target)
    report = RestoreReport(files=len(manifest["files"]))
    counts = table_counts()
    expected = manifest["tables"]
    differ = sorted(
        name for name in set(counts) | set(expected) if counts.get(name) != expected.get(name)
    )
    if differ:
        raise BackupError(
            _("After the restore these tables differ from the backup's manifest: %(tables)s")
            % {"tables": ", ".join(differ[:20])}
        )
    report.tables = len(counts)
    report.rows = sum(counts.values())
    report.complaints_checked, report.complaints_open = _complaints_open()
    _rebuild_derived(report)
    return report


def restore_summary(report: RestoreReport) -> str:
    return _(
        "Restored %(tables)s tables (%(rows)s rows, each table's count as in the backup) and "
        "%(files)s files; cube rebuilt for %(years)s (%(cells)s cells)."
    ) % {
        "tables": report.tables,
        "rows": f"{report.rows:,}",
        "files": report.files,
        "years": ", ".join(str(y) for y in report.years_rebuilt) or "–",
        "cells": f"{report.cube_cells:,}",
    }
