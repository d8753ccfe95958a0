from django.urls import path

from puente.flows import views

app_name = "flows"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("import/", views.upload, name="import"),
    path("export.<str:file_format>", views.export, name="export"),
]
