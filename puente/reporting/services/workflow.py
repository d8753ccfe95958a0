"""The monthly cycle of a report: draft -> submitted -> validated or returned, decided
by the sector coordinator of the country; months locked by the platform's IM officer.
Every change of a row is kept in RowChange."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from puente.accounts.permissions import Action, Actor, Target, check, signed_in
from puente.core.codes import CoreCode
from puente.core.imports import ImportReport
from puente.core.services import audit_record
from puente.partners.models import Organisation
from puente.plans.codes import PlansCode
from puente.reference.models import Country, Sector
from puente.reporting.codes import ReportingCode
from puente.reporting.models import ActivityRow, PeriodLock, ReviewDecision, RowChange, RowStatus
from puente.reporting.services.columns import COMPARED_FIELDS
from puente.reporting.services.validation import RowValidator
from puente.reporting.services.writer import replace_rows
from puente.reporting.signals import validated_rows_announce


def _locked(country: Country, month: dt.date) -> bool:
    return PeriodLock.objects.filter(country=country, month=month).exists()


def _ensure_open(country: Country, month: dt.date) -> None:
    if _locked(country, month):
        raise ReportingCode.PERIOD_LOCKED.error(month=month.strftime("%Y-%m"), country=country.name)


def _set_status(
    rows: list[ActivityRow],
    *,
    status: str,
    acting_user: Actor | None,
    action: str,
    comment: str = "",
) -> int:
    now = timezone.now()
    ids = [r.pk for r in rows]
    ActivityRow.objects.filter(pk__in=ids).update(
        status=status, review_comment=comment, updated_by=acting_user, updated_at=now
    )
    RowChange.objects.bulk_create(
        [
            RowChange(
                row_id=r.pk,
                changed_by=signed_in(acting_user),
                changed_at=now,
                action=action,
                changes={"status": [r.status, status]},
                comment=comment,
            )
            for r in rows
        ],
        batch_size=5000,
    )
    return len(ids)


@transaction.atomic
def report_submit(
    *, acting_user: Actor | None, appealing_org: Organisation, country: Country, month: dt.date
) -> int:
    """Send an organisation's draft or returned rows of a month for review."""
    check(acting_user, Action.SUBMIT_REPORT, Target(country=country, organisation=appealing_org))
    _ensure_open(country, month)
    rows = list(
        ActivityRow.objects.select_for_update().filter(
            appealing_org=appealing_org,
            country=country,
            month=month,
            status__in=[RowStatus.DRAFT, RowStatus.RETURNED],
        )
    )
    return _set_status(rows, status=RowStatus.SUBMITTED, acting_user=acting_user, action="submit")


@transaction.atomic
def report_review(
    *,
    acting_user: Actor | None,
    appealing_org: Organisation,
    country: Country,
    sector: Sector,
    month: dt.date,
    decision: str,
    comment: str = "",
    subsectors: bool = True,
) -> int:
    """A sector coordinator validates or returns an organisation's submitted rows of a
    month in their sector (and its sub-sectors, unless `subsectors` is False: the review
    page decides on exactly the group it shows). Returning needs a comment."""
    if decision not in (RowStatus.VALIDATED, RowStatus.RETURNED):
        raise PlansCode.INVALID_DECISION.error(message=_("A review validates or returns."))
    check(
        acting_user,
        Action.REVIEW_REPORT,
        Target(country=country, sector=sector, organisation=appealing_org),
    )
    if decision == RowStatus.RETURNED and not comment.strip():
        raise PlansCode.COMMENT_REQUIRED.error(message=_("Say why the rows are returned."))
    _ensure_open(country, month)
    in_sector = Q(sector=sector) | Q(sector__parent=sector) if subsectors else Q(sector=sector)
    rows = list(
        ActivityRow.objects.select_for_update().filter(
            in_sector,
            appealing_org=appealing_org,
            country=country,
            month=month,
            status=RowStatus.SUBMITTED,
        )
    )
    if not rows:
        raise PlansCode.NOTHING_TO_REVIEW.error(message=_("There are no submitted rows to review."))
    count = _set_status(
        rows,
        status=decision,
        acting_user=acting_user,
        action="validate" if decision == RowStatus.VALIDATED else "return",
        comment=comment.strip(),
    )
    if decision == RowStatus.VALIDATED:
        validated_rows_announce([(country.pk, month)])
    ReviewDecision.objects.create(
        appealing_org=appealing_org,
        country=country,
        sector=sector,
        month=month,
        decision=decision,
        comment=comment.strip(),
        decided_by=signed_in(acting_user),
        rows=count,
    )
    return count


