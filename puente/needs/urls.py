from django.urls import path

from puente.needs import views

app_name = "needs"
urlpatterns = [
    path("", views.needs, name="needs"),
    path("<str:table>.<str:file_format>", views.export, name="export"),
]
