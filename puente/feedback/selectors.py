"""Reads of feedback: lists in the reader's scope, the permission-scoped fetch, the
decrypted contents (audited for sensitive items), the status by receipt code and the
dashboard aggregates (sensitive cells under MIN_CELL suppressed)."""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import pgettext_lazy

from puente.accounts.permissions import (
    Action,
    Actor,
    check,
    check_somewhere,
    scope_filter,
    user_can,
    user_can_somewhere,
)
from puente.core.errors import NotFound, PermissionDenied
from puente.core.i18n import active_language
from puente.core.models import AuditRecord
from puente.core.services import audit_record
from puente.feedback.models import Feedback, FeedbackAttachment, FeedbackStatus
from puente.feedback.services.crypto import unseal
from puente.feedback.services.deadlines import overdue_filter
from puente.feedback.services.intake import receipt_hash
from puente.feedback.services.notifications import feedback_target

# Dashboards and exports show a count of sensitive complaints only from this size up.
MIN_CELL = 5
SCOPE_LOOKUPS: dict[str, Any] = {
    "country": "country",
    "sector": "sector",
    "organisations": ("organisation",),
}


def feedback_visible_filter(user: Actor) -> Q:
    """Items `user` may read: sensitive ones through VIEW_SENSITIVE_FEEDBACK only."""
    ordinary = Q(sensitive=False) & scope_filter(user, Action.VIEW_FEEDBACK, **SCOPE_LOOKUPS)
    sensitive = Q(sensitive=True) & scope_filter(
        user, Action.VIEW_SENSITIVE_FEEDBACK, **SCOPE_LOOKUPS
    )
    return ordinary | sensitive


@dataclass(frozen=True)
class FeedbackFilters:
    status: str = ""
    type_code: str = ""
    channel_code: str = ""
    country_iso3: str = ""
    sector_code: str = ""
    overdue: bool = False


def feedback_list(*, user: Actor, filters: FeedbackFilters | None = None) -> QuerySet[Feedback]:
    filters = filters or FeedbackFilters()
    items = Feedback.objects.filter(feedback_visible_filter(user)).select_related(
        "type", "channel", "country", "sector", "organisation"
    )
    if filters.status:
        items = items.filter(status=filters.status)
    if filters.type_code:
        items = items.filter(type__code=filters.type_code)
    if filters.channel_code:
        items = items.filter(channel__code=filters.channel_code)
    if filters.country_iso3:
        items = items.filter(country__iso3=filters.country_iso3)
    if filters.sector_code:
        items = items.filter(sector__code=filters.sector_code)
    if filters.overdue:
        items = items.filter(overdue_filter())
    return items.order_by("-received_at", "-pk")


def access_feedback(user: Actor, feedback_id: int) -> Feedback:
    """Load an item `user` may read. PermissionDenied when the user reads no feedback
    anywhere; NotFound both for an item that does not exist and for one outside what the
    user may read (a sensitive complaint for a CFM operator, another country's item)."""
    if not (
        user_can_somewhere(user, Action.VIEW_FEEDBACK)
        or user_can_somewhere(user, Action.VIEW_SENSITIVE_FEEDBACK)
    ):
        raise PermissionDenied()
    item = (
        Feedback.objects.select_related(
            "type",
            "channel",
            "country",
            "admin1",
            "sector",
            "organisation",
            "population_group",
            "referred_to_org",
            "referred_to_sector",
        )
        .filter(pk=feedback_id)
        .first()
    )
    if item is None:
        raise NotFound()
    action = Action.VIEW_SENSITIVE_FEEDBACK if item.sensitive else Action.VIEW_FEEDBACK
    if not user_can(user, action, feedback_target(item)):
        raise NotFound()
    return item


@dataclass(frozen=True)
class FeedbackContents:
    text: str
    name: str
    contact: str
    answer: str


def feedback_contents_read(
    *, user: Actor, item: Feedback, purpose: str = "view"
) -> FeedbackContents:
    """The decrypted contents, after the access check; a read of a sensitive item is
    written to the audit trail (who, which item, why)."""
    access_feedback(user, item.pk)
    contents = FeedbackContents(
        text=unseal(item.text_sealed),
        name=unseal(item.name_sealed),
        contact=unseal(item.contact_sealed),
        answer=unseal(item.answer_sealed),
    )
    if item.sensitive:
        audit_record(
            acting_user=user,
            action="feedback.read_sensitive",
            target=item,
            data={"purpose": purpose},
        )
    return contents


