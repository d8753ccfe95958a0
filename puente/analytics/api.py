from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from puente.accounts.permissions import Action, user_can_somewhere
from puente.analytics.selectors import GROUPINGS, ReachFilters, people_reached
from puente.core.api import error_body
from puente.reference.models import Country
from puente.reporting.services.validation import parse_month


class PeopleReachedApi(APIView):
    """People reached without double counting, as `puente people-reached` prints them."""

    @extend_schema(
        parameters=[
            OpenApiParameter("year", int, required=True),
            OpenApiParameter("through", str, required=True, description="YYYY-MM of the year"),
            OpenApiParameter("country", str, description="ISO3"),
            OpenApiParameter("by", str, description=f"comma separated: {','.join(GROUPINGS)}"),
        ],
        responses={200: dict},
    )
    def get(self, request: Request) -> Response:
        if not user_can_somewhere(request.user, Action.VIEW_REPORTS):
            return Response(error_body("permission_denied", "Not allowed."), status=403)
        params = request.query_params
        try:
            year = int(params.get("year", ""))
        except ValueError:
            return Response(error_body("invalid_year", "Give the year as YYYY."), status=400)
        month = parse_month(params.get("through", ""))
        if month is None or month.year != year:
            return Response(
                error_body("invalid_month", "through must be a month of the year."), status=400
            )
        by = [b for b in params.get("by", "").split(",") if b]
        if set(by) - set(GROUPINGS):
            return Response(
                error_body("invalid_grouping", f"by takes {', '.join(GROUPINGS)}."), status=400
            )
        filters = ReachFilters()
        if params.get("country"):
            country = Country.objects.filter(iso3=params["country"].upper()).first()
            if country is None:
                return Response(error_body("unknown_country", "Unknown country."), status=400)
            filters = ReachFilters(country_ids=(country.pk,))
        rows: list[dict[str, Any]] = people_reached(
            year=year, month=month.month, by=by, filters=filters
        )
        return Response(
            [
                {
                    **{b: r[b] for b in by},
                    "monthly": r["monthly"],
                    "consolidated": r["consolidated"],
                }
                for r in rows
            ]
        )
