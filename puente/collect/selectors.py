"""Reads of field data collection, and the permission-scoped loaders.

Who reaches a project: its data collectors (`data-collector` over `project:CODE`) list,
download and fill its forms; its managers and the IM officers and regional admins whose
scope covers its country see its data (VIEW_COLLECTED) and, for the officers and admins,
publish forms and resolve the quarantine (MANAGE_FORMS)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import connection
from django.db.models import Count, Prefetch, Q, QuerySet
from django.db.models.expressions import RawSQL

from puente.accounts.permissions import (
    Action,
    Actor,
    Target,
    scope_filter,
    user_can,
    user_can_somewhere,
)
from puente.collect.codes import CollectCode
from puente.collect.models import (
    Form,
    FormMedia,
    FormVersion,
    Project,
    QuarantinedSubmission,
    Submission,
)
from puente.core.errors import NotFound, PermissionDenied


def project_target(project: Project) -> Target:
    return Target(country=project.country, project=project)


def _is_manager(user: Actor, project: Project) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return project.managers.filter(pk=user.pk).exists()


def user_can_on_project(user: Actor, action: Action, project: Project) -> bool:
    """`user_can` on a project, with its managers seeing its data."""
    if user_can(user, action, project_target(project)):
        return True
    return action == Action.VIEW_COLLECTED and _is_manager(user, project)


def access_project(user: Actor, code: str, action: Action) -> Project:
    """The project `code` if `user` may `action` on it: NotFound for a code that names no
    project, PermissionDenied for another project (a collector asking for another
    project's forms is told no, not that they do not exist: the OpenRosa clients show a
    403 as "not allowed", and project codes are not secret)."""
    # Codes are unique: no ordering.
    project = Project.objects.select_related("country").filter(code=code.lower()).order_by().first()
    if project is None:
        raise CollectCode.UNKNOWN_PROJECT.error(code=code)
    if not user_can_on_project(user, action, project):
        raise PermissionDenied()
    return project


def projects_visible(user: Actor) -> QuerySet[Project]:
    """The projects whose data `user` sees: by scope, or as a manager."""
    scope = scope_filter(user, Action.VIEW_COLLECTED, country="country", project="pk")
    managed = Q(managers=user) if getattr(user, "is_authenticated", False) else Q(pk__in=[])
    return (
        Project.objects.filter(scope | managed)
        .distinct()
        .select_related("country")
        .annotate(form_count=Count("forms", distinct=True))
        .order_by("code")
    )


def projects_manageable(user: Actor) -> QuerySet[Project]:
    """The projects `user` may publish forms in."""
    scope = scope_filter(user, Action.MANAGE_FORMS, country="country", project="pk")
    return Project.objects.filter(scope).select_related("country").order_by("code")


# Submissions: the page of a form, a submission's page, its files.


def collected_data_somewhere(user: Actor) -> bool:
    """Whether some project's data is open to `user`: the gate of the submission pages
    (403 without it; 404 for a project or submission outside what it opens)."""
    if user_can_somewhere(user, Action.VIEW_COLLECTED):
        return True
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return Project.objects.filter(managers=user).exists()


def access_form(user: Actor, project_code: str, form_id: str) -> Form:
    """A form of a project whose data `user` sees; NotFound for a project or form that
    does not exist and for a project outside what the user sees alike."""
    project = Project.objects.select_related("country").filter(code=project_code.lower()).first()
    if project is None:
        raise NotFound()
    if not user_can_on_project(user, Action.VIEW_COLLECTED, project):
        raise NotFound()
    form = Form.objects.filter(project=project, form_id=form_id).first()
    if form is None:
        raise NotFound()
    form.project = project
    return form


@dataclass(frozen=True)
class SubmissionFilters:
    """Filters of a form's submissions (received dates inclusive, in the site's time
    zone). `answer`, typed as `Submission.data` keeps it (`answers.answer_read`), is
    compared with the answer of `field`, a field path outside repeats; or, with
    `repeat` (the key of a repeat outside other repeats), the key of a field in its
    records, a submission then matching when one of its records has that answer."""

    received_from: date | None = None
    received_to: date | None = None
    status: str = ""
    collector_id: int | None = None
    field: str = ""
    answer: object = None
    repeat: str = ""


def _record_answer(form: Form, repeat: str, field: str, answer: object) -> Q:
    """Submissions one record of whose repeat `repeat` has `answer` for `field`:
    PostgreSQL's jsonb containment; elsewhere (SQLite) SQLite's json_each over the
    records, the JSON types compared as they are kept (a number with a number, text
    with text), as the lookup on a field outside repeats compares them."""
    if connection.vendor == "postgresql":
        return Q(**{f"data__{repeat}__contains": [{field: answer}]})
    table = connection.ops.quote_name(Submission._meta.db_table)
    matching = RawSQL(  # noqa: S611 (the values are parameters)
        f"SELECT s.id FROM {table} s, json_each(s.data, %s) r "  # noqa: S608 (a model's table)
        "WHERE s.form_id = %s AND json_extract(r.value, %s) = %s",
        (_json_path(repeat), form.pk, _json_path(field), answer),
    )
    return Q(pk__in=matching)


def _json_path(key: str) -> str:
    """A key of `Submission.data` (`g/people`: XML names joined by slashes, never a
    quote) as a JSON path of one step."""
    return f'$."{key}"'


def submissions_visible(
    user: Actor, form: Form, filters: SubmissionFilters | None = None
) -> QuerySet[Submission]:
    """The current submissions of `form` (not those an edit replaced), newest first."""
    if not user_can_on_project(user, Action.VIEW_COLLECTED, form.project):
        raise NotFound()
    filters = filters or SubmissionFilters()
    rows = Submission.objects.filter(form=form, superseded_by__isnull=True)
    if filters.received_from is not None:
        rows = rows.filter(received_at__date__gte=filters.received_from)
    if filters.received_to is not None:
        rows = rows.filter(received_at__date__lte=filters.received_to)
    if filters.status:
        rows = rows.filter(status=filters.status)
    if filters.collector_id is not None:
        rows = rows.filter(submitted_by_id=filters.collector_id)
    if filters.field and filters.answer is not None and filters.repeat:
        rows = rows.filter(_record_answer(form, filters.repeat, filters.field, filters.answer))
    elif filters.field and filters.answer is not None:
        rows = rows.filter(**{f"data__{filters.field}": filters.answer})
    return rows.select_related("submitted_by", "form_version").order_by("-received_at", "-id")


def submission_collectors(form: Form) -> list[tuple[int, str]]:
    """(user id, e-mail address) of those who sent submissions of `form`, by address."""
    return list(
        Submission.objects.filter(form=form, submitted_by__isnull=False)
        .values_list("submitted_by_id", "submitted_by__email")
        .distinct()
        .order_by("submitted_by__email")
    )


def access_submission(user: Actor, submission_id: int) -> Submission:
    """A submission of a project whose data `user` sees; NotFound otherwise (as for one
    that does not exist)."""
    submission = (
        Submission.objects.select_related(
            "form__project__country", "form_version", "submitted_by", "reviewed_by"
        )
        .filter(pk=submission_id)
        .first()
    )
    if submission is None:
        raise NotFound()
    if not user_can_on_project(user, Action.VIEW_COLLECTED, submission.form.project):
        raise NotFound()
    return submission


def access_submission_file(user: Actor, submission_id: int, filename: str) -> Any:
    """A file sent with a submission `user` sees (a SubmissionAttachment); NotFound
    otherwise."""
    submission = access_submission(user, submission_id)
    attachment = submission.attachments.filter(filename=filename).first()
    if attachment is None:
        raise NotFound()
    return attachment


def submission_history(submission: Submission) -> list[Submission]:
    """The edit chain of a submission, first instance first (the current one is last)."""
    return list(
        Submission.objects.filter(form=submission.form, root_id=submission.root_id)
        .select_related("submitted_by")
        .order_by("received_at", "id")
    )


def submission_corrections(submission: Submission) -> list[Any]:
    """The corrections of a submission's answers (SubmissionCorrection), oldest first."""
    return list(submission.corrections.select_related("created_by").order_by("created_at", "id"))


