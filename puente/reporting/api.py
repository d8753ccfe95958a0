"""5W over REST: read the rows in one's scope, submit rows (same validation and
policies as a file), review and lock months."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
)
from rest_framework import generics, parsers, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from puente.accounts.permissions import Action
from puente.core.api import error_body
from puente.core.codes import CoreCode
from puente.core.imports import ImportPolicy
from puente.core.replica import primary_reads
from puente.reference.models import Country
from puente.reporting.codes import ReportingCode
from puente.reporting.filters import ReviewRequest, RowFilters
from puente.reporting.models import ActivityRow, ImportBatch, RowStatus
from puente.reporting.selectors import (
    access_activity_row,
    batch_for_user,
    reports_page_check,
    row_list,
)
from puente.reporting.services.columns import COLUMN_NAMES, parse_month
from puente.reporting.services.imports import (
    POLICIES,
    batch_create,
    batch_progress,
    rows_import,
)
from puente.reporting.services.workflow import (
    period_lock,
    period_unlock,
    report_review,
    report_submit,
)
from puente.reporting.tasks import batch_import_task

MAX_ROWS_PER_REQUEST = 10000


class ActivityRowSerializer(serializers.ModelSerializer):
    month = serializers.SerializerMethodField()
    country = serializers.CharField(source="country.iso3")
    admin1 = serializers.CharField(source="admin1.iso_code")
    appealing_org = serializers.CharField(source="appealing_org.acronym")
    implementing_org = serializers.CharField(source="implementing_org.acronym")
    indicator = serializers.CharField(source="indicator.code")
    sector = serializers.CharField(source="sector.code")
    population_group = serializers.CharField(source="population_group.code")

    class Meta:
        model = ActivityRow
        fields = [
            "id",
            "month",
            "country",
            "admin1",
            "admin2",
            "appealing_org",
            "implementing_org",
            "indicator",
            "sector",
            "activity",
            "rmrp_activity",
            "modality",
            "cva_value_usd",
            "delivery_mechanism",
            "conditionality",
            "restriction",
            "population_group",
            "quantity",
            "total_monthly",
            "new_beneficiaries",
            "girls",
            "boys",
            "women",
            "men",
            "other",
            "disability",
            "status",
            "review_comment",
            "updated_at",
        ]

    def get_month(self, obj: ActivityRow) -> str:
        return obj.month.strftime("%Y-%m")


class RowSubmitSerializer(serializers.Serializer):
    rows = serializers.ListField(
        child=serializers.DictField(),
        allow_empty=False,
        max_length=MAX_ROWS_PER_REQUEST,
        help_text=f"Row objects with the import columns: {', '.join(COLUMN_NAMES)}",
    )
    policy = serializers.ChoiceField(choices=POLICIES, default=ImportPolicy.REJECT_FILE)
    status = serializers.ChoiceField(
        choices=[RowStatus.DRAFT, RowStatus.SUBMITTED], default=RowStatus.SUBMITTED
    )
    dry_run = serializers.BooleanField(default=False)


class ImportReportSerializer(serializers.Serializer):
    rows = serializers.IntegerField()
    imported = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    # Describes the response for the schema only; never bound to data.
    errors = serializers.ListField(child=serializers.DictField())  # type: ignore[assignment]
    warnings = serializers.ListField(child=serializers.DictField())


class RowListCreateApi(generics.ListAPIView):
    """GET: the 5W rows in the caller's scope. POST: submit rows, validated as a file."""

    serializer_class = ActivityRowSerializer

    def get_queryset(self):  # type: ignore[no-untyped-def]
        # An unknown value is a 400 naming the parameter (`invalid_filter`), never every row.
        filters = RowFilters.parse(self.request.query_params)
        return row_list(self.request.user, filters).order_by("-month", "id")

    @extend_schema(
        parameters=[
            OpenApiParameter("month", str, description="YYYY-MM"),
            OpenApiParameter("year", str, description="YYYY"),
            OpenApiParameter("country", str, description="ISO3"),
            OpenApiParameter("admin1", str, description="ISO 3166-2 code or P-code"),
            OpenApiParameter("appealing_org", str, description="acronym"),
            OpenApiParameter("implementing_org", str, description="acronym"),
            OpenApiParameter("sector", str, description="sector code (its sub-sectors too)"),
            OpenApiParameter("indicator", str, description="indicator code"),
            OpenApiParameter("population_group", str, description="population group code"),
            # Empty, like every filter here (as the web form sends it): any status.
            OpenApiParameter(
                "status", str, enum=["", *RowStatus.values], description="empty: any status"
            ),
        ]
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(request=RowSubmitSerializer, responses={200: ImportReportSerializer})
    def post(self, request: Request) -> Response:
        serializer = RowSubmitSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        batch = batch_create(
            acting_user=request.user,
            filename="api",
            content=None,
            source="api",
            policy=data["policy"],
            status=data["status"],
            dry_run=data["dry_run"],
        )
        report = rows_import(
            rows=enumerate(data["rows"], start=1),
            acting_user=request.user,
            policy=data["policy"],
            status=data["status"],
            dry_run=data["dry_run"],
            batch=batch,
        )
        body = report.as_dict()
        if report.errors and (
            data["policy"] == ImportPolicy.REJECT_FILE or not body["imported"] + body["updated"]
        ):
            rejected = ReportingCode.ROWS_REJECTED
            return Response(error_body(rejected, rejected.text(), body), status=rejected.status)
        return Response(body)


@extend_schema_field(OpenApiTypes.BINARY)
class UploadField(serializers.FileField):
    """A file part of a multipart body (the schema says binary, not a URI)."""


class FileImportSerializer(serializers.Serializer):
    file = UploadField(help_text="A 5W file: XLSX, XLS, ODS or CSV")
    policy = serializers.ChoiceField(choices=POLICIES, default=ImportPolicy.REJECT_FILE)
    status = serializers.ChoiceField(
        choices=[RowStatus.DRAFT, RowStatus.SUBMITTED], default=RowStatus.SUBMITTED
    )
    dry_run = serializers.BooleanField(default=False)


class ImportProgressSerializer(serializers.Serializer):
    phase = serializers.CharField()
    done = serializers.IntegerField()
    total = serializers.IntegerField()


class FileImportStateSerializer(serializers.Serializer):
    """What the schema documents of a batch; the answers are built by `_batch_body`."""

    id = serializers.IntegerField()
    state = serializers.ChoiceField(choices=ImportBatch.State.choices)
    filename = serializers.CharField()
    url = serializers.CharField(help_text="The URL of this status")
    created_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)
    progress = ImportProgressSerializer()
    # A dict, not ImportReportSerializer: an import that died holds its error only.
    report = serializers.DictField(
        allow_null=True,
        help_text="Once finished: the import report, as POST /api/5w/rows/ answers it",
    )


