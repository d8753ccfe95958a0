"""The public feedback pages, without sign-in: the form anyone may send, and the status
check by receipt code."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from puente.core.errors import ApplicationError
from puente.feedback.forms import (
    PublicFeedbackForm,
    StatusForm,
)
from puente.feedback.models import (
    Consent,
    FeedbackStatus,
)
from puente.feedback.ratelimit import rate_limited
from puente.feedback.selectors import (
    feedback_by_receipt,
)
from puente.feedback.services.crypto import unseal
from puente.feedback.services.intake import (
    Upload,
    feedback_channel_web,
    feedback_create,
    receipt_display,
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
