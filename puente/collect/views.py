"""The pages of field data collection: projects and their forms, publishing an XLSForm,
and the quarantine. The OpenRosa server for devices is `server.py`."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from puente.accounts.permissions import Action, scope_filter, user_can_somewhere
from puente.collect.forms import PublishForm
from puente.collect.models import Project
from puente.collect.selectors import (
    access_quarantined,
    forms_published,
    projects_manageable,
    projects_visible,
    quarantine_visible,
    user_can_on_project,
)
from puente.collect.services.publishing import (
    XlsformMessage,
    form_media_add,
    form_publish,
    project_for_publishing,
)
from puente.collect.services.quarantine import quarantine_discard, quarantine_resolve
from puente.core.errors import ApplicationError
from puente.reference.models import Country


def _server_url(request: HttpRequest, project: Project) -> str:
    """The server URL to give ODK Collect: the root the OpenRosa paths hang from."""
    form_list = reverse("collect:form_list", kwargs={"project": project.code})
    return request.build_absolute_uri(form_list.removesuffix("formList"))


@login_required
def projects(request: HttpRequest) -> HttpResponse:
    """The projects whose data the user sees, with their forms and the server URL to give
    ODK Collect."""
    visible = list(projects_visible(request.user))
    if not visible and not user_can_somewhere(request.user, Action.MANAGE_FORMS):
        raise DjangoPermissionDenied
    rows = [
        {
            "project": project,
            "server_url": _server_url(request, project),
            "forms": forms_published(project),
        }
        for project in visible
    ]
    return render(
        request,
        "collect/projects.html",
        {
            "rows": rows,
            "can_publish": user_can_somewhere(request.user, Action.MANAGE_FORMS),
            "quarantined": quarantine_visible(request.user).filter(status="pending").count(),
        },
    )


def _messages_text(items: list[dict[str, Any]]) -> list[str]:
    return [XlsformMessage(**item).text() for item in items]


@login_required
def publish(request: HttpRequest) -> HttpResponse:
    """Upload an XLSForm (and its media files) as a new version of its form."""
    if not user_can_somewhere(request.user, Action.MANAGE_FORMS):
        raise DjangoPermissionDenied
    countries = Country.objects.filter(
        scope_filter(request.user, Action.MANAGE_FORMS, country="pk")
    ).order_by("iso3")
    form = PublishForm(
        request.POST or None,
        request.FILES or None,
        projects=projects_manageable(request.user),
        countries=countries,
    )
    errors: list[str] = []
    warnings: list[str] = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        upload = data["xlsform"]
        try:
            with transaction.atomic():
                project = data["project"] or project_for_publishing(
                    acting_user=request.user,
                    code=data["new_code"],
                    country_iso3=data["new_country"].iso3,
                    name=data["new_name"],
                )
                if not user_can_on_project(request.user, Action.MANAGE_FORMS, project):
                    raise DjangoPermissionDenied
                publication = form_publish(
                    acting_user=request.user,
                    project=project,
                    name=upload.name,
                    content=upload.read(),
                )
                for media in data["media_files"]:
                    form_media_add(
                        acting_user=request.user,
                        form=publication.version.form,
                        filename=media.name,
                        content=media.read(),
                        content_type=media.content_type or "",
                    )
        except ApplicationError as exc:
            errors = [str(exc.message), *_messages_text(exc.extra.get("errors", []))]
            warnings = _messages_text(exc.extra.get("warnings", []))
        else:
            version = publication.version
            text = (
                _("Form %(form_id)s version “%(version)s” published in %(project)s.")
                if publication.created
                else _("Form %(form_id)s version “%(version)s” was already published.")
            )
            messages.success(
                request,
                text
                % {
                    "form_id": version.form.form_id,
                    "version": version.version,
                    "project": project.code,
                },
            )
            for warning in publication.warnings:
                messages.warning(request, warning.text())
            return redirect("collect:projects")
    return render(
        request,
        "collect/publish.html",
        {"form": form, "errors": errors, "warnings": warnings},
    )


@login_required
def quarantine(request: HttpRequest) -> HttpResponse:
    if not user_can_somewhere(request.user, Action.MANAGE_FORMS):
        raise DjangoPermissionDenied
    items = quarantine_visible(request.user)[:500]
    return render(request, "collect/quarantine.html", {"items": items})


@login_required
@require_POST
def quarantine_item(request: HttpRequest, item_id: int) -> HttpResponse:
    """Resolve (`action=resolve`) or discard (`action=discard`) a quarantined submission."""
    if not user_can_somewhere(request.user, Action.MANAGE_FORMS):
        raise DjangoPermissionDenied
    item = access_quarantined(request.user, item_id)
    action = request.POST.get("action")
    if action not in ("resolve", "discard"):
        return HttpResponse(_("Say resolve or discard."), status=400)
    try:
        if action == "resolve":
            quarantine_resolve(acting_user=request.user, item=item)
            messages.success(request, _("The submission was stored."))
        else:
            quarantine_discard(acting_user=request.user, item=item)
            messages.success(request, _("The submission was discarded."))
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
    return redirect("collect:quarantine")
