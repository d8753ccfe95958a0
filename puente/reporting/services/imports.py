"""5W imports: a file (or a list of rows from the API or a form) in, a report out.

Policies: `reject-file` writes nothing when any row has an error; `keep-good-rows`
writes the valid rows and reports the others. Either way the write is one transaction,
so a process killed half-way leaves the database as it was.

A running import beats a heartbeat into the shared cache; `batch_fail_stale` (run by
`puente worker` at start-up and every minute) marks a running batch whose heartbeat
stopped as failed: the process that ran it died (a file above the worker's memory
limit), and nothing of it was written."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from puente.accounts.permissions import Actor, signed_in
from puente.core.codes import CoreCode
from puente.core.imports import (
    ImportFileError,
    ImportPolicy,
    ImportReport,
    RowError,
    import_audit_record,
)
from puente.core.observability.metrics import import_metered
from puente.core.tabular import read_table
from puente.core.workbooks import OLE_MAGIC, expanded_size
from puente.reporting.codes import ReportingCode
from puente.reporting.models import ActivityRow, ImportBatch, PeriodLock, RowStatus
from puente.reporting.services.columns import COLUMNS, EXPORT_ONLY_COLUMNS, ValidRow
from puente.reporting.services.validation import RowValidator
from puente.reporting.services.writer import existing_rows, row_unchanged, rows_write
from puente.reporting.signals import validated_rows_announce

POLICIES = tuple(ImportPolicy)
PROGRESS_EVERY = 5000
# Imports of at least this many new rows refresh the 5W table's statistics (PostgreSQL).
ANALYZE_AFTER_ROWS = 50_000


def progress_key(batch_id: int) -> str:
    return f"puente:import-progress:{batch_id}"


def heartbeat_key(batch_id: int) -> str:
    return f"puente:import-heartbeat:{batch_id}"


HEARTBEAT_EVERY = 10  # seconds; PUENTE_IMPORT_HEARTBEAT_TIMEOUT is several of these


@contextmanager
def _heartbeat(batch_id: int) -> Iterator[None]:
    """While the block runs, a thread records every few seconds that this process is
    still importing the batch. The beat stops when the process dies, whatever kills it."""
    stop = threading.Event()
    timeout = settings.PUENTE_IMPORT_HEARTBEAT_TIMEOUT * 4

    def beat() -> None:
        while True:
            cache.set(heartbeat_key(batch_id), time.time(), timeout)
            if stop.wait(HEARTBEAT_EVERY):
                return

    cache.set(heartbeat_key(batch_id), time.time(), timeout)
    thread = threading.Thread(target=beat, name=f"import-heartbeat-{batch_id}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()
        cache.delete(heartbeat_key(batch_id))


def batch_fail_stale(*, now: float | None = None) -> list[int]:
    """Mark as failed every running batch whose heartbeat is older than
    PUENTE_IMPORT_HEARTBEAT_TIMEOUT (or gone): its process died without finishing, and
    its one transaction was never committed. Returns the batches marked."""
    now = time.time() if now is None else now
    timeout = settings.PUENTE_IMPORT_HEARTBEAT_TIMEOUT
    failed = []
    for batch in ImportBatch.objects.filter(state=ImportBatch.State.RUNNING):
        beat = cache.get(heartbeat_key(batch.pk))
        if beat is not None and now - float(beat) <= timeout:
            continue
        if beat is None and now - batch.created_at.timestamp() <= timeout:
            continue  # started this very moment, before its first beat was read
        with translation.override(batch.language):
            error = RowError(
                row=None,
                column=None,
                code=ReportingCode.IMPORT_DIED,
                message=ReportingCode.IMPORT_DIED.text(),
            )
            report = {**(batch.report or {}), "errors": [error.as_dict()]}
        changed = ImportBatch.objects.filter(pk=batch.pk, state=ImportBatch.State.RUNNING).update(
            state=ImportBatch.State.FAILED, finished_at=timezone.now(), report=report
        )
        if changed:
            failed.append(batch.pk)
            cache.delete(progress_key(batch.pk))
    return failed


def batch_runs_inline(batch: ImportBatch) -> bool:
    """Whether the web request may import the batch while the page waits: the file, and
    what it expands to when opened (a workbook is a ZIP archive), is at most
    PUENTE_INLINE_IMPORT_BYTES. Anything larger, and any XLS workbook, is read by
    `puente worker`, under its memory limit."""
    limit = settings.PUENTE_INLINE_IMPORT_BYTES
    if not batch.file or batch.file.size > limit:
        return not batch.file
    with batch.file.open("rb") as handle:
        # An XLS workbook (OLE) is not measured before it is read: only the worker reads
        # it. Otherwise the archive's directory is read, never the whole file.
        if handle.read(len(OLE_MAGIC)) == OLE_MAGIC:
            return False
        return expanded_size(handle) <= limit


def batch_progress(batch_id: int) -> dict[str, Any]:
    return cache.get(progress_key(batch_id)) or {"phase": "queued", "done": 0, "total": 0}


def _publish(
    batch: ImportBatch | None,
    phase: str,
    done: int,
    total: int,
    callback: Callable[[str, int, int], None] | None,
) -> None:
    if batch is not None and batch.pk:
        cache.set(progress_key(batch.pk), {"phase": phase, "done": done, "total": total}, 3600)
    if callback:
        callback(phase, done, total)


def batch_create(
    *,
    acting_user: Actor | None,
    filename: str,
    content: bytes | None,
    source: str,
    policy: str = ImportPolicy.REJECT_FILE,
    status: str = RowStatus.SUBMITTED,
    dry_run: bool = False,
) -> ImportBatch:
    """Record an import and keep its file before anything is validated."""
    batch = ImportBatch(
        created_by=signed_in(acting_user),
        filename=filename[:255],
        source=source,
        policy=policy,
        target_status=status,
        dry_run=dry_run,
        language=translation.get_language() or "en",
    )
    if content is not None:
        batch.file.save(Path(filename).name or "upload", ContentFile(content), save=False)
    batch.save()
    return batch


# Every 5W import ends here (a file, the API, the row form): /metrics counts its rows.
@import_metered("5w")
def rows_import(
    *,
    rows: Iterable[tuple[int, dict[str, Any]]],
    acting_user: Actor | None,
    policy: str = ImportPolicy.REJECT_FILE,
    status: str = RowStatus.SUBMITTED,
    dry_run: bool = False,
    batch: ImportBatch | None = None,
    total: int = 0,
    report: ImportReport | None = None,
    progress: Callable[[str, int, int], None] | None = None,
    filename: str = "",
) -> ImportReport:
    """Validate numbered rows and write them according to the policy. Each row must lie
    within the acting user's reporting scope (`not_allowed`; None: the command line).
    An import of a file or through the API (`filename`, or a batch) that writes is
    audited; a row saved from the form has its own history."""
    if policy not in POLICIES:
        raise ValueError(f"unknown policy {policy}")
    report = report or ImportReport(dry_run=dry_run)
    validator = RowValidator(acting_user=acting_user)
    valid, bad_rows = _rows_validate(
        rows, validator, report, batch=batch, total=total, progress=progress
    )
    rejected = bool(report.errors) and policy == ImportPolicy.REJECT_FILE
    if rejected or not valid:
        return _finish(batch, report, rejected=len(bad_rows) or report.rows)
    if dry_run:
        _dry_run_count(valid, report, status=status)
        return _finish(batch, report, rejected=len(bad_rows))
    _publish(batch, "writing", 0, len(valid), progress)
    with transaction.atomic():
        locked = _locked_meanwhile(valid, report)
        if locked:
            transaction.set_rollback(True)
        else:
            _write(
                valid,
                report,
                status=status,
                acting_user=acting_user,
                batch=batch,
                progress=progress,
                bad_rows=len(bad_rows),
            )
            name = batch.filename if batch is not None else filename
            if name:
                import_audit_record(
                    acting_user=acting_user, kind="5w", filename=name, report=report
                )
    if locked:  # recorded outside the rolled-back transaction
        return _finish(batch, report, rejected=len(valid))
    _publish(None, "done", report.rows, report.rows, progress)
    return report


def _rows_validate(
    rows: Iterable[tuple[int, dict[str, Any]]],
    validator: RowValidator,
    report: ImportReport,
    *,
    batch: ImportBatch | None,
    total: int,
    progress: Callable[[str, int, int], None] | None,
) -> tuple[list[ValidRow], set[int]]:
    """Every row checked, before anything is written: the valid rows, and the numbers of
    the rows with errors (those the reader skipped included)."""
    valid: list[ValidRow] = []
    bad_rows: set[int] = set()
    for number, raw in rows:
        if report.rows == 0 and _is_hxl_hashtag_row(raw):
            continue
        report.rows += 1
        errors_before = len(report.errors)
        row = validator.validate(number, raw, report)
        if row is not None:
            valid.append(row)
        elif len(report.errors) > errors_before:
            bad_rows.add(number)
        if report.rows % PROGRESS_EVERY == 0:
            _publish(batch, "validating", report.rows, max(total, report.rows), progress)
    if report.rows == 0 and not report.errors:
        report.errors.append(
            RowError(
                row=2,
                column=None,
                code=CoreCode.EMPTY_FILE,
                message=_("The file has no data rows."),
            )
        )
    # Rows the reader reported and skipped (a cell above PUENTE_IMPORT_MAX_CELL_CHARS).
    bad_rows |= {e.row for e in report.errors if e.code == CoreCode.CELL_TOO_LARGE and e.row}
    return valid, bad_rows


def _dry_run_count(valid: list[ValidRow], report: ImportReport, *, status: str) -> None:
    """What writing the valid rows would do: new rows, replaced rows, unchanged rows."""
    existing = existing_rows(valid)
    matched = [r for r in valid if r.key in existing]
    report.unchanged = sum(1 for r in matched if row_unchanged(r, existing[r.key], status=status))
    report.updated = len(matched) - report.unchanged
    report.imported = len(valid) - len(matched)


def _locked_meanwhile(valid: list[ValidRow], report: ImportReport) -> bool:
    """`period_locked` on each valid row whose month was locked for its country while the
    file was being validated (read inside the writing transaction)."""
    pairs = {(r.country_id, r.month) for r in valid}
    locked = (
        set(
            PeriodLock.objects.filter(country_id__in={c for c, _m in pairs}).values_list(
                "country_id", "month"
            )
        )
        & pairs
    )
    for row in valid:
        if (row.country_id, row.month) in locked:
            report.errors.append(
                RowError(
                    row=row.number,
                    column="month",
                    code=ReportingCode.PERIOD_LOCKED,
                    message=_("This month was locked while the file was being read."),
                )
            )
    return bool(locked)


def _write(
    valid: list[ValidRow],
    report: ImportReport,
    *,
    status: str,
    acting_user: Actor | None,
    batch: ImportBatch | None,
    progress: Callable[[str, int, int], None] | None,
    bad_rows: int,
) -> None:
    """Write the valid rows inside the caller's transaction; refresh the cube on commit."""
    validated_before = _validated_pairs(valid)
    report.imported, report.updated, report.unchanged = rows_write(
        rows=valid,
        status=status,
        acting_user=acting_user,
        batch=batch,
        progress=lambda done: _publish(batch, "writing", done, len(valid), progress),
    )
    if batch is not None:
        _finish(batch, report, rejected=bad_rows)
    changed = validated_before | (
        {(r.country_id, r.month) for r in valid} if status == RowStatus.VALIDATED else set()
    )
    if report.imported >= ANALYZE_AFTER_ROWS and connection.vendor == "postgresql":
        # A large import changes the table's statistics: refresh them before the cube
        # (and later queries) plan on stale ones. ANALYZE samples; it takes a second.
        transaction.on_commit(_analyze_rows)
    if changed:
        validated_rows_announce(changed)


