from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from puente.accounts.permissions import user_roles
from puente.partners.models import Organisation
from puente.reference.models import Country, Sector


def home(request: HttpRequest) -> HttpResponse:
    context = {
        "roles": user_roles(request.user),
        "country_count": Country.objects.count(),
        "partner_count": Organisation.objects.filter(appealing=True).count(),
        "sector_count": Sector.objects.filter(parent__isnull=True).count(),
    }
    return render(request, "core/home.html", context)
