from django.urls import path

from puente.analytics import views

app_name = "analytics"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("data.json", views.data, name="data"),
    path("geo.json", views.geo, name="geo"),
    path("explain/", views.explain, name="explain"),
    path("export.<str:file_format>", views.export, name="export"),
]
