from django.urls import path

from puente.reference import views

app_name = "reference"
urlpatterns = [
    path("countries/", views.countries, name="countries"),
    path("countries/<str:iso3>/", views.country_detail, name="country"),
    path("sectors/", views.sectors, name="sectors"),
    path("population-groups/", views.population_groups, name="population_groups"),
    path(
        "population-groups/<slug:code>/",
        views.population_group_edit,
        name="population_group_edit",
    ),
    path("indicators.<str:file_format>", views.indicators_export, name="indicators_export"),
]