@dataclass(frozen=True)
class PublishedForm:
    form: Form
    version: FormVersion
    has_media: bool


def forms_published(project: Project, *, form_id: str | None = None) -> list[PublishedForm]:
    """The project's forms with their current version (the one published last), in two
    queries whatever their number."""
    forms = (
        Form.objects.filter(project=project)
        .annotate(media_count=Count("media"))
        .prefetch_related(
            Prefetch("versions", queryset=FormVersion.objects.order_by("-created_at", "-id"))
        )
        .order_by("form_id")
    )
    if form_id is not None:
        forms = forms.filter(form_id=form_id)
    published = []
    for form in forms:
        versions = list(form.versions.all())
        if versions:
            published.append(
                PublishedForm(form=form, version=versions[0], has_media=form.media_count > 0)  # type: ignore[attr-defined]
            )
    return published


def form_published(project: Project, form_id: str) -> PublishedForm:
    found = forms_published(project, form_id=form_id)
    if not found:
        raise CollectCode.UNKNOWN_FORM.error(form_id=form_id)
    return found[0]


def form_media_file(form: Form, filename: str) -> FormMedia:
    media = FormMedia.objects.filter(form=form, filename=filename).first()
    if media is None:
        raise NotFound()
    return media


def form_media_list(form: Form) -> list[FormMedia]:
    return list(FormMedia.objects.filter(form=form).order_by("filename"))