@transaction.atomic
def report_review_many(
    *,
    acting_user: Actor | None,
    groups: list[tuple[Organisation, Country, Sector, dt.date]],
    decision: str,
    comment: str = "",
) -> int:
    """One decision on several groups (organisation, country, exact sector, month), such
    as every submission matching the review page's filters. All or nothing: one group
    that cannot be decided (permission, lock, nothing left to review) and no row
    changes."""
    if not groups:
        raise PlansCode.NOTHING_TO_REVIEW.error(message=_("There are no submitted rows to review."))
    return sum(
        report_review(
            acting_user=acting_user,
            appealing_org=org,
            country=country,
            sector=sector,
            month=month,
            decision=decision,
            comment=comment,
            subsectors=False,
        )
        for org, country, sector, month in groups
    )


@transaction.atomic
def period_lock(*, acting_user: Actor | None, country: Country, month: dt.date) -> PeriodLock:
    check(acting_user, Action.LOCK_PERIOD, Target(country=country))
    lock, created = PeriodLock.objects.get_or_create(
        country=country, month=month.replace(day=1), defaults={"locked_by": signed_in(acting_user)}
    )
    if created:
        audit_record(
            acting_user=acting_user,
            action="period.lock",
            target=lock,
            data={"country": country.iso3, "month": lock.month.isoformat()},
        )
    return lock


@transaction.atomic
def period_unlock(*, acting_user: Actor | None, country: Country, month: dt.date) -> None:
    check(acting_user, Action.LOCK_PERIOD, Target(country=country))
    for lock in PeriodLock.objects.filter(country=country, month=month.replace(day=1)):
        audit_record(
            acting_user=acting_user,
            action="period.unlock",
            target=lock,
            data={"country": country.iso3, "month": lock.month.isoformat()},
        )
        lock.delete()


@transaction.atomic
def row_update(
    *,
    acting_user: Actor | None,
    row: ActivityRow,
    data: dict[str, Any],
    status: str = RowStatus.DRAFT,
) -> ImportReport:
    """Correct one row through the same validation as a file. The row keeps its identity
    even when the fields of its key change."""
    report = ImportReport()
    _ensure_open(row.country, row.month)
    check(
        acting_user,
        Action.SUBMIT_REPORT,
        Target(country=row.country, sector=row.sector, organisation=row.appealing_org),
    )
    validator = RowValidator(acting_user=acting_user)
    valid = validator.validate(1, data, report)
    if valid is None:
        return report
    clash = ActivityRow.objects.filter(row_key=valid.key).exclude(pk=row.pk).first()
    if clash is not None:
        report.error(
            1,
            "indicator",
            CoreCode.DUPLICATE_ROW,
            _(
                "Another row already has this month, place, organisations, indicator, "
                "activity, modality and population group."
            ),
        )
        return report
    old = ActivityRow.objects.filter(pk=row.pk).values_list("id", "status", *COMPARED_FIELDS).get()
    if old[1] == RowStatus.VALIDATED or status == RowStatus.VALIDATED:
        validated_rows_announce([(row.country_id, row.month), (valid.country_id, valid.month)])
    replace_rows(
        [valid],
        {valid.key: old},
        status=status,
        user_id=getattr(acting_user, "pk", None),
        batch_id=None,
        now=timezone.now(),
        action="edit",
    )
    report.rows = report.updated = 1
    return report
