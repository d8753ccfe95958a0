from decimal import Decimal

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from puente.core.api import error_body
from puente.core.codes import CoreCode
from puente.core.exports import json_number
from puente.core.filters import year_parse
from puente.funding.selectors import GROUPINGS, funding_summary
from puente.plans.selectors import access_plan


class FundingSummaryApi(APIView):
    """Funding against requirement of a plan, as `puente funding-summary` prints it."""

    @extend_schema(
        parameters=[
            OpenApiParameter("plan", str, required=True, description="the plan's code"),
            OpenApiParameter("by", str, description=f"comma separated: {','.join(GROUPINGS)}"),
            OpenApiParameter("year", int),
        ],
        responses={200: dict},
    )
    def get(self, request: Request) -> Response:
        params = request.query_params
        # The plans the reader may open, as on the plan pages: PermissionDenied without
        # any report-reading role, NotFound for an unknown or unpublished agency plan.
        plan = access_plan(request.user, params.get("plan", ""))
        by = [b for b in params.get("by", "").split(",") if b]
        unknown = sorted(set(by) - set(GROUPINGS))
        if unknown:
            error = CoreCode.INVALID_GROUPING
            message = error.text(groupings=", ".join(GROUPINGS), unknown=", ".join(unknown))
            return Response(error_body(error, message), status=error.status)
        try:
            year = year_parse(params["year"]) if params.get("year", "").strip() else None
        except ValueError as exc:
            return Response(
                error_body(CoreCode.INVALID_YEAR, str(exc)), status=CoreCode.INVALID_YEAR.status
            )
        rows = funding_summary(plan, by=by, year=year)
        return Response(
            [
                {k: json_number(v) if isinstance(v, Decimal) else v for k, v in row.items()}
                for row in rows
            ]
        )