def _analyze_rows() -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {ActivityRow._meta.db_table}")  # noqa: S608


def _is_hxl_hashtag_row(raw: dict[str, Any]) -> bool:
    """The second header row of an HXL file (#date+month, #country+code ...)."""
    texts = [str(v) for v in raw.values() if v not in (None, "")]
    return bool(texts) and all(t.startswith("#") for t in texts)


def _validated_pairs(rows: list[ValidRow]) -> set[tuple[int, Any]]:
    """The file's (country, month) pairs that hold validated rows: replacing one of them
    changes the consolidated figures even when the new rows are not validated."""
    pairs = {(r.country_id, r.month) for r in rows}
    if not pairs:
        return set()
    found = (
        ActivityRow.objects.filter(
            status=RowStatus.VALIDATED,
            country_id__in={c for c, _m in pairs},
            month__in={m for _c, m in pairs},
        )
        .values_list("country_id", "month")
        .distinct()
    )
    return set(found) & pairs


def _finish(batch: ImportBatch | None, report: ImportReport, *, rejected: int) -> ImportReport:
    if batch is None:
        return report
    batch.rows, batch.imported, batch.updated = report.rows, report.imported, report.updated
    batch.rejected = rejected
    batch.report = {**report.as_dict(), "errors": report.as_dict()["errors"][:5000]}
    written = report.imported + report.updated
    nothing_written = batch.policy == ImportPolicy.REJECT_FILE or not written or batch.dry_run
    rejected_file = bool(report.errors) and nothing_written
    batch.state = ImportBatch.State.REJECTED if rejected_file else ImportBatch.State.DONE
    batch.finished_at = timezone.now()
    batch.save()
    _publish(batch, "done", report.rows, report.rows, None)
    return report


