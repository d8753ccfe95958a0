"""The code list of feedback types and channels, kept by regional admins."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from puente.core.errors import ApplicationError
from puente.feedback.forms import (
    FeedbackChannelForm,
    FeedbackTypeForm,
)
from puente.feedback.models import (
    FeedbackChannel,
    FeedbackType,
)
from puente.feedback.selectors import feedback_code_lists_check
from puente.feedback.services.channels import channel_token_create
from puente.feedback.services.code_list import (
    CHANNEL_FIELDS,
    TYPE_FIELDS,
    feedback_channel_save,
    feedback_type_save,
)


def _require_manage(request: HttpRequest) -> None:
    feedback_code_lists_check(request.user)


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
