from django.urls import path

from puente.reference import views

app_name = "reference"
urlpatterns = [
    path("countries/", views.countries, name="countries"),
    path("countries/<str:iso3>/", views.country_detail, name="country"),
    path("sectors/", views.sectors, name="sectors"),
]
