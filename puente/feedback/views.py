"""Feedback pages: the public form and status check (no sign-in), and the operators'
and PSEA focal points' pages. Views parse, call one service or selector, render."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from puente.accounts.permissions import Action, Actor, user_can, user_can_somewhere
from puente.core.errors import ApplicationError, NotFound, PermissionDenied
from puente.core.exports import csv_bytes, xlsx_bytes
from puente.core.templatetags.figures import date_format_long
from puente.feedback.forms import (
    CloseForm,
    CodingForm,
    FeedbackChannelForm,
    FeedbackFilterForm,
    FeedbackLogForm,
    FeedbackTypeForm,
    PublicFeedbackForm,
    ReferForm,
    RespondForm,
    StatusForm,
)
from puente.feedback.models import (
    Consent,
    Feedback,
    FeedbackChannel,
    FeedbackStatus,
    FeedbackType,
)
from puente.feedback.ratelimit import rate_limited
from puente.feedback.selectors import (
    AGGREGATE_HEADERS,
    AGGREGATE_HXL,
    FeedbackFilters,
    access_feedback,
    access_feedback_attachment,
    feedback_aggregate_rows,
    feedback_by_receipt,
    feedback_contents_read,
    feedback_dashboard,
    feedback_excerpts,
    feedback_history,
    feedback_list,
)
from puente.feedback.services.channels import channel_token_create
from puente.feedback.services.code_list import (
    CHANNEL_FIELDS,
    TYPE_FIELDS,
    feedback_channel_save,
    feedback_type_save,
)
from puente.feedback.services.crypto import unseal
from puente.feedback.services.intake import (
    Upload,
    feedback_channel_web,
    feedback_create,
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


def _uploads(files: list[Any]) -> list[Upload]:
    # Never more than one byte past the limit in memory: enough for the service to refuse.
    limit = settings.PUENTE_FEEDBACK_MAX_ATTACHMENT_BYTES + 1
    return [Upload(name=f.name, content=f.read(limit)) for f in files if f]


# Public --------------------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
def public_form(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return render(request, "feedback/public_form.html", {"form": PublicFeedbackForm()})
    # Bound to what was sent even when refused, so the person's text stays on the page.
    form = PublicFeedbackForm(request.POST, request.FILES)
    if rate_limited(request, "form"):
        form.is_valid()
        form.add_error(
            None, _("Too many messages were sent from this connection. Please try again later.")
        )
        return render(request, "feedback/public_form.html", {"form": form}, status=429)
    if form.is_valid():
        data = form.cleaned_data
        if data["website"]:
            form.add_error(None, _("This message could not be accepted."))
        else:
            try:
                item, code = feedback_create(
                    acting_user=None,
                    channel=feedback_channel_web(),
                    feedback_type=data["feedback_type"],
                    country=data["country"],
                    admin1=data["admin1"],
                    text=data["text"],
                    name=data["name"],
                    contact=data["contact"],
                    anonymous=data["anonymous"],
                    sex=data["sex"],
                    age=data["age"],
                    consent=Consent.GIVEN if data["consent"] else "",
                    language=translation.get_language() or "",
                    attachments=_uploads([data["attachment"]]),
                )
            except ApplicationError as exc:
                form.add_error(None, str(exc.message))
            else:
                return render(
                    request,
                    "feedback/public_receipt.html",
                    {"item": item, "code": receipt_display(code)},
                    status=201,
                )
    return render(request, "feedback/public_form.html", {"form": form}, status=400)


@never_cache
@require_http_methods(["GET", "POST"])
def public_status(request: HttpRequest) -> HttpResponse:
    """Status by receipt code. The code is posted, not put in the address, so it stays
    out of server logs and browser history."""
    if request.method != "POST":
        return render(request, "feedback/public_status.html", {"form": StatusForm()})
    form = StatusForm(request.POST)
    context: dict[str, Any] = {"form": form}
    status = 200
    if rate_limited(request, "status", factor=3):
        form.add_error(None, _("Too many attempts from this connection. Please try again later."))
        status = 429
    elif form.is_valid():
        item = feedback_by_receipt(form.cleaned_data["code"])
        if item is None:
            form.add_error("code", _("No message has this receipt code. Check it and try again."))
            status = 404
        else:
            context["item"] = item
            # The answer is shown for ordinary feedback only: a sensitive complaint is
            # answered by the focal point in person, never to whoever holds the code.
            if not item.sensitive and item.status in (
                FeedbackStatus.RESPONDED,
                FeedbackStatus.CLOSED,
            ):
                context["answer"] = unseal(item.answer_sealed)
    else:
        status = 400
    return render(request, "feedback/public_status.html", context, status=status)


# Operators and focal points ------------------------------------------------------------


def _require_somewhere(request: HttpRequest, action: Action) -> None:
    if not user_can_somewhere(request.user, action):
        raise DjangoPermissionDenied


def _list_page(request: HttpRequest, *, overdue: bool) -> HttpResponse:
    _require_somewhere(request, Action.VIEW_FEEDBACK)
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
    _require_somewhere(request, Action.LOG_FEEDBACK)
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


def _chart_rows(rows: list[Any]) -> list[dict[str, Any]]:
    return [
        {"label": row.label or _("Not coded"), "count": row.count, "sensitive": row.sensitive}
        for row in rows
    ]


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    _require_somewhere(request, Action.VIEW_FEEDBACK)
    data = feedback_dashboard(user=request.user)
    tables = [
        (_("By type"), data["by_type"], "type"),
        (_("By status"), data["by_status"], "status"),
        (_("By channel"), data["by_channel"], "channel"),
        (_("By sector"), data["by_sector"], "sector"),
        (_("By country"), data["by_country"], "country"),
    ]
    trends = [
        (_("Monthly trend by sector"), data["trend_by_sector"]),
        (_("Monthly trend by organisation concerned"), data["trend_by_organisation"]),
    ]
    # The charts' figures: labels in the reader's language, sensitive complaints apart
    # and null where suppressed (never a number under MIN_CELL).
    charts = {
        "by_type": _chart_rows(data["by_type"]),
        "by_status": _chart_rows(data["by_status"]),
        "by_month": [
            {
                "label": date_format_long(m["month"], "short_month"),
                "count": m["count"],
                "sensitive": m["sensitive"],
            }
            for m in data["by_month"]
        ],
        "labels": {"count": _("Feedback"), "sensitive": _("Sensitive")},
    }
    return render(
        request,
        "feedback/dashboard.html",
        {"data": data, "tables": tables, "trends": trends, "charts": charts},
    )


@login_required
def dashboard_export(request: HttpRequest, file_format: str) -> HttpResponse:
    _require_somewhere(request, Action.VIEW_FEEDBACK)
    rows = feedback_aggregate_rows(user=request.user)
    if file_format == "csv":
        content = csv_bytes(AGGREGATE_HEADERS, rows, hxl=AGGREGATE_HXL)
        content_type = "text/csv; charset=utf-8"
    elif file_format == "xlsx":
        content = xlsx_bytes(AGGREGATE_HEADERS, rows, sheet="feedback")
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        raise Http404
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="feedback-aggregates.{file_format}"'
    return response


# The code list ---------------------------------------------------------------------------


def _require_manage(request: HttpRequest) -> None:
    if not user_can(request.user, Action.MANAGE_FEEDBACK):
        raise DjangoPermissionDenied


@login_required
def code_list(request: HttpRequest) -> HttpResponse:
    _require_manage(request)
    return render(
        request,
        "feedback/code_list.html",
        {
            "types": list(FeedbackType.objects.all()),
            "channels": list(FeedbackChannel.objects.select_related("country", "default_type")),
        },
    )


CODE_LIST_KINDS: dict[str, Any] = {
    "type": (FeedbackType, FeedbackTypeForm, feedback_type_save),
    "channel": (FeedbackChannel, FeedbackChannelForm, feedback_channel_save),
}


def _initial(instance: Any) -> dict[str, Any]:
    """The form's values for a type or a channel: the fields its save service takes,
    references by code."""
    if not isinstance(instance, FeedbackChannel):
        return {field: getattr(instance, field) for field in ("code", *TYPE_FIELDS)}
    initial = {
        field: getattr(instance, field)
        for field in ("code", *CHANNEL_FIELDS)
        if field not in ("country", "default_type")
    }
    initial["country"] = instance.country.iso3 if instance.country else ""
    initial["default_type"] = instance.default_type.code if instance.default_type else ""
    return initial


@login_required
@require_http_methods(["GET", "POST"])
def code_list_edit(request: HttpRequest, kind: str, code: str = "") -> HttpResponse:
    """Create (no code in the address) or change a type or a channel; a channel's page
    also creates its API token."""
    _require_manage(request)
    if kind not in CODE_LIST_KINDS:
        raise Http404
    model, form_class, save = CODE_LIST_KINDS[kind]
    instance = None
    if code:
        instance = model.objects.filter(code=code).first()
        if instance is None:
            raise Http404
    context: dict[str, Any] = {"kind": kind, "instance": instance}
    token_asked = request.method == "POST" and request.POST.get("action") == "token"
    if token_asked and isinstance(instance, FeedbackChannel):
        context["token"] = channel_token_create(acting_user=request.user, channel=instance)
        form = form_class(initial=_initial(instance))
    elif request.method == "POST":
        form = form_class(request.POST)
        if instance is not None:
            form.fields["code"].disabled = True
            form.initial["code"] = instance.code
        if form.is_valid():
            data = dict(form.cleaned_data)
            new_code = data.pop("code")
            try:
                saved = save(
                    acting_user=request.user,
                    code=instance.code if instance else new_code,
                    data=data,
                    create=instance is None,
                )
            except ApplicationError as exc:
                form.add_error(None, str(exc.message))
            else:
                messages.success(request, _("Saved: %(code)s.") % {"code": saved.code})
                return redirect("feedback:code-list")
    else:
        form = form_class(initial=_initial(instance) if instance else None)
        if instance is not None:
            form.fields["code"].disabled = True
    context["form"] = form
    status = 400 if request.method == "POST" and form.errors else 200
    return render(request, "feedback/code_list_edit.html", context, status=status)
