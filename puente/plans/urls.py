from django.urls import path

from puente.plans import entry_views, views

app_name = "plans"
urlpatterns = [
    path("", views.plans, name="plans"),
    path("import/", views.plan_upload, name="upload"),
    path("<slug:code>/", views.plan_detail, name="plan"),
    path("<slug:code>/publish/", views.plan_publish_view, name="publish"),
    path("<slug:code>/entry/", views.entry_form, name="entry"),
    path("<slug:code>/entries/upload/", entry_views.entries_upload, name="entries_upload"),
    path(
        "<slug:code>/entries/template.xlsx",
        entry_views.entries_template,
        name="entries_template",
    ),
    path("<slug:code>/entries/<int:entry_id>/review/", views.entry_review, name="review"),
]
