"""The code list is configured here. Feedback items themselves are not in the admin:
superusers must not read sensitive complaints, and contents are sealed anyway."""

from django.contrib import admin

from puente.feedback.models import FeedbackChannel, FeedbackType


@admin.register(FeedbackType)
class FeedbackTypeAdmin(admin.ModelAdmin):
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


@admin.register(FeedbackChannel)
class FeedbackChannelAdmin(admin.ModelAdmin):
    list_display = ["code", "name_en", "country", "default_type", "active", "has_token"]
    readonly_fields = ["has_token"]

    @admin.display(boolean=True, description="API token")
    def has_token(self, obj: FeedbackChannel) -> bool:
        return bool(obj.token_hash)
