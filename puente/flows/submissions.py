"""Flow monitoring fed by submitted forms: the figures a submission of the shipped survey
(a survey summary) or of the daily tally sheet (daily counts) gives, kept in step with
what the collection server announces (`collect.signals.submission_changed`, received in
`receivers.py`) and rebuilt from every submission by `puente flows-rebuild`.

A figure made by a form carries the submission's OpenRosa `instanceID`
(`submission_id`). An edit is a new instance: what the replaced one gave is withdrawn
before the new one is read, so the edit replaces it; a rejected submission's figures are
withdrawn and approving it again reads them back; a correction reads the answers again.
The answers are those the collection server stored (`Submission.data`); the submission
itself is never changed here, so a failure loses nothing: the figures can be read again."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from puente.accounts.permissions import Actor, Target, check
from puente.collect.codes import CollectCode
from puente.collect.models import Submission
from puente.collect.selectors import (
    project_by_code,
    submission_for_figures,
    submissions_for_figures,
)
from puente.flows.access import MANAGE_FLOWS
from puente.flows.models import (
    AgeGroup,
    Direction,
    FlowCount,
    FlowPoint,
    Sex,
    Source,
    SurveySummary,
    Transport,
)
from puente.flows.nations import nation_code
from puente.flows.services import (
    CountFigure,
    flow_counts_record,
    flow_counts_withdraw,
    survey_summary_from_answers,
)

logger = logging.getLogger(__name__)

# The form IDs of the two forms Puente ships (data/*.toml, settings.form_id).
SURVEY_FORM = "flow_monitoring_survey"
DAILY_COUNT_FORM = "flow_monitoring_daily_count"
FLOW_FORMS = (SURVEY_FORM, DAILY_COUNT_FORM)


class UnreadableAnswers(ValueError):
    """An answer the figures cannot take (a correction wrote a word that is not a code)."""


def _answers(values: dict[str, Any]) -> dict[str, Any]:
    """Answers by field name: `Submission.data` keys them by path under the form's root."""
    return {str(key).rsplit("/", 1)[-1]: value for key, value in values.items()}


def _point(code: Any, submission: Submission) -> FlowPoint | None:
    """The point a submission names, when its project may count there: a point of the
    submission's project, or a point of no project in the project's country. None
    otherwise (a point code of another team is treated as no point)."""
    # Point codes are unique: no ordering.
    point = FlowPoint.objects.filter(code=str(code or "").strip().lower()).order_by().first()
    if point is None:
        return None
    project = submission.form.project
    if point.project:
        return point if point.project == project.code else None
    return point if point.country_id == project.country_id else None


def _day(value: Any) -> dt.date:
    if not value:
        raise UnreadableAnswers("date: empty")
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError as error:
        raise UnreadableAnswers(f"date: {value!r}") from error


def _code(line: int, name: str, value: Any, codes: list[str], default: str = "") -> str:
    text = str(value or default).strip()
    if text not in codes:
        raise UnreadableAnswers(f"line {line}, {name}: {value!r}")
    return text


def daily_count_figures(answers: dict[str, Any]) -> list[CountFigure]:
    """The figures of the tally sheet's lines (the repeat `lines`). A nationality outside
    the form's list is given as ISO3 in `nationality_other`. UnreadableAnswers names the
    line (from 1) and field of the first answer that is not a code Puente stores."""
    figures = []
    for number, raw in enumerate(answers.get("lines") or [], start=1):
        line = _answers(raw)
        nationality_text = str(line.get("nationality") or "")
        if nationality_text == "OTHER":
            nationality_text = str(line.get("nationality_other") or "")
        nationality = nation_code(nationality_text) if nationality_text else None
        if nationality is None:
            raise UnreadableAnswers(f"line {number}, nationality: {nationality_text!r}")
        people = line.get("people")
        if isinstance(people, str) and people.strip().isdigit():
            people = int(people)
        if not isinstance(people, int) or isinstance(people, bool) or people < 0:
            raise UnreadableAnswers(f"line {number}, people: {people!r}")
        figures.append(
            CountFigure(
                direction=_code(number, "direction", line.get("direction"), Direction.values),
                nationality=nationality,
                people=people,
                sex=_code(number, "sex", line.get("sex"), Sex.values, Sex.UNKNOWN),
                age_group=_code(
                    number, "age_group", line.get("age_group"), AgeGroup.values, AgeGroup.UNKNOWN
                ),
                transport=_code(
                    number, "transport", line.get("transport"), Transport.values, Transport.UNKNOWN
                ),
            )
        )
    return figures