def feedback_excerpts(items: list[Feedback], *, length: int = 120) -> dict[int, str]:
    """Excerpts for a list page: ordinary items only (a sensitive item is read on its own
    page, where the read is audited)."""
    excerpts: dict[int, str] = {}
    for item in items:
        if item.sensitive:
            continue
        text = unseal(item.text_sealed)
        excerpts[item.pk] = text if len(text) <= length else text[: length - 1] + "…"
    return excerpts


def access_feedback_attachment(user: Actor, attachment_id: int) -> tuple[FeedbackAttachment, bytes]:
    from puente.feedback.services.crypto import unseal_bytes

    attachment = FeedbackAttachment.objects.filter(pk=attachment_id).first()
    if attachment is None:
        raise NotFound()
    item = access_feedback(user, attachment.feedback_id)
    with attachment.file.open("rb") as handle:
        content = unseal_bytes(handle.read())
    if item.sensitive:
        audit_record(
            acting_user=user,
            action="feedback.read_sensitive",
            target=item,
            data={"purpose": "attachment", "attachment": attachment.pk},
        )
    return attachment, content


HISTORY_LABELS: dict[str, Any] = {
    "feedback.create": pgettext_lazy("feedback history", "received"),
    "feedback.acknowledge": pgettext_lazy("feedback history", "acknowledged"),
    "feedback.refer": pgettext_lazy("feedback history", "referred"),
    "feedback.respond": pgettext_lazy("feedback history", "answer recorded"),
    "feedback.close": pgettext_lazy("feedback history", "closed"),
    "feedback.code": pgettext_lazy("feedback history", "coding corrected"),
    "feedback.read_sensitive": pgettext_lazy("feedback history", "read"),
}


@dataclass(frozen=True)
class HistoryEntry:
    at: dt.datetime
    who: str
    what: str


def feedback_history(*, user: Actor, item: Feedback) -> list[HistoryEntry]:
    """Who did what to the item, and for a sensitive complaint who read it, from the
    audit trail (after the access check)."""
    access_feedback(user, item.pk)
    records = AuditRecord.objects.filter(
        target_type="feedback.feedback", target_id=str(item.pk)
    ).select_related("actor")
    return [
        HistoryEntry(
            at=record.created_at,
            who=record.actor.email if record.actor else "",
            what=str(HISTORY_LABELS.get(record.action, record.action)),
        )
        for record in records.order_by("created_at", "pk")
    ]


def feedback_by_receipt(code: str) -> Feedback | None:
    """The item a receipt code belongs to (what the person may see of it is decided by
    the status page)."""
    if not code.strip():
        return None
    return Feedback.objects.select_related("type").filter(receipt_hash=receipt_hash(code)).first()


# Dashboard ---------------------------------------------------------------------------


def _name(row: Any, prefix: str) -> str:
    language = active_language()
    return str(row.get(f"{prefix}__name_{language}") or row.get(f"{prefix}__name_en") or "")


def _suppress(count: int) -> int | None:
    """None for a count of sensitive complaints too small to show (1 to MIN_CELL - 1)."""
    return count if count == 0 or count >= MIN_CELL else None


@dataclass(frozen=True)
class VolumeRow:
    key: str
    label: str
    count: int
    sensitive: int | None  # None: suppressed (1 to MIN_CELL - 1)
    has_sensitive: bool


def _volumes(items: QuerySet[Feedback], prefix: str, key: str) -> list[VolumeRow]:
    rows = items.values(
        f"{prefix}__{key}",
        f"{prefix}__name_en",
        f"{prefix}__name_es",
        f"{prefix}__name_pt",
        "sensitive",
    ).annotate(n=Count("pk"))
    merged: dict[str, dict[str, Any]] = {}
    for row in rows:
        code = row[f"{prefix}__{key}"] or ""
        entry = merged.setdefault(
            code, {"label": _name(row, prefix) if code else "", "count": 0, "sensitive": 0}
        )
        entry["sensitive" if row["sensitive"] else "count"] += row["n"]
    return [
        VolumeRow(
            key=code,
            label=entry["label"],
            count=entry["count"],
            sensitive=_suppress(entry["sensitive"]),
            has_sensitive=entry["sensitive"] > 0,
        )
        for code, entry in sorted(merged.items(), key=lambda kv: (-kv[1]["count"], kv[0]))
    ]


