"""The feedback dashboard and its download (aggregates; small counts of sensitive
complaints hidden)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from puente.core.as_of import figures_read_now
from puente.core.exports import csv_bytes, xlsx_bytes
from puente.core.templatetags.figures import date_format_long
from puente.feedback.selectors import (
    AGGREGATE_HEADERS,
    AGGREGATE_HXL,
    feedback_aggregate_rows,
    feedback_dashboard,
)


def _chart_rows(rows: list[Any]) -> list[dict[str, Any]]:
    return [
        {"label": row.label or _("Not coded"), "count": row.count, "sensitive": row.sensitive}
        for row in rows
    ]


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    data = feedback_dashboard(user=request.user)
    tables = [
        (_("By type"), data["by_type"], "type"),
        (_("By status"), data["by_status"], "status"),
        (_("By channel"), data["by_channel"], "channel"),
        (_("By sector"), data["by_sector"], "sector"),
        (_("By country"), data["by_country"], "country"),
    ]
    trends = [
        (_("Monthly trend by sector"), data["trend_by_sector"]),
        (_("Monthly trend by organisation concerned"), data["trend_by_organisation"]),
    ]
    # The charts' figures: labels in the reader's language, sensitive complaints apart
    # and null where suppressed (never a number under MIN_CELL).
    charts = {
        "by_type": _chart_rows(data["by_type"]),
        "by_status": _chart_rows(data["by_status"]),
        "by_month": [
            {
                "label": date_format_long(m["month"], "short_month"),
                "count": m["count"],
                "sensitive": m["sensitive"],
            }
            for m in data["by_month"]
        ],
        "labels": {"count": _("Feedback"), "sensitive": _("Sensitive")},
    }
    return render(
        request,
        "feedback/dashboard.html",
        {
            "data": data,
            "tables": tables,
            "trends": trends,
            "charts": charts,
            # Read from the feedback records at each request.
            "as_of": figures_read_now(),
        },
    )


@login_required
def dashboard_export(request: HttpRequest, file_format: str) -> HttpResponse:
    rows = feedback_aggregate_rows(user=request.user)
    if file_format == "csv":
        content = csv_bytes(AGGREGATE_HEADERS, rows, hxl=AGGREGATE_HXL)
        content_type = "text/csv; charset=utf-8"
    elif file_format == "xlsx":
        content = xlsx_bytes(AGGREGATE_HEADERS, rows, sheet="feedback")
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        raise Http404
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="feedback-aggregates.{file_format}"'
    return response


# The code list ---------------------------------------------------------------------------
