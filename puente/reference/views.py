from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from puente.accounts.permissions import Action, check, user_can
from puente.core import exports
from puente.core.i18n import sorted_by_name
from puente.reference.models import Country, PopulationGroup
from puente.reference.selectors import (
    admin1_list,
    countries_by_name,
    indicator_list,
    platforms_by_name,
    population_group_list,
    sector_list,
)
from puente.reference.services import indicators_table, population_group_countries_set


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
            "indicators": indicator_list().prefetch_related("countries", "platforms"),
            "population_groups": PopulationGroup.objects.all(),
        },
    )


@login_required
@require_GET
def indicators_export(request: HttpRequest, file_format: str) -> HttpResponse:
    """The indicator registry as the file `puente import indicators` reads back."""
    if file_format not in ("csv", "xlsx"):
        raise Http404
    headers, rows = indicators_table()
    content = exports.table_file(file_format, headers, rows, hxl=[], sheet="indicators")
    return exports.download(content, "indicators")


@login_required
def population_groups(request: HttpRequest) -> HttpResponse:
    """Where each population group applies; a regional admin changes it from here."""
    return render(
        request,
        "reference/population_groups.html",
        {
            "groups": [
                {"group": group, "countries": sorted_by_name(group.countries.all())}
                for group in population_group_list()
            ],
            "may_edit": user_can(request.user, Action.MANAGE_REFERENCE),
        },
    )


class PopulationGroupCountriesForm(forms.Form):
    countries = forms.ModelMultipleChoiceField(
        queryset=Country.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        label=gettext_lazy("Countries where the group applies"),
        error_messages={"required": gettext_lazy("Choose at least one country.")},
    )


@login_required
@require_http_methods(["GET", "POST"])
def population_group_edit(request: HttpRequest, code: str) -> HttpResponse:
    check(request.user, Action.MANAGE_REFERENCE)
    group = get_object_or_404(PopulationGroup, code=code)
    if request.method == "POST":
        form = PopulationGroupCountriesForm(request.POST)
        if form.is_valid():
            population_group_countries_set(
                acting_user=request.user,
                group=group,
                countries=list(form.cleaned_data["countries"]),
            )
            messages.success(request, _("Saved: %(group)s.") % {"group": group.name})
            return redirect("reference:population_groups")
    else:
        form = PopulationGroupCountriesForm(initial={"countries": list(group.countries.all())})
    field = form.fields["countries"]
    assert isinstance(field, forms.ModelMultipleChoiceField)  # noqa: S101
    field.choices = [(c.pk, c.name) for c in countries_by_name()]  # in the reader's order
    return render(request, "reference/population_group_edit.html", {"group": group, "form": form})
