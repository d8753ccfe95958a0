from django.urls import path

from puente.feedback import views

app_name = "feedback"
urlpatterns = [
    path("", views.item_list, name="list"),
    path("new/", views.public_form, name="public-form"),
    path("status/", views.public_status, name="public-status"),
    path("log/", views.log, name="log"),
    path("overdue/", views.overdue_list, name="overdue"),
    path("<int:feedback_id>/", views.item_detail, name="item"),
    path("attachments/<int:attachment_id>/", views.attachment, name="attachment"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("code-list/", views.code_list, name="code-list"),
    path("code-list/<str:kind>/new/", views.code_list_edit, name="code-list-new"),
    path("code-list/<str:kind>/<slug:code>/", views.code_list_edit, name="code-list-edit"),
    path("dashboard/export.<str:file_format>", views.dashboard_export, name="dashboard-export"),
]