def _withdraw(instance_id: str, acting_user: Actor | None) -> None:
    """What one instance gave: its counts and its survey summary."""
    flow_counts_withdraw(submission_id=instance_id, acting_user=acting_user)


def _read(submission: Submission, acting_user: Actor | None) -> str:
    """Make the figures of one current, non-rejected submission from its stored answers;
    what it gave before is withdrawn first (in the caller's transaction). Returns what
    it made: `summary`, `counts`, or `none` (no consent, no point it may count at, or
    answers the figures cannot take: logged)."""
    _withdraw(submission.instance_id, acting_user)
    answers = _answers(submission.data or {})
    point = _point(answers.get("point"), submission)
    if point is None:
        logger.info(
            "flows: submission %s names no point of project %s (%r): no figures",
            submission.instance_id,
            submission.form.project.code,
            answers.get("point"),
        )
        return "none"
    try:
        with transaction.atomic():
            if submission.form.form_id == SURVEY_FORM:
                summary = survey_summary_from_answers(
                    answers=submission.data or {},
                    submission_id=submission.instance_id,
                    acting_user=acting_user,
                    point=point,
                )
                return "summary" if summary is not None else "none"
            figures = daily_count_figures(answers)
            flow_counts_record(
                point=point,
                date=_day(answers.get("count_date")),
                figures=figures,
                submission_id=submission.instance_id,
                acting_user=acting_user,
            )
            return "counts"
    except (UnreadableAnswers, ValidationError, ValueError, TypeError) as error:
        logger.warning(
            "flows: the answers of submission %s (%s) give no figures: %s",
            submission.instance_id,
            submission.form.form_id,
            error,
        )
        return "none"


def _counts(submission: Submission) -> bool:
    return submission.superseded_by_id is None and submission.status != Submission.Status.REJECTED


@transaction.atomic
def submission_figures_update(
    *,
    submission_id: int,
    outcome: str,
    replaced: str = "",
    acting_user: Actor | None = None,
) -> str:
    """Bring the figures of one submission of a flow-monitoring form in step with what
    the collection server announced (`outcome`: stored, approved, rejected, corrected).
    An edit (`replaced`: the instanceID it replaces) withdraws the replaced instance's
    figures first. A submission that no longer counts (rejected, or replaced by an edit
    since) loses its figures whatever the outcome says: the signal may arrive late.
    Returns `summary`, `counts`, `withdrawn`, `none` or `ignored` (another form)."""
    submission = submission_for_figures(submission_id, lock=True)
    if submission is None or submission.form.form_id not in FLOW_FORMS:
        return "ignored"
    if submission.form.form_id == DAILY_COUNT_FORM:
        return _tally_sheet_update(submission, outcome, replaced, acting_user)
    if replaced:
        _withdraw(replaced, acting_user)
    if outcome == "rejected" or not _counts(submission):
        _withdraw(submission.instance_id, acting_user)
        return "withdrawn"
    return _read(submission, acting_user)


def _sheet_day(submission: Submission) -> tuple[Any, Any]:
    answers = submission.data or {}
    return answers.get("point"), answers.get("count_date")


