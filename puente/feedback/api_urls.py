from django.urls import path

from puente.feedback import api

urlpatterns = [
    path(
        "channels/<slug:code>/messages/",
        api.ChannelMessageCreateApi.as_view(),
        name="api-feedback-channel-messages",
    ),
]
