"""The needs analysis over REST: people in need and population figures of a year, in the
columns their imports read, for those who read the needs pages."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from puente.core.api import form_invalid
from puente.needs.forms import PlanningQueryForm
from puente.needs.selectors import need_rows, needs_page_check, population_rows

PARAMETERS = [
    OpenApiParameter("year", int, required=True),
    OpenApiParameter("country", str, description="ISO3"),
]


class _NeedsTableApi(APIView):
    reader = staticmethod(need_rows)

    @extend_schema(parameters=PARAMETERS, responses={200: dict})
    def get(self, request: Request) -> Response:
        needs_page_check(request.user)
        form = PlanningQueryForm(request.query_params)
        if not form.is_valid():
            raise form_invalid(form)
        country = form.cleaned_data["country"]
        return Response(
            self.reader(
                year=form.cleaned_data["year"],
                country_ids=(country.pk,) if country else None,
            )
        )


class NeedListApi(_NeedsTableApi):
    """People in need of a year by country, admin-1 area, sector and population group."""

    reader = staticmethod(need_rows)


class PopulationListApi(_NeedsTableApi):
    """Population figures of a year by country and population group."""

    reader = staticmethod(population_rows)