def _type_volumes(items: QuerySet[Feedback]) -> list[VolumeRow]:
    """Per type, ordinary items and sensitive ones apart, by each item's own `sensitive`
    (fixed when it arrived), never by what its type says now."""
    rows = items.values(
        "type__code", "type__name_en", "type__name_es", "type__name_pt", "sensitive"
    ).annotate(n=Count("pk"))
    merged: dict[str, dict[str, Any]] = {}
    for row in rows:
        entry = merged.setdefault(
            row["type__code"], {"label": _name(row, "type"), "count": 0, "sensitive": 0}
        )
        entry["sensitive" if row["sensitive"] else "count"] += row["n"]
    return [
        VolumeRow(
            key=code,
            label=entry["label"],
            count=entry["count"],
            sensitive=_suppress(entry["sensitive"]),
            has_sensitive=entry["sensitive"] > 0,
        )
        for code, entry in sorted(merged.items())
    ]


def _status_volumes(items: QuerySet[Feedback]) -> list[VolumeRow]:
    """Items by status, in the order of the workflow."""
    counts: dict[tuple[str, bool], int] = {
        (status, sensitive): n
        for status, sensitive, n in items.values_list("status", "sensitive").annotate(n=Count("pk"))
    }
    return [
        VolumeRow(
            key=status.value,
            label=str(status.label),
            count=counts.get((status.value, False), 0),
            sensitive=_suppress(counts.get((status.value, True), 0)),
            has_sensitive=counts.get((status.value, True), 0) > 0,
        )
        for status in FeedbackStatus
    ]


def _monthly(items: QuerySet[Feedback], months: list[dt.date]) -> list[dict[str, Any]]:
    """Items received each month of `months`: ordinary ones, and sensitive complaints
    apart (None below MIN_CELL)."""
    since = dt.datetime.combine(months[0], dt.time(), tzinfo=dt.UTC)
    counts: dict[tuple[dt.date, bool], int] = defaultdict(int)
    for month, sensitive, n in (
        items.filter(received_at__gte=since)
        .annotate(month=TruncMonth("received_at"))
        .values_list("month", "sensitive")
        .annotate(n=Count("pk"))
    ):
        day = month.date() if isinstance(month, dt.datetime) else month
        counts[(day, sensitive)] += n
    return [
        {
            "month": m,
            "count": counts[(m, False)],
            "sensitive": _suppress(counts[(m, True)]),
            "has_sensitive": counts[(m, True)] > 0,
        }
        for m in months
    ]


def _days(start: dt.datetime, end: dt.datetime) -> float:
    return (end - start).total_seconds() / 86400


def _months(now: dt.datetime, count: int) -> list[dt.date]:
    months = []
    year, month = now.year, now.month
    for _i in range(count):
        months.append(dt.date(year, month, 1))
        month -= 1
        if month == 0:
            year, month = year - 1, 12
    return list(reversed(months))


def _trend(
    items: QuerySet[Feedback], prefix: str, label_field: str | None, months: list[dt.date]
) -> list[dict[str, Any]]:
    since = dt.datetime.combine(months[0], dt.time(), tzinfo=dt.UTC)
    fields = [f"{prefix}_id"]
    fields += (
        [f"{prefix}__{label_field}"]
        if label_field
        else [
            f"{prefix}__name_en",
            f"{prefix}__name_es",
            f"{prefix}__name_pt",
        ]
    )
    if prefix == "organisation":
        # "AVE-CO — Asociación de Venezolanos Encuentro": the acronym and the name in
        # the reader's language (the registered name where it has none).
        fields += [f"{prefix}__name", f"{prefix}__name_es", f"{prefix}__name_pt"]
    rows = (
        items.filter(sensitive=False, received_at__gte=since, **{f"{prefix}__isnull": False})
        .annotate(month=TruncMonth("received_at"))
        .values("month", *fields)
        .annotate(n=Count("pk"))
    )
    table: dict[int, dict[str, Any]] = {}
    for row in rows:
        month = row["month"].date() if isinstance(row["month"], dt.datetime) else row["month"]
        label = row[f"{prefix}__{label_field}"] if label_field else _name(row, prefix)
        if prefix == "organisation":
            language = active_language()
            name = (language != "en" and row.get(f"{prefix}__name_{language}")) or row[
                f"{prefix}__name"
            ]
            if name and name != label:
                label = f"{label} — {name}"
        entry = table.setdefault(
            row[f"{prefix}_id"], {"label": label, "counts": defaultdict(int), "total": 0}
        )
        entry["counts"][month] += row["n"]
        entry["total"] += row["n"]
    return [
        {"label": e["label"], "counts": [e["counts"][m] for m in months], "total": e["total"]}
        for e in sorted(table.values(), key=lambda e: (-e["total"], e["label"]))
    ]


