"""Closing the loop: new -> acknowledged -> referred -> responded -> closed.

Sensitive items are handled by the PSEA focal points of their scope only; the rest by the
CFM operators of their scope. A sensitive item is referred only after the person's
consent is recorded."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from puente.accounts.permissions import Actor, check
from puente.core.services import audit_record
from puente.feedback.codes import FeedbackCode
from puente.feedback.models import (
    Consent,
    Feedback,
    FeedbackStatus,
    FeedbackType,
    Satisfaction,
    SensitiveCategory,
)
from puente.feedback.services.crypto import seal
from puente.feedback.services.deadlines import feedback_deadlines
from puente.feedback.services.notifications import feedback_handling_action, feedback_target
from puente.partners.models import Organisation
from puente.reference.codes import ReferenceCode
from puente.reference.models import Admin1, Country, PopulationGroup, Sector

S = FeedbackStatus
TRANSITIONS: dict[str, frozenset[str]] = {
    S.NEW: frozenset({S.ACKNOWLEDGED}),
    S.ACKNOWLEDGED: frozenset({S.REFERRED, S.RESPONDED, S.CLOSED}),
    S.REFERRED: frozenset({S.RESPONDED}),
    S.RESPONDED: frozenset({S.CLOSED}),
    S.CLOSED: frozenset(),
}


def feedback_check_handler(*, acting_user: Actor | None, item: Feedback) -> None:
    """Raise PermissionDenied unless `acting_user` may handle `item`."""
    check(acting_user, feedback_handling_action(item), feedback_target(item))


def _move(item: Feedback, to: str) -> None:
    if to not in TRANSITIONS[item.status]:
        raise FeedbackCode.INVALID_TRANSITION.error(
            status=item.get_status_display(), new=S(to).label
        )
    item.status = to


def _lock(item: Feedback) -> Feedback:
    return (
        Feedback.objects.select_for_update(of=("self",))
        .select_related("type", "country", "sector", "organisation")
        .get(pk=item.pk)
    )


@transaction.atomic
def feedback_acknowledge(*, acting_user: Actor | None, item: Feedback) -> Feedback:
    item = _lock(item)
    feedback_check_handler(acting_user=acting_user, item=item)
    _move(item, S.ACKNOWLEDGED)
    item.acknowledged_at = timezone.now()
    item.save(update_fields=["status", "acknowledged_at"])
    audit_record(acting_user=acting_user, action="feedback.acknowledge", target=item)
    return item


@transaction.atomic
def feedback_refer(
    *,
    acting_user: Actor | None,
    item: Feedback,
    organisation: Organisation | None = None,
    sector: Sector | None = None,
    consent: str = "",
) -> Feedback:
    """Refer to an organisation or a sector focal point. For a sensitive item the
    person's consent must be given (and is recorded here, before the referral)."""
    item = _lock(item)
    feedback_check_handler(acting_user=acting_user, item=item)
    if organisation is None and sector is None:
        raise FeedbackCode.REFERRAL_TARGET_REQUIRED.error()
    now = timezone.now()
    if consent in (Consent.GIVEN, Consent.REFUSED):
        item.consent = consent
        item.consent_recorded_at = now
    if item.sensitive and item.consent != Consent.GIVEN:
        raise FeedbackCode.CONSENT_REQUIRED.error()
    _move(item, S.REFERRED)
    item.referred_to_org = organisation
    item.referred_to_sector = sector
    item.referred_at = now
    item.save(
        update_fields=[
            "status",
            "referred_to_org",
            "referred_to_sector",
            "referred_at",
            "consent",
            "consent_recorded_at",
        ]
    )
    audit_record(
        acting_user=acting_user,
        action="feedback.refer",
        target=item,
        data={
            "organisation": organisation.acronym if organisation else None,
            "sector": sector.code if sector else None,
            "consent": item.consent,
        },
    )
    return item


@transaction.atomic
def feedback_respond(*, acting_user: Actor | None, item: Feedback, answer: str) -> Feedback:
    """Record the answer given to the person (sealed like the message)."""
    item = _lock(item)
    feedback_check_handler(acting_user=acting_user, item=item)
    answer = (answer or "").strip()
    if not answer:
        raise FeedbackCode.ANSWER_REQUIRED.error()
    _move(item, S.RESPONDED)
    item.answer_sealed = seal(answer)
    item.responded_at = timezone.now()
    item.save(update_fields=["status", "answer_sealed", "responded_at"])
    audit_record(acting_user=acting_user, action="feedback.respond", target=item)
    return item


@transaction.atomic
def feedback_close(
    *, acting_user: Actor | None, item: Feedback, satisfaction: str = ""
) -> Feedback:
    item = _lock(item)
    feedback_check_handler(acting_user=acting_user, item=item)
    if satisfaction and satisfaction not in Satisfaction.values:
        raise FeedbackCode.INVALID_SATISFACTION.error()
    _move(item, S.CLOSED)
    item.satisfaction = satisfaction
    item.closed_at = timezone.now()
    item.save(update_fields=["status", "satisfaction", "closed_at"])
    audit_record(
        acting_user=acting_user,
        action="feedback.close",
        target=item,
        data={"satisfaction": satisfaction},
    )
    return item


@transaction.atomic
def feedback_code(
    *,
    acting_user: Actor | None,
    item: Feedback,
    feedback_type: FeedbackType,
    country: Country,
    admin1: Admin1 | None = None,
    sector: Sector | None = None,
    organisation: Organisation | None = None,
    population_group: PopulationGroup | None = None,
    sex: str = "",
    age: int | None = None,
    sensitive_category: str = "",
) -> Feedback:
    """Correct the coding. Coding an item as a sensitive type hands it to the PSEA focal
    points at once: the operator who did it can no longer read it. A sensitive item stays
    sensitive whatever type it is given. Deadlines follow the new type, counted from when
    the item was received."""
    item = _lock(item)
    feedback_check_handler(acting_user=acting_user, item=item)
    if admin1 is not None and admin1.country_id != country.pk:
        raise ReferenceCode.ADMIN1_NOT_IN_COUNTRY.error()
    before = {"type": item.type.code, "country": item.country.iso3}
    was_sensitive = item.sensitive
    if feedback_type.pk != item.type_id:
        deadlines = feedback_deadlines(feedback_type=feedback_type, received_at=item.received_at)
        item.acknowledge_due = deadlines.acknowledge_due
        item.respond_due = deadlines.respond_due
    item.type = feedback_type
    # Once sensitive, always: coding a complaint as an ordinary type never opens it.
    item.sensitive = was_sensitive or feedback_type.sensitive
    item.country = country
    item.admin1 = admin1
    item.sector = sector
    item.organisation = organisation
    item.population_group = population_group
    item.sex = sex
    item.age = age
    if item.sensitive:
        item.sensitive_category = (
            sensitive_category
            if sensitive_category in SensitiveCategory.values
            else item.sensitive_category or SensitiveCategory.OTHER
        )
    else:
        item.sensitive_category = ""
    item.full_clean()
    item.save()
    audit_record(
        acting_user=acting_user,
        action="feedback.code",
        target=item,
        data={"before": before, "type": feedback_type.code, "country": country.iso3},
    )
    if item.sensitive and not was_sensitive:
        from puente.feedback.services.notifications import feedback_notify_sensitive

        transaction.on_commit(lambda: feedback_notify_sensitive(item))
    return item
