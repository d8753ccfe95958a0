"""The pages of those who handle feedback: the list (and the overdue list), logging
feedback received by another channel, one item with its workflow, its attachments."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from puente.accounts.permissions import (
    Action,
    Actor,
    user_can,
    user_can_somewhere,
)
from puente.core.errors import ApplicationError, NotFound, PermissionDenied
from puente.feedback.forms import (
    CloseForm,
    CodingForm,
    FeedbackFilterForm,
    FeedbackLogForm,
    ReferForm,
    RespondForm,
)
from puente.feedback.models import (
    Feedback,
    FeedbackStatus,
)
from puente.feedback.selectors import (
    FeedbackFilters,
    access_feedback,
    access_feedback_attachment,
    feedback_contents_read,
    feedback_excerpts,
    feedback_history,
    feedback_list,
    feedback_pages_check,
)
from puente.feedback.services.intake import (
    feedback_log,
    receipt_display,
)
from puente.feedback.services.notifications import feedback_handling_action, feedback_target
from puente.feedback.services.workflow import (
    TRANSITIONS,
    feedback_acknowledge,
    feedback_close,
    feedback_code,
    feedback_refer,
    feedback_respond,
)
from puente.feedback.views.public import _uploads


def _list_page(request: HttpRequest, *, overdue: bool) -> HttpResponse:
    feedback_pages_check(request.user)
    form = FeedbackFilterForm(request.GET or None)
    filters = FeedbackFilters(overdue=overdue)
    if form.is_bound and not form.is_valid():
        # A mistyped filter: the error on the page, never every item instead.
        return render(
            request,
            "feedback/list.html",
            {
                "form": form,
                "overdue": overdue,
                "filter_errors": True,
                "can_log": user_can_somewhere(request.user, Action.LOG_FEEDBACK),
                "can_manage": user_can(request.user, Action.MANAGE_FEEDBACK),
            },
            status=400,
        )
    if form.is_valid():
        data = form.cleaned_data
        filters = FeedbackFilters(
            status=data["status"],
            type_code=data["type"].code if data["type"] else "",
            channel_code=data["channel"].code if data["channel"] else "",
            country_iso3=data["country"].iso3 if data["country"] else "",
            sector_code=data["sector"].code if data["sector"] else "",
            overdue=overdue,
        )
    items = feedback_list(user=request.user, filters=filters)
    page = Paginator(items, 50).get_page(request.GET.get("page"))
    rows = list(page)
    excerpts = feedback_excerpts(rows)
    for row in rows:
        row.excerpt = excerpts.get(row.pk, "")  # type: ignore[attr-defined]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "feedback/list.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "overdue": overdue,
            "query": query.urlencode(),
            "can_log": user_can_somewhere(request.user, Action.LOG_FEEDBACK),
            "can_manage": user_can(request.user, Action.MANAGE_FEEDBACK),
        },
    )


@login_required
def item_list(request: HttpRequest) -> HttpResponse:
    return _list_page(request, overdue=False)


@login_required
def overdue_list(request: HttpRequest) -> HttpResponse:
    return _list_page(request, overdue=True)


@login_required
@require_http_methods(["GET", "POST"])
def log(request: HttpRequest) -> HttpResponse:
    feedback_pages_check(request.user, Action.LOG_FEEDBACK)
    form = FeedbackLogForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            item, code = feedback_log(
                acting_user=request.user,
                channel=data["channel"],
                feedback_type=data["feedback_type"],
                sensitive_category=data["sensitive_category"],
                country=data["country"],
                admin1=data["admin1"],
                sector=data["sector"],
                organisation=data["organisation"],
                population_group=data["population_group"],
                sex=data["sex"],
                age=data["age"],
                text=data["text"],
                name=data["name"],
                contact=data["contact"],
                anonymous=data["anonymous"],
                consent=data["consent"],
                language=translation.get_language() or "",
                attachments=_uploads([data["attachment"]]),
            )
        except PermissionDenied:
            form.add_error(None, _("You may not log feedback for this country or organisation."))
        except ApplicationError as exc:
            form.add_error(None, str(exc.message))
        else:
            return render(
                request,
                "feedback/logged.html",
                {
                    "item": item,
                    "code": receipt_display(code),
                    "can_read": _can_read(request.user, item.pk),
                },
                status=201,
            )
    status = 400 if request.method == "POST" else 200
    return render(request, "feedback/log.html", {"form": form}, status=status)


def _can_read(user: Actor, feedback_id: int) -> bool:
    try:
        access_feedback(user, feedback_id)
    except (PermissionDenied, NotFound):
        return False
    return True


def _load(request: HttpRequest, feedback_id: int) -> Feedback:
    return access_feedback(request.user, feedback_id)


def _act(request: HttpRequest, item: Feedback) -> tuple[str, Any]:
    """Run the workflow action posted; returns (action, form with errors or None)."""
    action = request.POST.get("action", "")
    form: Any = None
    try:
        if action == "acknowledge":
            feedback_acknowledge(acting_user=request.user, item=item)
        elif action == "refer":
            form = ReferForm(request.POST, country=item.country)
            if form.is_valid():
                feedback_refer(
                    acting_user=request.user,
                    item=item,
                    organisation=form.cleaned_data["organisation"],
                    sector=form.cleaned_data["sector"],
                    consent=form.cleaned_data["consent"],
                )
        elif action == "respond":
            form = RespondForm(request.POST)
            if form.is_valid():
                feedback_respond(
                    acting_user=request.user, item=item, answer=form.cleaned_data["answer"]
                )
        elif action == "close":
            form = CloseForm(request.POST)
            if form.is_valid():
                feedback_close(
                    acting_user=request.user,
                    item=item,
                    satisfaction=form.cleaned_data["satisfaction"],
                )
        elif action == "code":
            form = CodingForm(request.POST, country=item.country)
            if form.is_valid():
                data = form.cleaned_data
                feedback_code(
                    acting_user=request.user,
                    item=item,
                    feedback_type=data["feedback_type"],
                    sensitive_category=data["sensitive_category"],
                    country=data["country"],
                    admin1=data["admin1"],
                    sector=data["sector"],
                    organisation=data["organisation"],
                    population_group=data["population_group"],
                    sex=data["sex"],
                    age=data["age"],
                )
        else:
            # No form to carry the error: an unknown action is a bad request (400).
            raise BadRequest("invalid_action")
    except PermissionDenied:
        raise
    except ApplicationError as exc:
        form = form or ReferForm(country=item.country)
        form.add_error(None, str(exc.message))
    if form is not None and form.errors:
        return action, form
    return action, None


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def item_detail(request: HttpRequest, feedback_id: int) -> HttpResponse:
    item = _load(request, feedback_id)
    failed: Any = None
    action = ""
    if request.method == "POST":
        action, failed = _act(request, item)
        if failed is None:
            if not _can_read(request.user, item.pk):
                # Coded as sensitive by someone who is not a PSEA focal point: handed over.
                messages.info(request, _("The feedback is now with the PSEA focal points."))
                return redirect("feedback:list")
            return redirect("feedback:item", feedback_id=item.pk)
        item = _load(request, feedback_id)
    contents = feedback_contents_read(user=request.user, item=item)
    can_handle = user_can(request.user, feedback_handling_action(item), feedback_target(item))
    allowed = TRANSITIONS[item.status]
    forms: dict[str, Any] = {
        "refer": ReferForm(initial={"consent": item.consent}, country=item.country),
        "respond": RespondForm(),
        "close": CloseForm(),
        "code": CodingForm(
            initial={
                "feedback_type": item.type.code,
                "sensitive_category": item.sensitive_category,
                "country": item.country.iso3,
                "admin1": item.admin1.iso_code if item.admin1 else "",
                "sector": item.sector.code if item.sector else "",
                "organisation": item.organisation,
                "population_group": item.population_group.code if item.population_group else "",
                "sex": item.sex,
                "age": item.age,
            },
            country=item.country,
        ),
    }
    if failed is not None and action in forms:
        forms[action] = failed
    return render(
        request,
        "feedback/item.html",
        {
            "item": item,
            "contents": contents,
            "attachments": list(item.attachments.all()),
            "history": feedback_history(user=request.user, item=item),
            "can_handle": can_handle,
            "can_acknowledge": can_handle and FeedbackStatus.ACKNOWLEDGED in allowed,
            "can_refer": can_handle and FeedbackStatus.REFERRED in allowed,
            "can_respond": can_handle and FeedbackStatus.RESPONDED in allowed,
            "can_close": can_handle and FeedbackStatus.CLOSED in allowed,
            "forms": forms,
            "error_action": action if failed is not None else "",
            "action_errors": failed.non_field_errors() if failed is not None else None,
        },
        status=400 if failed is not None else 200,
    )


@login_required
def attachment(request: HttpRequest, attachment_id: int) -> HttpResponse:
    record, content = access_feedback_attachment(request.user, attachment_id)
    extension = {"image/jpeg": "jpg", "image/png": "png", "application/pdf": "pdf"}
    response = HttpResponse(content, content_type=record.content_type)
    # Always a download: an uploaded file is never rendered in Puente's own origin.
    response["Content-Disposition"] = (
        f'attachment; filename="feedback-{record.feedback_id}-{record.pk}.'
        f'{extension.get(record.content_type, "bin")}"'
    )
    response["Cache-Control"] = "no-store"
    return response