def feedback_dashboard(*, user: Actor, now: dt.datetime | None = None) -> dict[str, Any]:
    """Volumes by type, channel, sector, country, status and month (the last 12); time
    to close; overdue; monthly trends per sector and organisation. Ordinary items are
    counted exactly; sensitive complaints apart, and only in cells of at least MIN_CELL.
    PermissionDenied for a user who reads feedback nowhere."""
    check_somewhere(user, Action.VIEW_FEEDBACK)
    now = now or timezone.now()
    items = Feedback.objects.filter(scope_filter(user, Action.VIEW_FEEDBACK, **SCOPE_LOOKUPS))
    closed = items.filter(status=FeedbackStatus.CLOSED, sensitive=False).values_list(
        "received_at", "closed_at"
    )
    durations = [_days(start, end) for start, end in closed if end is not None]
    overdue = dict(
        items.filter(overdue_filter(now)).values_list("sensitive").annotate(n=Count("pk"))
    )
    open_counts = dict(
        items.exclude(status=FeedbackStatus.CLOSED).values_list("sensitive").annotate(n=Count("pk"))
    )
    months = _months(now, 6)
    return {
        "by_type": _type_volumes(items),
        "by_channel": _volumes(items, "channel", "code"),
        "by_sector": _volumes(items, "sector", "code"),
        "by_country": _volumes(items, "country", "iso3"),
        "by_status": _status_volumes(items),
        "by_month": _monthly(items, _months(now, 12)),
        "closed": len(durations),
        "median_days_to_close": round(statistics.median(durations), 1) if durations else None,
        "open": open_counts.get(False, 0),
        "overdue": overdue.get(False, 0),
        "overdue_sensitive": _suppress(overdue.get(True, 0)),
        "has_overdue_sensitive": overdue.get(True, 0) > 0,
        "months": months,
        "trend_by_sector": _trend(items, "sector", None, months),
        "trend_by_organisation": _trend(items, "organisation", "acronym", months),
    }


AGGREGATE_HEADERS = [
    "month",
    "country",
    "sector",
    "type",
    "channel",
    "feedback",
    "closed",
]
AGGREGATE_HXL = [
    "#date+month",
    "#country+code",
    "#sector+code",
    "#meta+type",
    "#meta+channel",
    "#indicator+feedback+num",
    "#indicator+closed+num",
]


def feedback_aggregate_rows(*, user: Actor) -> list[list[Any]]:
    """Counts per month, country, sector, type and channel for the export. Sensitive
    complaints are counted per month and country only, and left out below MIN_CELL;
    no content of any item is ever part of it. PermissionDenied for a user who reads
    feedback nowhere."""
    check_somewhere(user, Action.VIEW_FEEDBACK)
    items = Feedback.objects.filter(scope_filter(user, Action.VIEW_FEEDBACK, **SCOPE_LOOKUPS))
    closed_q = Q(status=FeedbackStatus.CLOSED)
    ordinary = (
        items.filter(sensitive=False)
        .annotate(month=TruncMonth("received_at"))
        .values("month", "country__iso3", "sector__code", "type__code", "channel__code")
        .annotate(n=Count("pk"), closed=Count("pk", filter=closed_q))
    )
    sensitive = (
        items.filter(sensitive=True)
        .annotate(month=TruncMonth("received_at"))
        .values("month", "country__iso3")
        .annotate(n=Count("pk"), closed=Count("pk", filter=closed_q))
    )
    rows: list[list[Any]] = []
    for row in ordinary:
        rows.append(
            [
                _month_text(row["month"]),
                row["country__iso3"],
                row["sector__code"] or "",
                row["type__code"],
                row["channel__code"],
                row["n"],
                row["closed"],
            ]
        )
    for sensitive_row in sensitive:
        if sensitive_row["n"] < MIN_CELL:
            continue
        rows.append(
            [
                _month_text(sensitive_row["month"]),
                sensitive_row["country__iso3"],
                "",
                "sensitive",
                "",
                sensitive_row["n"],
                "",
            ]
        )
    rows.sort(key=lambda r: (r[0], r[1], r[2], r[3], r[4]))
    return rows


def _month_text(value: Any) -> str:
    return value.strftime("%Y-%m") if value else ""


def feedback_pages_check(user: Actor, action: Action = Action.VIEW_FEEDBACK) -> None:
    """The gate of the feedback pages: the list and the overdue list (read feedback), the
    log form (log feedback): PermissionDenied (403) when none of the user's roles gives
    `action` anywhere."""
    check_somewhere(user, action)


def feedback_code_lists_check(user: Actor) -> None:
    """The code lists (types, channels) are the region's: PermissionDenied (403) unless
    the user manages feedback for the whole region."""
    check(user, Action.MANAGE_FEEDBACK)