def _batch_body(batch: ImportBatch) -> dict[str, Any]:
    finished = batch.state not in (ImportBatch.State.QUEUED, ImportBatch.State.RUNNING)
    return {
        "id": batch.pk,
        "state": batch.state,
        "filename": batch.filename,
        "url": reverse("api-5w-import", kwargs={"batch_id": batch.pk}),
        "created_at": batch.created_at.isoformat(),
        "finished_at": batch.finished_at.isoformat() if batch.finished_at else None,
        "progress": batch_progress(batch.pk),
        "report": batch.report if finished else None,
    }


class FileImportCreateApi(APIView):
    """Upload a 5W file: recorded (the file kept) and queued for `puente worker`, as the
    upload page records and queues a large one. The answer comes before any row is read;
    the client polls the batch's URL."""

    parser_classes = [parsers.MultiPartParser, parsers.FormParser]

    @extend_schema(
        request={"multipart/form-data": FileImportSerializer},
        responses={
            202: FileImportStateSerializer,
            413: OpenApiResponse(
                response={"$ref": "#/components/schemas/Error"},
                description="The file is above PUENTE_MAX_IMPORT_BYTES (file_too_large)",
            ),
            415: OpenApiResponse(
                response={"$ref": "#/components/schemas/Error"},
                description="A body that is not multipart/form-data (or a form)",
            ),
        },
    )
    def post(self, request: Request) -> Response:
        # The upload page's rules: its gate, its size limit, its batch; each row's scope
        # is checked by the worker's import as the page's import checks it.
        reports_page_check(request.user, Action.SUBMIT_REPORT)
        serializer = FileImportSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        upload_file = data["file"]
        limit = settings.PUENTE_MAX_IMPORT_BYTES
        if upload_file.size > limit:
            # As on the page: refused before anything is recorded.
            too_large = CoreCode.FILE_TOO_LARGE
            return Response(
                error_body(too_large, too_large.text(megabytes=limit // (1024 * 1024))),
                status=413,
            )
        batch = batch_create(
            acting_user=request.user,
            filename=upload_file.name or "upload",
            content=upload_file.read(),
            source="api",
            policy=data["policy"],
            status=data["status"],
            dry_run=data["dry_run"],
        )
        batch_import_task.enqueue(batch.pk)
        body = _batch_body(batch)
        return Response(body, status=202, headers={"Location": body["url"]})


class FileImportDetailApi(APIView):
    @extend_schema(responses=FileImportStateSerializer)
    @primary_reads
    def get(self, request: Request, batch_id: int) -> Response:
        # The worker writes the batch: read it where it was written.
        return Response(_batch_body(batch_for_user(request.user, batch_id)))


class RowDetailApi(APIView):
    @extend_schema(responses=ActivityRowSerializer)
    def get(self, request: Request, row_id: int) -> Response:
        row = access_activity_row(request.user, row_id)
        return Response(ActivityRowSerializer(row).data)


class ReviewSerializer(serializers.Serializer):
    appealing_org = serializers.CharField()
    country = serializers.CharField()
    month = serializers.CharField()
    sector = serializers.CharField(required=False, allow_blank=True)
    decision = serializers.ChoiceField(choices=["submit", "validated", "returned"])
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class ReviewApi(APIView):
    """Submit an organisation's month, or validate/return it for a sector."""

    @extend_schema(request=ReviewSerializer, responses={200: dict})
    def post(self, request: Request) -> Response:
        # The review page's parser: unknown codes are `invalid` with one error per field.
        body = request.data if isinstance(request.data, Mapping) else {}
        decision = ReviewRequest.parse(body)
        if decision.decision == "submit":
            count = report_submit(
                acting_user=request.user,
                appealing_org=decision.appealing_org,
                country=decision.country,
                month=decision.month,
            )
        else:
            assert decision.sector is not None  # noqa: S101 (the parser requires it)
            count = report_review(
                acting_user=request.user,
                appealing_org=decision.appealing_org,
                country=decision.country,
                sector=decision.sector,
                month=decision.month,
                decision=decision.decision,
                comment=decision.comment,
            )
        return Response({"rows": count})


class LockSerializer(serializers.Serializer):
    country = serializers.CharField()
    month = serializers.CharField()
    locked = serializers.BooleanField(default=True)


class LockApi(APIView):
    @extend_schema(request=LockSerializer, responses={200: dict})
    def post(self, request: Request) -> Response:
        serializer = LockSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        country = get_object_or_404(Country, iso3=data["country"].upper())
        month = parse_month(data["month"])
        if month is None:
            return Response(
                error_body(
                    CoreCode.INVALID_MONTH, CoreCode.INVALID_MONTH.text(value=data["month"])
                ),
                status=CoreCode.INVALID_MONTH.status,
            )
        if data["locked"]:
            period_lock(acting_user=request.user, country=country, month=month)
        else:
            period_unlock(acting_user=request.user, country=country, month=month)
        return Response(
            {"country": country.iso3, "month": month.strftime("%Y-%m"), "locked": data["locked"]}
        )