def _tally_sheet_update(
    submission: Submission, outcome: str, replaced: str, acting_user: Actor | None
) -> str:
    """A tally sheet changed: withdraw what it (and the instance it replaces) gave, read
    it again when it counts, then give back the keys left without a figure to the other
    current sheets of the same point and day, the one received last first. So where two
    sheets give the same key and the later one is withdrawn (an edit, a rejection), the
    earlier one's figure comes back; a figure written since by an import stays."""
    days = {_sheet_day(submission)}
    if replaced:
        old = (
            submissions_for_figures(form_ids=[DAILY_COUNT_FORM], current=False)
            .filter(instance_id=replaced)
            .first()
        )
        if old is not None:
            days.add(_sheet_day(old))
        _withdraw(replaced, acting_user)
    if outcome == "rejected" or not _counts(submission):
        _withdraw(submission.instance_id, acting_user)
        result = "withdrawn"
    else:
        result = _read(submission, acting_user)
    for point, day in sorted(days, key=str):
        if not point or not day:
            continue
        others = (
            submissions_for_figures(form_ids=[DAILY_COUNT_FORM])
            .filter(data__point=point, data__count_date=day)
            .exclude(pk=submission.pk)
            .order_by("-received_at", "-id")
        )
        for other in others:
            _fill(other, acting_user)
    return result


def _fill(sheet: Submission, acting_user: Actor | None) -> None:
    """Write the figures of a current tally sheet whose keys have no figure now."""
    answers = _answers(sheet.data or {})
    point = _point(answers.get("point"), sheet)
    if point is None:
        return
    try:
        day = _day(answers.get("count_date"))
        figures = daily_count_figures(answers)
    except UnreadableAnswers:
        return
    held = {
        (c.direction, c.nationality, c.sex, c.age_group, c.transport)
        for c in FlowCount.objects.filter(point=point, date=day)
    }
    missing = [f for f in figures if f.key() not in held]
    if missing:
        flow_counts_record(
            point=point,
            date=day,
            figures=missing,
            submission_id=sheet.instance_id,
            acting_user=acting_user,
        )


@dataclass
class RebuildReport:
    """What `flows_rebuild` did: submissions read, figures they made, figures withdrawn
    (made by submissions that no longer count or are no longer held)."""

    submissions: int = 0
    summaries: int = 0
    tally_sheets: int = 0
    without_figures: int = 0
    withdrawn: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, int]:
        return {
            "submissions": self.submissions,
            "summaries": self.summaries,
            "tally_sheets": self.tally_sheets,
            "without_figures": self.without_figures,
            "withdrawn": len(self.withdrawn),
        }


@transaction.atomic
def flows_rebuild(*, project: str | None = None, acting_user: Actor | None = None) -> RebuildReport:
    """Read every current, non-rejected submission of the flow-monitoring forms (of one
    project when given) into survey summaries and daily counts again, and withdraw the
    figures of forms that no longer count (the command line, or a person with the flows
    role over the project's country). For figures made while a listener failed, or
    after answers were changed outside the services. Running it twice changes nothing:
    submissions are read in the order they arrived, so where two tally sheets give the
    same key the later one's figure stands, as when they arrived."""
    found = project_by_code(project) if project is not None else None
    if project is not None and found is None:
        raise CollectCode.UNKNOWN_PROJECT.error(code=project)
    if acting_user is not None:
        # The command line may rebuild anything; a person needs the flows role over the
        # project's country, or region-wide for every project.
        check(acting_user, MANAGE_FLOWS, Target(country=found.country) if found else None)
    project = project.strip().lower() if project is not None else None
    current = list(submissions_for_figures(form_ids=FLOW_FORMS, project=project))
    counting = {s.instance_id for s in current}
    made = set(
        FlowCount.objects.filter(source=Source.FORM).values_list("submission_id", flat=True)
    ) | set(
        SurveySummary.objects.filter(source=Source.FORM).values_list("submission_id", flat=True)
    )
    if project is not None:
        made &= set(
            submissions_for_figures(
                form_ids=FLOW_FORMS, project=project, current=False
            ).values_list("instance_id", flat=True)
        )
    report = RebuildReport()
    for instance_id in sorted(made - counting - {""}):
        _withdraw(instance_id, acting_user)
        report.withdrawn.append(instance_id)
    for submission in current:
        report.submissions += 1
        made_now = _read(submission, acting_user)
        if made_now == "summary":
            report.summaries += 1
        elif made_now == "counts":
            report.tally_sheets += 1
        else:
            report.without_figures += 1
    return report