def quarantine_visible(user: Actor) -> QuerySet[QuarantinedSubmission]:
    """Quarantined submissions of the projects where `user` may resolve them."""
    scope = scope_filter(user, Action.MANAGE_FORMS, country="project__country", project="project")
    return (
        QuarantinedSubmission.objects.filter(scope)
        .select_related("project", "submitted_by")
        .annotate(attachment_count=Count("attachments"))
        .order_by("-received_at", "-id")
    )


def access_quarantined(user: Actor, item_id: int) -> QuarantinedSubmission:
    """A quarantined submission `user` may resolve; NotFound otherwise (as for one that
    does not exist)."""
    item = quarantine_visible(user).filter(pk=item_id).first()
    if item is None:
        raise NotFound()
    return item


def submission_for_figures(submission_id: int, *, lock: bool = False) -> Submission | None:
    """One submission with its form, project and the project's country, for the apps
    above that turn answers into figures (flow monitoring); None when it is not held.
    `lock` (inside a transaction): its row locked until the transaction ends, so two
    workers never make the figures of one submission at once."""
    found = Submission.objects.select_related("form__project__country").filter(pk=submission_id)
    if lock:
        found = found.select_for_update(of=("self",))
    return found.first()


def submissions_for_figures(
    *, form_ids: Iterable[str], project: str | None = None, current: bool = True
) -> QuerySet[Submission]:
    """The submissions of these form IDs (in one project when given), oldest first, as
    they were received. `current`: only those no edit replaced and no review rejected,
    the ones whose answers count."""
    found = Submission.objects.filter(form__form_id__in=list(form_ids))
    if project is not None:
        found = found.filter(form__project__code=project)
    if current:
        found = found.filter(superseded_by__isnull=True).exclude(status=Submission.Status.REJECTED)
    return found.select_related("form__project__country").order_by("received_at", "id")


def project_by_code(code: str) -> Project | None:
    """The project `code` (any case), without a permission check: for the command line."""
    return Project.objects.select_related("country").filter(code=code.strip().lower()).first()


def collect_pages_check(user: Actor) -> None:
    """The data-collection pages open to those who publish forms somewhere or see a
    project's data: PermissionDenied (403) for anyone else."""
    if not user_can_somewhere(user, Action.MANAGE_FORMS) and not projects_visible(user).exists():
        raise PermissionDenied()


def forms_manage_check(user: Actor, project: Project | None = None) -> None:
    """Publishing forms and resolving the quarantine: PermissionDenied (403) without the
    role somewhere, or, for `project`, over that project."""
    if not user_can_somewhere(user, Action.MANAGE_FORMS):
        raise PermissionDenied()
    if project is not None and not user_can_on_project(user, Action.MANAGE_FORMS, project):
        raise PermissionDenied()


def collected_data_check(user: Actor) -> None:
    """The submissions pages: PermissionDenied (403) for a user no project's data is open
    to; the `access_*` loaders answer 404 beyond."""
    if not collected_data_somewhere(user):
        raise PermissionDenied()
