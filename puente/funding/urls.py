from django.urls import path

from puente.funding import views

app_name = "funding"
urlpatterns = [
    path("", views.funding, name="funding"),
    path("export.<str:file_format>", views.export, name="export"),
]
