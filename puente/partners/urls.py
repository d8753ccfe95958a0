from django.urls import path

from puente.partners import views

app_name = "partners"
urlpatterns = [
    path("", views.directory, name="directory"),
]
