from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from puente.partners.forms import DirectoryFilterForm
from puente.partners.selectors import (
    OrganisationFilters,
    localisation_shares,
    organisation_directory,
)


@login_required
def directory(request: HttpRequest) -> HttpResponse:
    form = DirectoryFilterForm(request.GET or None)
    filters = OrganisationFilters()
    if form.is_valid():
        data = form.cleaned_data
        filters = OrganisationFilters(
            country=data["country"],
            platform=data["platform"],
            type=data["type"],
            migrant_led=form.flag(data["migrant_led"]),
            women_led=form.flag(data["women_led"]),
            appealing=form.flag(data["appealing"]),
            search=data["q"],
        )
    organisations = organisation_directory(request.user, filters=filters)
    page = Paginator(organisations.order_by("acronym"), 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "partners/directory.html",
        {
            "form": form,
            "page": page,
            "shares": localisation_shares(organisations),
            "query": query.urlencode(),
        },
    )
