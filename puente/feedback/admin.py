"""The code list is configured here. Feedback items themselves are not in the admin:
superusers must not read sensitive complaints, and contents are sealed anyway.

Every save goes through the code list's services (feedback.services.code_list), as on the
code list page: the same rules (a type with items stays sensitive; marking a type
sensitive hands its items to the PSEA focal points) and the same audit records. Nothing is
deleted here: a type or channel no longer used is deactivated."""

from typing import Any

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from puente.core.errors import ApplicationError, PermissionDenied
from puente.feedback.models import FeedbackChannel, FeedbackType
from puente.feedback.services.code_list import (
    CHANNEL_FIELDS,
    TYPE_FIELDS,
    feedback_channel_save,
    feedback_type_save,
)


class CodeListAdmin(admin.ModelAdmin):
    fields_saved: tuple[str, ...] = ()

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        readonly = list(super().get_readonly_fields(request, obj))
        return [*readonly, "code"] if obj is not None else readonly

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_through_service(self, **kwargs: Any) -> Any:
        raise NotImplementedError

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        data = {f: form.cleaned_data[f] for f in self.fields_saved if f in form.cleaned_data}
        try:
            saved = self.save_through_service(
                acting_user=request.user, code=obj.code, data=data, create=not change
            )
        except PermissionDenied:
            raise
        except ApplicationError as exc:
            # Checked by the model's clean() before this point; only a race gets here.
            raise ValidationError(str(exc.message), code=exc.code) from exc
        obj.pk = saved.pk
        obj.refresh_from_db()


@admin.register(FeedbackType)
class FeedbackTypeAdmin(CodeListAdmin):
    fields_saved = TYPE_FIELDS
    list_display = [
        "code",
        "name_en",
        "sensitive",
        "acknowledge_within_hours",
        "respond_within_days",
        "public",
        "active",
        "position",
    ]
    list_editable = ["acknowledge_within_hours", "respond_within_days", "public", "active"]

    def save_through_service(self, **kwargs: Any) -> Any:
        return feedback_type_save(**kwargs)


@admin.register(FeedbackChannel)
class FeedbackChannelAdmin(CodeListAdmin):
    fields_saved = CHANNEL_FIELDS
    list_display = ["code", "name_en", "country", "default_type", "active", "has_token"]
    readonly_fields = ["has_token"]

    def save_through_service(self, **kwargs: Any) -> Any:
        return feedback_channel_save(**kwargs)

    @admin.display(boolean=True, description="API token")
    def has_token(self, obj: FeedbackChannel) -> bool:
        return bool(obj.token_hash)
