from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from puente.analytics.dashboard import grouping_parse, reach_query_for_user
from puente.analytics.selectors import (
    APART_MEASURES,
    GROUPINGS,
    figures_apart_records,
    people_reached,
)
from puente.core.codes import CoreCode

MEASURES = ["people-reached", *APART_MEASURES]


class PeopleReachedApi(APIView):
    """People reached without double counting, as `puente people-reached` prints them.
    A wrong parameter is a 400 (ReachQueryInvalid, through the API's exception handler):
    its code, and every wrong parameter in `detail`. An organisation the user may not see
    on its own (`org_filter_allowed`) is a 403, `permission_denied`. `measure` shows
    people trained, outputs per unit or stocks instead, each apart and never grouped, as
    `--measure` does."""

    @extend_schema(
        parameters=[
            OpenApiParameter("year", int, required=True),
            OpenApiParameter("through", str, required=True, description="YYYY-MM of the year"),
            OpenApiParameter("country", str, description="ISO3"),
            OpenApiParameter("admin1", str, description="ISO 3166-2"),
            OpenApiParameter("sector", str, description="sector code"),
            OpenApiParameter("population_group", str, description="population group code"),
            OpenApiParameter("org", str, description="appealing organisation's acronym"),
            OpenApiParameter("by", str, description=f"comma separated: {','.join(GROUPINGS)}"),
            OpenApiParameter(
                "measure", str, enum=MEASURES, description="people-reached by default"
            ),
        ],
        responses={200: dict},
    )
    def get(self, request: Request) -> Response:
        params = request.query_params
        query = reach_query_for_user(
            {name: params.get(name) for name in params if name != "month"},
            request.user,
            period_required=True,
        )
        by = grouping_parse(params.get("by"))
        measure = params.get("measure") or "people-reached"
        if measure not in MEASURES:
            raise CoreCode.INVALID.error(
                extra={"measure": [f"“{measure[:50]}”: {', '.join(MEASURES)}"]}
            )
        if measure in APART_MEASURES:
            if by:
                raise CoreCode.INVALID.error(extra={"by": ["only people reached are grouped"]})
            return Response(
                figures_apart_records(
                    measure, year=query.year, month=query.month, filters=query.filters()
                )
            )
        rows: list[dict[str, Any]] = people_reached(
            year=query.year, month=query.month, by=by, filters=query.filters()
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