def file_import(
    *,
    source: Path | bytes | IO[bytes],
    filename: str,
    acting_user: Actor | None = None,
    policy: str = ImportPolicy.REJECT_FILE,
    status: str = RowStatus.SUBMITTED,
    dry_run: bool = False,
    batch: ImportBatch | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> ImportReport:
    """Import a 5W file (CSV, XLSX, XLS, ODS)."""
    report = ImportReport(dry_run=dry_run)
    try:
        table = read_table(
            source,
            filename=filename,
            columns=(*COLUMNS, *EXPORT_ONLY_COLUMNS),
            report=report,
        )
        return rows_import(
            rows=table,
            acting_user=acting_user,
            policy=policy,
            status=status,
            dry_run=dry_run,
            batch=batch,
            total=table.estimated_rows,
            report=report,
            progress=progress,
            filename=filename,
        )
    except ImportFileError as exc:
        # Raised while reading (the header, or a row the reader cannot read): rows are
        # all read before anything is written, so nothing was.
        report.errors.extend(exc.errors)
        report.imported = report.updated = 0
        return _finish(batch, report, rejected=report.rows)


def batch_run(batch_id: int) -> ImportReport:
    """Run a recorded import (from the web upload or the background task)."""
    batch = ImportBatch.objects.select_related("created_by").get(pk=batch_id)
    try:
        with (
            _heartbeat(batch.pk),
            translation.override(batch.language),
            batch.file.open("rb") as handle,
        ):
            batch.state = ImportBatch.State.RUNNING
            batch.save(update_fields=["state"])
            return file_import(
                source=handle,
                filename=batch.filename,
                acting_user=batch.created_by,
                policy=batch.policy,
                status=batch.target_status,
                dry_run=batch.dry_run,
                batch=batch,
            )
    except Exception:
        # A database that went away and came back: a new connection records the failure
        # (if it is still away, `batch_fail_stale` will once the heartbeat is old).
        connection.close_if_unusable_or_obsolete()
        with translation.override(batch.language):
            error = RowError(
                row=None,
                column=None,
                code=ReportingCode.IMPORT_FAILED,
                message=ReportingCode.IMPORT_FAILED.text(),
            )
            report = {**(batch.report or {}), "errors": [error.as_dict()]}
        ImportBatch.objects.filter(pk=batch_id).update(
            state=ImportBatch.State.FAILED, finished_at=timezone.now(), report=report
        )
        raise
