from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static

from puente.accounts.permissions import user_roles
from puente.core.selectors import home_work
from puente.partners.models import Organisation
from puente.reference.models import Country, Sector


def home(request: HttpRequest) -> HttpResponse:
    context = {
        "roles": user_roles(request.user),
        "work": home_work(request.user),
        "country_count": Country.objects.count(),
        "partner_count": Organisation.objects.filter(appealing=True).count(),
        "sector_count": Sector.objects.filter(parent__isnull=True).count(),
    }
    return render(request, "core/home.html", context)


def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico whatever the page says: the site's icon is an SVG."""
    response = redirect(static("puente/favicon.svg"))
    response["Cache-Control"] = "public, max-age=86400"
    return response
