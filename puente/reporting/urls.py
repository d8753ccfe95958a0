from django.urls import path

from puente.reporting import views

app_name = "reporting"
urlpatterns = [
    path("", views.rows, name="rows"),
    path("export.<str:file_format>", views.export, name="export"),
    path("template/<str:iso3>.xlsx", views.template, name="template"),
    path("upload/", views.upload, name="upload"),
    path("imports/<int:batch_id>/", views.batch, name="batch"),
    path("imports/<int:batch_id>/progress.json", views.batch_progress_json, name="batch_progress"),
    path("imports/<int:batch_id>/errors.xlsx", views.batch_errors_xlsx, name="batch_errors"),
    path("rows/new/", views.row_form, name="row_new"),
    path("rows/<int:row_id>/edit/", views.row_form, name="row_edit"),
    path("rows/<int:row_id>/history/", views.history, name="history"),
    path("review/", views.review, name="review"),
    path("review/decide/", views.review_decide, name="review_decide"),
    path("review/decide-all/", views.review_decide_all, name="review_decide_all"),
    path("review/rows/", views.review_rows, name="review_rows"),
    path("locks/", views.locks, name="locks"),
]
