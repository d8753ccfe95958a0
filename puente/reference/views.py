from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from puente.reference.models import Country, PopulationGroup
from puente.reference.selectors import (
    admin1_list,
    countries_by_name,
    indicator_list,
    platforms_by_name,
    sector_list,
)


@login_required
def countries(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "reference/countries.html",
        {
            "countries": countries_by_name(),
            "platforms": platforms_by_name(),
        },
    )


@login_required
def country_detail(request: HttpRequest, iso3: str) -> HttpResponse:
    country = get_object_or_404(Country, iso3=iso3.upper())
    return render(
        request,
        "reference/country_detail.html",
        {
            "country": country,
            "areas": admin1_list(country=country),
        },
    )


@login_required
def sectors(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "reference/sectors.html",
        {
            "sectors": sector_list(),
            "indicators": indicator_list(),
            "population_groups": PopulationGroup.objects.all(),
        },
    )
